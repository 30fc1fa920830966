# SPDX-License-Identifier: MIT
"""cleanroom.run and cleanroom.Sandbox: real sandboxes, what the program
sees and how it ended."""
import asyncio
import os
import selectors
import signal
import subprocess
import time

import pytest

import cleanroom


def test_run_captures_and_returncode():
    r = cleanroom.run(["sh", "-c", "echo out; echo err >&2; exit 3"], capture_output=True, text=True)
    assert (r.returncode, r.stdout, r.stderr) == (3, "out\n", "err\n")
    assert r.exit_code == 3 and r.signal is None and not r.setup_failed and r.wall_ms >= 0
    assert r.report["exit_code"] == 3
    with pytest.raises(subprocess.CalledProcessError):
        cleanroom.run(["false"], check=True)


def test_refused_calls_are_named():
    r = cleanroom.run(["/bin/sh", "-c", "/bin/true; exit 3"], seccomp="strict")
    assert r.returncode == 3
    assert [(d["syscall"], d["action"], d["count"]) for d in r.denied] == [("execve", "EPERM", 1)]
    assert cleanroom.run(["true"]).denied == []


def test_audit_says_what_was_withheld(tmp_path, monkeypatch):
    """audit=True: the host's fds, env names and signals the sandbox did not
    get, and the ceilings it did; names only, never a value."""
    secret = "value-" + os.urandom(8).hex()
    monkeypatch.setenv("HOST_DB_PASSWORD", secret)
    db = tmp_path / "db.sqlite"
    db.write_text("x")
    fd = os.open(db, os.O_RDONLY)
    old = signal.signal(signal.SIGUSR2, signal.SIG_IGN)
    try:
        r = cleanroom.run(["sh", "-c", "ls /proc/self/fd; echo ${HOST_DB_PASSWORD-unset}"], capture_output=True,
                          text=True, audit=True)
        plain = cleanroom.run(["true"])
    finally:
        signal.signal(signal.SIGUSR2, old)
        os.close(fd)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0", "1", "2", "3", "unset"]  # ls's own directory fd is 3
    assert {"fd": fd, "kind": "file", "target": str(db)} in r.withheld["fds"]
    assert "HOST_DB_PASSWORD" in r.withheld["env"]
    assert secret not in repr(r.report)
    assert "SIGUSR2" in r.withheld["signals"]["ignored"]
    assert isinstance(r.carried["rlimits"], dict)
    # captured: the sandbox's 0-2 are the job's pipes, so this process's own 0-2 are withheld
    assert {1, 2} <= {e["fd"] for e in r.withheld["fds"]}
    assert "withheld" not in plain.report and "carried" not in plain.report
    with pytest.raises(TypeError):
        cleanroom.run(["true"], audit=True, options=object())


def test_run_input_and_bytes():
    r = cleanroom.run(["cat"], input=b"\x00binary\xff", capture_output=True)
    assert r.stdout == b"\x00binary\xff"
    r = cleanroom.run(["tr", "a-z", "A-Z"], input="text", capture_output=True, text=True)
    assert r.stdout == "TEXT"


def test_signal_is_negative_returncode():
    r = cleanroom.run(["sh", "-c", "kill -9 $$"])
    assert r.returncode == -9 and r.signal == 9


def test_the_sandbox_is_fresh(workdir):
    # an fd of ours, an environment variable and a file of ours: none of it there
    secret = os.path.join(workdir, "secret")
    with open(secret, "w") as f:
        f.write("s3cret")
    fd = os.open(secret, os.O_RDONLY)
    os.set_inheritable(fd, True)
    os.environ["CLEANROOM_TEST_SECRET"] = "leak"
    try:
        r = cleanroom.run(["sh", "-c", "ls /proc/self/fd; env; cat %s; id -u" % secret], capture_output=True,
                          text=True)
    finally:
        os.close(fd)
        del os.environ["CLEANROOM_TEST_SECRET"]
    assert sorted(r.stdout.split()[:4]) == ["0", "1", "2", "3"]  # ls's own fd 3
    assert "CLEANROOM_TEST_SECRET" not in r.stdout and "s3cret" not in r.stdout
    assert "No such file" in r.stderr
    assert r.stdout.split()[-1] == ("1000" if os.geteuid() == 0 else str(os.geteuid()))


def test_env_cwd_pass_fds_and_overrides(workdir):
    with open(os.path.join(workdir, "x"), "w") as f:
        f.write("bound")
    os.chmod(os.path.join(workdir, "x"), 0o644)
    r_fd, w_fd = os.pipe()
    try:
        r = cleanroom.run(["sh", "-c", "echo $A; pwd; echo via-fd >&7; cat /data/x"], capture_output=True, text=True,
                          env={"A": "1", "PATH": "/usr/bin:/bin"}, cwd="/tmp", pass_fds={7: w_fd},
                          binds=[(workdir, "/data")])
    finally:
        os.close(w_fd)
    with os.fdopen(r_fd) as f:
        assert f.read() == "via-fd\n"
    assert r.stdout.splitlines() == ["1", "/tmp", "bound"]


