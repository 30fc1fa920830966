# SPDX-License-Identifier: MIT
"""cleanroom.Config: a config (the JSON format of ``cleanroom run``) loaded
once, with readable overrides, each validated as the JSON it stands for."""
from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._errors import ConfigError

__all__ = ["Config", "BindSpec"]

PathLike = Union[str, "os.PathLike[str]"]
#: A bind: a host path (bound read-only at the same path), a (source, target)
#: pair, or a dict with "source", optional "target" and "writable".
BindSpec = Union[PathLike, Tuple[PathLike, PathLike], Mapping[str, Any]]


def _config_error(exc: Exception) -> ConfigError:
    return ConfigError(str(exc), getattr(exc, "where", ""), getattr(exc, "what", ""),
                       getattr(exc, "errno", 0))


def _abs(path: PathLike) -> str:
    return os.path.abspath(os.fspath(path))


def _bind_entry(spec: BindSpec) -> Dict[str, Any]:
    if isinstance(spec, Mapping):
        if "source" not in spec:
            raise ValueError("a bind needs a 'source': %r" % (spec,))
        entry: Dict[str, Any] = {"type": "bind", "source": _abs(spec["source"]),
                                 "target": os.fspath(spec.get("target") or _abs(spec["source"]))}
        for key in ("writable", "optional"):
            if spec.get(key):
                entry[key] = True
        return entry
    if isinstance(spec, tuple):
        source, target = spec
        return {"type": "bind", "source": _abs(source), "target": os.fspath(target)}
    return {"type": "bind", "source": _abs(spec), "target": _abs(spec)}


def _tmpfs_entry(spec: Union[str, Tuple[str, Union[str, int]]]) -> Dict[str, Any]:
    if isinstance(spec, tuple):
        return {"type": "tmpfs", "target": spec[0], "size": spec[1]}
    return {"type": "tmpfs", "target": spec}


def _time_ms(seconds: float) -> int:
    if seconds is None or seconds <= 0:
        raise ValueError("a time limit is a positive number of seconds, not %r" % (seconds,))
    return max(1, int(round(seconds * 1000)))


def _section(d: Dict[str, Any], changed: Dict[str, Any], key: str, default: Any) -> Any:
    if key not in d or d[key] is None:
        d[key] = default
    changed[key] = d[key]
    return d[key]


def _set_process(key: str) -> Callable[[Dict[str, Any], Dict[str, Any], Any], None]:
    def apply(d: Dict[str, Any], changed: Dict[str, Any], value: Any) -> None:
        proc = _section(d, changed, "process", {})
        if key == "args":
            proc["args"] = [os.fspath(a) for a in value]
            proc.pop("path", None)  # new args: args[0] is looked up in PATH
        elif key == "env":
            proc["env"] = {str(k): str(v) for k, v in dict(value).items()}
        else:
            proc[key] = os.fspath(value)
    return apply


def _set_limit(key: str, convert: Callable[[Any], Any] = lambda v: v) -> Callable[..., None]:
    def apply(d: Dict[str, Any], changed: Dict[str, Any], value: Any) -> None:
        limits = _section(d, changed, "limits", {})
        if value is None:
            limits.pop(key, None)
        else:
            limits[key] = convert(value)
    return apply


def _add_entries(make: Callable[[Any], Dict[str, Any]]) -> Callable[..., None]:
    def apply(d: Dict[str, Any], changed: Dict[str, Any], value: Any) -> None:
        fs = _section(d, changed, "filesystem", [])
        items = [value] if isinstance(value, (str, os.PathLike, Mapping, tuple)) else list(value)
        fs.extend(make(item) for item in items)
    return apply


def _set_top(key: str) -> Callable[..., None]:
    def apply(d: Dict[str, Any], changed: Dict[str, Any], value: Any) -> None:
        d[key] = value
        changed[key] = value
    return apply


