# SPDX-License-Identifier: MIT
"""cleanroom.call: a function in a fresh interpreter in a sandbox."""
import os
import signal
import sys

import pytest

import cleanroom
import helpers

ROOT = os.geteuid() == 0


def test_value_and_fresh_state(workdir):
    assert cleanroom.call(helpers.add, 2, b=3) == 5
    helpers.LEAKED = "changed in the parent"
    os.environ["CLEANROOM_TEST_SECRET"] = "leak"
    fd = os.open(workdir, os.O_RDONLY)
    os.set_inheritable(fd, True)
    old_mask = os.umask(0o077)
    signal.signal(signal.SIGUSR2, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
    try:
        seen = cleanroom.call(helpers.what_i_see)
    finally:
        os.close(fd)
        os.umask(old_mask)
        signal.signal(signal.SIGUSR2, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR1])
        del os.environ["CLEANROOM_TEST_SECRET"]
        helpers.LEAKED = "set by the parent only"
    assert seen["leaked"] == "set by the parent only"  # a fresh import, not the parent's module
    assert "CLEANROOM_TEST_SECRET" not in seen["env"]
    assert seen["fds"] == [0, 1, 2, 3, 4]  # stdio, the channel, listdir's own
    # what the parent ignored and blocked is not (Python itself ignores SIGPIPE and SIGXFSZ)
    assert int(seen["sigign"], 16) & ~((1 << (signal.SIGPIPE - 1)) | (1 << (signal.SIGXFSZ - 1))) == 0
    assert seen["umask"] == 0o022 and int(seen["sigblk"], 16) == 0
    assert seen["noprivs"] == "1" and int(seen["capeff"], 16) == 0
    assert seen["uid"] == (1000 if ROOT else os.geteuid()) and seen["pid"] <= 3
    # its own /tmp, holding only the binds of what is on sys.path (this suite's copy)
    assert set(seen["tmp"]) <= {p.split("/")[2] for p in sys.path if p.startswith("/tmp/")}
    assert not any(name.startswith("cleanroom-pytest-") for name in seen["tmp"])  # workdir is not there


def test_the_parent_s_files_are_not_there(workdir):
    secret = os.path.join(workdir, "secret.txt")
    with open(secret, "w") as f:
        f.write("s3cret")
    os.chmod(secret, 0o644)
    with pytest.raises(FileNotFoundError) as info:
        cleanroom.call(helpers.read_file, secret)
    # the note says it exists on the host, and how to bind it
    assert secret in "\n".join(getattr(info.value, "__notes__", []))
    assert cleanroom.call(helpers.read_file, secret, config=cleanroom.Config().bind(workdir)) == "s3cret"


def test_exception_with_the_sandboxed_traceback():
    with pytest.raises(ValueError) as info:
        cleanroom.call(helpers.raise_value_error, "bad input")
    assert str(info.value) == "bad input"
    cause = info.value.__cause__
    assert cause is not None and "raise_value_error" in str(cause) and "helpers.py" in str(cause)


def test_json_results_never_unpickle():
    assert cleanroom.call(helpers.add, [1], [2], result="json") == [1, 2]
    with pytest.raises(cleanroom.RemoteError) as info:
        cleanroom.call(helpers.raise_value_error, "json error", result="json")
    assert info.value.type_name == "ValueError" and info.value.message == "json error"
    assert "raise_value_error" in info.value.traceback
    with pytest.raises(cleanroom.RemoteError) as info:
        cleanroom.call(helpers.unpicklable_result, result="json")
    assert "not JSON" in info.value.message
    with pytest.raises(ValueError):
        cleanroom.call(helpers.add, 1, 2, result="marshal")


def test_json_answers_are_bounded(monkeypatch):
    import cleanroom._child as child
    monkeypatch.setattr(child, "MAX_JSON_ANSWER", 1000)
    with pytest.raises(cleanroom.SandboxError) as info:
        cleanroom.call(helpers.big_text, 5000, result="json")
    assert "1000" in str(info.value)


def test_unpicklable_answers_in_pickle_mode():
    with pytest.raises(TypeError) as info:
        cleanroom.call(helpers.unpicklable_result)
    assert "cannot be pickled" in str(info.value)


def test_no_answer_errors():
    with pytest.raises(cleanroom.TimeLimitError) as info:
        cleanroom.call(helpers.sleep, 30, timeout=0.5)
    assert info.value.report["time_limit_hit"]
    with pytest.raises(cleanroom.CrashError) as info:
        cleanroom.call(helpers.crash)
    assert info.value.signal == signal.SIGSEGV and "SIGSEGV" in str(info.value)
    with pytest.raises(cleanroom.CrashError) as info:
        cleanroom.call(helpers.exit_now, 4)
    assert info.value.exit_code == 4


def test_a_call_the_filter_refused_is_named():
    """What the filter refused or killed at is in the error: often the cause."""
    import json, tempfile
    folder = tempfile.mkdtemp()
    try:
        os.chmod(folder, 0o755)  # the sandbox's host identity reads the profile
        profile = os.path.join(folder, "kill.json")
        with open(profile, "w") as f:
            json.dump({"defaultAction": "SCMP_ACT_ALLOW",
                       "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]}, f)
        os.chmod(profile, 0o644)
        with pytest.raises(cleanroom.CrashError) as info:
            cleanroom.call(os.getppid, config=cleanroom.Config().set(seccomp=profile))
        assert "killed by the seccomp filter at getppid" in str(info.value)
        assert info.value.report["seccomp_killed_at"] == "getppid"
    finally:
        for name in os.listdir(folder):
            os.unlink(os.path.join(folder, name))
        os.rmdir(folder)


def test_memory_limit():
    if ROOT:
        with pytest.raises(cleanroom.MemoryLimitError) as info:
            cleanroom.call(helpers.hog_memory, memory="128M", timeout=60)
        assert info.value.report["oom_killed"]
    else:  # no cgroup an ordinary user may write here: refused, saying so
        with pytest.raises(cleanroom.SetupError) as info:
            cleanroom.call(helpers.hog_memory, memory="128M", timeout=60)
        assert "memory" in str(info.value)


def test_a_function_of_the_main_script(script):
    r = script("""
        import cleanroom
        def square(x):
            return x * x
        if __name__ == "__main__":
            print(cleanroom.call(square, 7))
            try:  # an untrusted child does not get the main script
                cleanroom.call(square, 8, result="json")
            except ValueError as e:
                print("refused")
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["49", "refused"]


def test_unpicklable_functions_fail_at_once():
    with pytest.raises(Exception) as info:
        cleanroom.call(lambda: 1)
    assert "pickle" in type(info.value).__name__.lower() or "pickle" in str(info.value).lower()


def test_setup_errors():
    with pytest.raises(cleanroom.ConfigError):
        cleanroom.call(helpers.add, 1, 2, config={"network": "bogus"})
    with pytest.raises(cleanroom.SetupError) as info:
        cleanroom.call(helpers.add, 1, 2, config={"limits": {"pids": 10, "cgroup_parent": "/no-such-cgroup"}})
    assert "/no-such-cgroup" in str(info.value)


def test_strict_seccomp_is_enough_for_python():
    # one execve (the interpreter's), AF_UNIX only: the channel is a socketpair
    assert cleanroom.call(helpers.add, 1, 2, config={"seccomp": "strict"}) == 3
