# SPDX-License-Identifier: MIT
# bash completion for cleanroom(1): commands, quick-run flags and their
# values, configs (*.json) and files; after -- the command's own completion.
_cleanroom() {
  local cur prev words cword
  _init_completion -n : 2>/dev/null || {
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  }
  local flags="--bind --ro-bind --tmpfs --cwd --here --env --network --time --memory --pids --seccomp"
  local i
  for ((i = 1; i < cword; i++)); do
    if [[ ${words[i]} == -- ]]; then
      # The sandboxed command: complete it as bash would on its own.
      if declare -F _command_offset >/dev/null; then
        _command_offset $((i + 1))
      else
        COMPREPLY=($(compgen -c -- "$cur"))
      fi
      return
    fi
  done
  if ((cword == 1)); then
    COMPREPLY=($(compgen -W "run check learn policy help --help --version" -- "$cur"))
    return
  fi
  local command=${words[1]}
  if [[ $command == policy ]]; then
    if ((cword == 2)); then
      COMPREPLY=($(compgen -W "check export diff" -- "$cur"))
    elif [[ $prev == --output ]]; then
      COMPREPLY=($(compgen -f -- "$cur"))
    else
      local opts=--output
      [[ ${words[2]} == diff ]] && opts=--json
      COMPREPLY=($(compgen -W "$opts" -- "$cur") $(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
    fi
    return
  fi
  [[ $command == run || $command == check || $command == learn ]] || return
  case $prev in
    --bind | --ro-bind) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --cwd | --tmpfs) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --network) COMPREPLY=($(compgen -W "none host" -- "$cur")); return ;;
    --seccomp) COMPREPLY=($(compgen -W "default strict none" -- "$cur") $(compgen -f -X '!*.json' -- "$cur")); return ;;
    --env) COMPREPLY=($(compgen -e -- "$cur")); return ;;
    --time | --memory | --pids) return ;;
    --report | --output | --merge) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  [[ $command == check ]] && flags+=" --explain --json"
  [[ $command == run ]] && flags+=" --report --audit"
  [[ $command == learn ]] && flags+=" --output --merge --allow-refused"
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags --" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur") $(compgen -W "-" -- "$cur"))
  fi
}
complete -F _cleanroom cleanroom