def _set_network(d: Dict[str, Any], changed: Dict[str, Any], value: Any) -> None:
    """"none" needs a network namespace of the sandbox's own, "host" must not have one."""
    d["network"] = changed["network"] = value
    ns = list(d.get("namespaces") or [])
    if value == "none" and "net" not in ns:
        ns.append("net")
    elif value == "host" and "net" in ns:
        ns.remove("net")
    else:
        return
    d["namespaces"] = changed["namespaces"] = ns


_OVERRIDES: Dict[str, Callable[[Dict[str, Any], Dict[str, Any], Any], None]] = {
    "args": _set_process("args"),
    "env": _set_process("env"),
    "cwd": _set_process("cwd"),
    "binds": _add_entries(_bind_entry),
    "tmpfs": _add_entries(_tmpfs_entry),
    "network": _set_network,
    "seccomp": _set_top("seccomp"),
    "hostname": _set_top("hostname"),
    "capabilities": _set_top("capabilities"),
    "memory": _set_limit("memory"),
    "pids": _set_limit("pids"),
    "cpu": _set_limit("cpu"),
    "time": _set_limit("time_ms", _time_ms),
    "optional_limits": _set_limit("optional", list),
}

#: The keyword overrides Config.set() (and run, call, get_context...) take.
OVERRIDES = tuple(sorted(_OVERRIDES))