def test_timeout_ends_the_sandbox():
    t0 = time.monotonic()
    with pytest.raises(cleanroom.TimeoutExpired) as info:
        cleanroom.run(["sh", "-c", "echo started; exec sleep 30"], timeout=0.5, capture_output=True, text=True)
    assert time.monotonic() - t0 < 10
    assert isinstance(info.value, subprocess.TimeoutExpired) and isinstance(info.value, cleanroom.TimeLimitError)
    assert info.value.output == "started\n" and info.value.report["time_limit_hit"]


def test_setup_errors_say_what():
    with pytest.raises(cleanroom.SetupError) as info:
        cleanroom.run(["/no/such/program"])
    assert "/no/such/program" in str(info.value) and info.value.report["exit_code"] == 127
    with pytest.raises(cleanroom.ConfigError) as info:
        cleanroom.Sandbox(["true"], binds=["/no/such/folder"])
    assert "$.filesystem[13].source" in str(info.value) and "/no/such/folder" in str(info.value)
    with pytest.raises(cleanroom.ConfigError) as info:
        cleanroom.run(["true"], network="bogus")
    assert "$.network" in str(info.value)


def test_a_path_the_sandbox_cannot_open(workdir):
    # a folder its host identity cannot enter: refused when the sandbox is made
    private = os.path.join(workdir, "private")
    os.makedirs(os.path.join(private, "inner"))
    os.chmod(private, 0o700 if os.geteuid() == 0 else 0o000)
    try:
        # as root, only the sandbox's identity is refused (at create: SetupError); an
        # ordinary user is refused already when the config is checked (ConfigError)
        expected = cleanroom.SetupError if os.geteuid() == 0 else cleanroom.ConfigError
        with pytest.raises(expected) as info:
            cleanroom.Sandbox(["true"], binds=[os.path.join(private, "inner")])
    finally:
        os.chmod(private, 0o700)
    assert private in str(info.value) and "ermission denied" in str(info.value)
    if os.geteuid() == 0:  # and the note says why root's sandbox cannot read it
        assert "uid 65534" in "\n".join(getattr(info.value, "__notes__", []))


def test_popen_shape():
    sb = cleanroom.Sandbox(["sh", "-c", "trap 'exit 7' TERM; while :; do sleep 0.05; done"])
    try:
        assert sb.poll() is None and sb.pid > 0 and sb.returncode is None
        with pytest.raises(subprocess.TimeoutExpired):
            sb.wait(timeout=0.2)
        time.sleep(0.2)  # the trap is set
        sb.terminate()
        assert sb.wait(timeout=10) == 7
        assert sb.result.exit_code == 7
        sb.kill()  # after the end: nothing
    finally:
        sb.close()
    with pytest.raises(ValueError):
        sb.fileno()


def test_kill_ends_the_whole_sandbox():
    with cleanroom.Sandbox(["sh", "-c", "sleep 30 & sleep 30 & wait"]) as sb:
        sb.kill()
    assert sb.returncode == -9


def test_two_sandboxes_in_one_selector():
    slow = cleanroom.Sandbox(["sleep", "30"])
    fast = cleanroom.Sandbox(["sh", "-c", "exit 4"])
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(slow.fileno(), selectors.EVENT_READ, slow)
            sel.register(fast.fileno(), selectors.EVENT_READ, fast)
            ready = [key.data for key, _ in sel.select(10)]
        assert ready == [fast] and fast.wait() == 4 and slow.poll() is None
        slow.kill()
        assert slow.wait(timeout=10) == -9
    finally:
        slow.close()
        fast.close()


def test_communicate_with_timeout_keeps_output():
    with cleanroom.Sandbox(["sh", "-c", "echo one; sleep 1; echo two"], stdout=cleanroom.PIPE, text=True) as sb:
        with pytest.raises(subprocess.TimeoutExpired):
            sb.communicate(timeout=0.3)
        out, err = sb.communicate(timeout=20)
    assert out == "one\ntwo\n" and err is None


def test_asyncio_await():
    async def main():
        a = cleanroom.Sandbox(["sh", "-c", "sleep 0.3; exit 1"])
        b = cleanroom.Sandbox(["sh", "-c", "exit 2"])
        try:
            return await asyncio.wait_for(asyncio.gather(a, b.wait_async()), 20)
        finally:
            a.close()
            b.close()
    assert asyncio.run(main()) == [1, 2]


def test_signals_of_the_host_do_not_reach_it():
    # SIGINT to us is not forwarded (the library's signal forwarding is off)
    with cleanroom.Sandbox(["sleep", "0.5"]) as sb:
        old = signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        try:
            os.kill(os.getpid(), signal.SIGUSR1)
        finally:
            signal.signal(signal.SIGUSR1, old)
    assert sb.returncode == 0
