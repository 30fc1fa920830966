# SPDX-License-Identifier: MIT
"""What a hostile or careless child must not be able to do to the host
(the findings of a review of the package, each a test that failed before
its fix)."""
import os
import sys
import threading
import time

import pytest

import cleanroom
import helpers


def test_children_get_no_host_stdio(capfd):
    # fds 1 and 2 of a call's child are pipes of its own, not ours (a
    # terminal there could be read, or driven); what it prints reaches us
    ours = [list(os.stat(fd)[1:3][::-1]) for fd in (1, 2)]
    theirs = cleanroom.call(helpers.stdio_identity)
    assert not any(t in ours for t in theirs)
    assert cleanroom.call(helpers.print_and_return, "hello") == "hello"
    out, err = capfd.readouterr()
    assert "hello\n" in out and "to stderr\n" in err


def test_untrusted_output_cannot_drive_a_terminal(capfd):
    cleanroom.call(helpers.escape_sequences, result="json")
    out, _ = capfd.readouterr()
    assert "\x1b" not in out and "\x07" not in out and "plain" in out


def test_an_answer_then_no_end_does_not_hang():
    t0 = time.monotonic()
    assert cleanroom.call(helpers.forge_then_sleep, result="json") == "forged"
    with pytest.raises(cleanroom.CrashError):
        cleanroom.call(helpers.close_channel_and_sleep, result="json")
    assert time.monotonic() - t0 < 20


def test_a_retired_worker_that_ignores_the_end_is_ended():
    t0 = time.monotonic()
    ex = cleanroom.SandboxExecutor(1, max_tasks_per_child=1)
    assert ex.submit(helpers.ignore_the_end).result(timeout=30) == "patched"
    assert ex.submit(helpers.add, 1, 2).result(timeout=30) == 3  # a fresh worker
    ex.shutdown(wait=True)
    assert time.monotonic() - t0 < 20


def test_a_spamming_worker_holds_nobody_up():
    from concurrent.futures import wait
    with cleanroom.SandboxExecutor(2) as ex:
        first = ex.submit(helpers.spam_frames)
        # the answer, or (when an empty frame came first) the worker ended for it
        exc = first.exception(timeout=30)
        assert (exc is None and first.result() == "spamming") or isinstance(exc, cleanroom.SandboxError), exc
        t0 = time.monotonic()
        futures = [ex.submit(helpers.add, i, 1) for i in range(20)]
        done, _ = wait(futures, timeout=15)
        assert len(done) == 20 and time.monotonic() - t0 < 15  # nobody held up
        # a task the spammer's worker took may get its garbage, said as such
        # (a worker is as trusted as its least trusted task); it is ended for
        # answering unasked, so the rest are answered
        good = [f.result() for f in futures if f.exception() is None]
        assert all(isinstance(f.exception(), cleanroom.SandboxError) for f in futures if f.exception())
        assert len(good) >= 10 and set(good) <= set(range(1, 21))


def test_an_oversized_answer_ends_only_its_worker():
    with cleanroom.SandboxExecutor(1, result="json", max_answer=1000) as ex:
        with pytest.raises(cleanroom.SandboxError) as info:
            ex.submit(helpers.big_text, 5000).result(timeout=30)
        assert "1000" in str(info.value)
        assert ex.submit(helpers.add, 2, 2).result(timeout=30) == 4  # a fresh worker, not the dead one


def test_json_answers_that_are_no_json():
    # a deep nesting: RecursionError in the host's json.loads, said as the child's fault
    with pytest.raises(cleanroom.SandboxError) as info:
        cleanroom.call(helpers.forge_deep_json, result="json")
    assert "not valid JSON" in str(info.value)