class Config:
    """A sandbox's config: the built-in default (``Config()``), a config file
    (``Config("run.json")``), or a dict in the config format
    (``Config({"network": "host"})``), each on top of the default section by
    section as ``cleanroom run`` does; then overrides::

        cfg = Config("run.json").set(memory="512M", time=30).bind("/data")

    Every change is validated as the JSON it stands for and raises
    ConfigError naming the JSON path. ``check()`` also compiles the seccomp
    policy, as ``cleanroom check`` does. A Config may be shared by threads as
    long as none changes it."""

    def __init__(self, source: Union[None, PathLike, Mapping[str, Any], "Config"] = None,
                 **overrides: Any) -> None:
        lib = _native.lib()
        try:
            if source is None:
                self._native = lib.Config.default()
            elif isinstance(source, Config):
                self._native = source._native.copy()
            elif isinstance(source, Mapping):
                self._native = lib.Config.load_string(json.dumps(dict(source)), "config", os.getcwd())
            else:
                self._native = lib.Config.load_file(os.fspath(source))
        except lib.Error as exc:
            raise _config_error(exc) from None
        if overrides:
            self.set(**overrides)

    @classmethod
    def from_json(cls, text: str, *, name: str = "config", base_dir: Optional[PathLike] = None) -> "Config":
        """Config JSON text on the default; relative host paths resolve against
        ``base_dir`` (default: the current folder)."""
        self = cls.__new__(cls)
        lib = _native.lib()
        try:
            self._native = lib.Config.load_string(text, name, os.fspath(base_dir or os.getcwd()))
        except lib.Error as exc:
            raise _config_error(exc) from None
        return self

    def copy(self) -> "Config":
        """An independent copy."""
        return Config(self)

    def to_json(self) -> str:
        """The resolved config as JSON text (``cleanroom check`` prints it)."""
        return str(self._native.to_json())

    def to_dict(self) -> Dict[str, Any]:
        """The resolved config as a dict; loading it gives the same config."""
        return dict(json.loads(self.to_json()))

    def update(self, sections: Mapping[str, Any]) -> "Config":
        """Replace whole sections (``{"network": "host", "limits": {...}}``), as
        a config file replaces the default's."""
        lib = _native.lib()
        try:
            self._native.update(json.dumps(dict(sections)))
        except lib.Error as exc:
            raise _config_error(exc) from None
        return self

    def set(self, **overrides: Any) -> "Config":
        """Readable overrides, applied on the resolved config:

        - ``args`` (list), ``env`` (the whole environment, a dict), ``cwd``;
        - ``binds``: host paths to add, read-only at the same path, or
          ``(source, target)`` pairs, or dicts with ``source``, ``target``,
          ``writable``; ``tmpfs``: targets or ``(target, size)`` pairs;
        - ``network`` ("none" or "host"), ``seccomp`` (a policy name, file or
          profile dict), ``hostname``, ``capabilities``;
        - ``memory`` (bytes or "512M"), ``pids``, ``cpu`` (cores), ``time``
          (seconds), ``optional_limits`` (limits the run may go without);
          None removes a limit."""
        if not overrides:
            return self
        resolved = self.to_dict()
        changed: Dict[str, Any] = {}
        for key, value in overrides.items():
            apply = _OVERRIDES.get(key)
            if apply is None:
                raise TypeError("unknown override %r (there are: %s)" % (key, ", ".join(OVERRIDES)))
            apply(resolved, changed, value)
        return self.update(changed)

    def bind(self, source: PathLike, target: Optional[PathLike] = None, *, writable: bool = False) -> "Config":
        """Add a bind of the host path ``source`` at ``target`` (default: the same
        path), read-only unless ``writable``."""
        return self.set(binds=[{"source": source, "target": target, "writable": writable}])

    def tmpfs(self, target: str, size: Union[None, str, int] = None) -> "Config":
        """Add a tmpfs at ``target`` ("64M", "25%" of RAM; None: the kernel's default)."""
        return self.set(tmpfs=[(target, size) if size is not None else target])

    def setenv(self, name: str, value: Optional[str]) -> "Config":
        """Set one environment variable (None removes it)."""
        env = dict(self.env)
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
        return self.set(env=env)

    def check(self) -> None:
        """What ``cleanroom check`` does: raises ConfigError with the same
        messages, including the seccomp policy's compilation."""
        lib = _native.lib()
        try:
            self._native.check(_native.default_options())
        except lib.Error as exc:
            raise _config_error(exc) from None

    def explain(self) -> Dict[str, Any]:
        """What a sandbox of this config can reach (``cleanroom check
        --explain --json``): paths, sockets under binds, devices, network,
        refused syscall groups, limits and ``weak_spots``; a plugin host can
        refuse a plugin config that exceeds its own rules. Raises
        ConfigError as check() does."""
        lib = _native.lib()
        try:
            text = self._native.explain(_native.default_options())
        except lib.Error as exc:
            raise _config_error(exc) from None
        return dict(json.loads(text))

    @property
    def args(self) -> List[str]:
        return list(self.to_dict()["process"]["args"])

    @property
    def env(self) -> Dict[str, str]:
        return dict(self.to_dict()["process"].get("env", {}))

    @property
    def cwd(self) -> Optional[str]:
        return self.to_dict()["process"].get("cwd")

    def __repr__(self) -> str:
        return "<cleanroom.Config %s>" % self.to_json()


def resolve(config: Union[None, PathLike, Mapping[str, Any], Config], overrides: Mapping[str, Any]) -> Config:
    """The config of one run: a copy of ``config`` (or the default) with
    ``overrides``; the caller's object is never changed."""
    cfg = Config(config) if not isinstance(config, Config) else config.copy()
    return cfg.set(**overrides) if overrides else cfg


def host_binds(cfg: Config) -> List[Tuple[str, str]]:
    """(source, target) of the config's binds."""
    fs: Sequence[Mapping[str, Any]] = cfg.to_dict().get("filesystem", []) or []
    return [(e["source"], e["target"]) for e in fs if e.get("type") == "bind"]


def visible_at_same_path(path: str, binds: Iterable[Tuple[str, str]]) -> bool:
    """Whether the host path is in the sandbox at the same path through one of
    the binds (a folder bound at its own path covers what is below it)."""
    for source, target in binds:
        if source == target and (path == source or path.startswith(source.rstrip("/") + "/")):
            return True
    return False