def test_untrusted_children_see_no_project_folder(workdir, script):
    mods = os.path.join(workdir, "mods")
    os.makedirs(mods)
    os.chmod(mods, 0o755)
    with open(os.path.join(mods, "where.py"), "w") as f:
        f.write("import os, sys\n"
                "def where_am_i():\n"
                "    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\n"
                "    return {'cwd': os.getcwd(), 'argv': sys.argv,\n"
                "            'main_py': os.path.exists(os.path.join(top, 'main.py'))}\n")
    os.chmod(os.path.join(mods, "where.py"), 0o644)
    r = script("""
        import json, os, sys
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "mods"))
        import cleanroom, where
        def main_function():
            return 1
        if __name__ == "__main__":
            print(json.dumps(cleanroom.call(where.where_am_i, result="json")))
            print(json.dumps(cleanroom.call(where.where_am_i)))
            try:
                cleanroom.call(main_function, result="json")
            except ValueError as e:
                print("refused:", e)
    """, "secret-arg")
    assert r.returncode == 0, r.stderr
    import json
    lines = r.stdout.splitlines()
    untrusted, trusted = json.loads(lines[0]), json.loads(lines[1])
    assert "secret-arg" not in untrusted["argv"] and "secret-arg" in trusted["argv"]
    assert untrusted["cwd"] != workdir and trusted["cwd"] == workdir
    assert untrusted["main_py"] is False and trusted["main_py"] is True
    assert lines[2].startswith("refused: main_function is defined in the main script")


@pytest.mark.parametrize("folder", ["/", "/tmp"])
def test_a_child_from_any_working_folder(folder, monkeypatch):
    monkeypatch.chdir(folder)
    assert cleanroom.call(helpers.add, 1, 1) == 2


def test_one_sandbox_from_several_threads():
    # multiprocessing polls its children from other threads: no race may lose or free a result
    for _ in range(20):
        sb = cleanroom.Sandbox(["true"])
        errors = []

        def poll():
            try:
                for _ in range(200):
                    sb.poll()
            except ValueError:
                pass  # closed by the other thread: refused, not undefined
            except Exception as e:
                errors.append(e)
        threads = [threading.Thread(target=poll) for _ in range(3)]
        for t in threads:
            t.start()
        assert sb.wait(timeout=20) == 0
        sb.close()
        for t in threads:
            t.join()
        assert not errors, errors
        assert sb.result.setup_failed is False and sb.returncode == 0


def test_a_stdin_pipe_never_blocks_the_host():
    # reads 4 KiB, writes 64 KiB: a blocking write of our input would deadlock
    code = "head -c 4096 >/dev/null; head -c 65536 /dev/zero; cat >/dev/null"
    r = cleanroom.run(["sh", "-c", code], input=b"x" * (1 << 20), capture_output=True, timeout=30)
    assert r.returncode == 0 and len(r.stdout) == 65536


def test_bytes_that_are_no_utf8():
    with pytest.raises(cleanroom.SetupError) as info:
        cleanroom.run([b"/nonexistent-\xff"])
    assert "nonexistent-" in str(info.value)


def test_popen_text_and_stderr_to_stdout():
    with cleanroom.Sandbox(["sh", "-c", "echo out; echo err >&2"], stdout=cleanroom.PIPE, stderr=cleanroom.STDOUT,
                           text=True) as sb:
        assert sb.stdout.read() == "out\nerr\n"
    r = cleanroom.run(["echo", "x"], capture_output=True, universal_newlines=True)
    assert r.stdout == "x\n"
    # stderr=STDOUT without stdout: where the config puts fd 1 (here a pipe of ours)
    rfd, wfd = os.pipe()
    try:
        r = cleanroom.run(["sh", "-c", "echo to-err >&2"], stderr=cleanroom.STDOUT,
                          config={"fds": [{"fd": 1, "inherit": wfd}]})
    finally:
        os.close(wfd)
    with os.fdopen(rfd) as f:
        assert f.read() == "to-err\n" and r.returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands a semaphore to the sandbox's uid")
def test_semaphores_are_given_back(script):
    r = script("""
        import os, cleanroom
        def child(lock):
            with lock:
                pass
        if __name__ == "__main__":
            ctx = cleanroom.get_context()
            lock = ctx.Lock()
            path = "/dev/shm/sem." + lock._semlock.name.lstrip("/")
            p = ctx.Process(target=child, args=(lock,))
            p.start(); p.join(30)
            st = os.stat(path)
            print(p.exitcode, st.st_uid, st.st_gid)
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0", "0", "0"]
