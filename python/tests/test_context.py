# SPDX-License-Identifier: MIT
"""cleanroom.get_context: multiprocessing with children that start from
scratch in sandboxes. Each scenario is a main script of its own (as
multiprocessing programs are), run with this interpreter."""
import os
import shutil
import tempfile

import cleanroom

PRELUDE = """
import os, sys, signal, time, json
import multiprocessing as mp
import cleanroom
"""


def run_main(script, body, *args):
    r = script(PRELUDE + body, *args)
    assert r.returncode == 0, "stdout:\n%s\nstderr:\n%s" % (r.stdout, r.stderr)
    return r.stdout


def test_fork_leaks_the_parent_s_file_cleanroom_does_not(script):
    out = run_main(script, """
f = None
def child():
    print(f, flush=True)
if __name__ == '__main__':
    f = open(__file__)
    for ctx in (mp.get_context("fork"), cleanroom.get_context()):
        p = ctx.Process(target=child)
        p.start(); p.join()
        print("exit", p.exitcode, flush=True)
""")
    lines = out.splitlines()
    assert lines[0].startswith("<_io.TextIOWrapper name=") and lines[1] == "exit 0"
    assert lines[2:] == ["None", "exit 0"]


def test_exit_codes_follow_multiprocessing(script):
    out = run_main(script, """
def code(n):
    sys.exit(n)
def killed():
    os.kill(os.getpid(), signal.SIGKILL)
def raises():
    raise RuntimeError("in the child")
def waits():
    time.sleep(30)
if __name__ == '__main__':
    ctx = cleanroom.get_context()
    res = []
    for target, args in ((code, (0,)), (code, (3,)), (killed, ()), (raises, ())):
        p = ctx.Process(target=target, args=args)
        p.start(); p.join(30)
        res.append(p.exitcode)
    p = ctx.Process(target=waits)
    p.start()
    assert p.is_alive() and p.pid > 0
    p.terminate(); p.join(30)
    res.append(p.exitcode)
    p = ctx.Process(target=waits, daemon=True)
    p.start(); p.kill(); p.join(30)
    res.append(p.exitcode)
    p.close()
    print(json.dumps(res))
""")
    assert out.splitlines()[-1] == "[0, 3, -9, 1, -15, -9]"


def test_primitives(script):
    out = run_main(script, """
def work(q, sq, conn, lock, event, sem, value, array, barrier):
    with lock:
        value.value += 1
    array[0] = 42
    event.wait(10)
    with sem:
        q.put(("queue", os.getpid()))
    sq.put("simple")
    conn.send(("pipe", conn.recv() * 2))
    barrier.wait(10)
if __name__ == '__main__':
    ctx = cleanroom.get_context()
    q, sq = ctx.Queue(), ctx.SimpleQueue()
    here, there = ctx.Pipe()
    lock, event, sem = ctx.Lock(), ctx.Event(), ctx.Semaphore(1)
    value, array = ctx.Value("i", 0), ctx.Array("i", 3)
    barrier = ctx.Barrier(2)
    p = ctx.Process(target=work, args=(q, sq, there, lock, event, sem, value, array, barrier))
    p.start()
    event.set()
    here.send(21)
    got = [q.get(timeout=20), sq.get(), here.recv()]
    barrier.wait(20)
    p.join(20)
    print(json.dumps([got[0][0], got[1], got[2], value.value, array[0], p.exitcode]))
""")
    assert out.split("\n")[-2] == '["queue", "simple", ["pipe", 42], 1, 42, 0]'


def test_more_primitives(script):
    out = run_main(script, """
def work(jq, rlock, cond, shared):
    with rlock:
        with rlock:
            shared.value = 5
    with cond:
        cond.notify_all()
    jq.put("joinable")
if __name__ == '__main__':
    ctx = cleanroom.get_context()
    jq, rlock, cond = ctx.JoinableQueue(), ctx.RLock(), ctx.Condition()
    shared = ctx.Value("d", 0.0)
    p = ctx.Process(target=work, args=(jq, rlock, cond, shared))
    with cond:
        p.start()
        cond.wait(20)
    item = jq.get(timeout=20)
    jq.task_done()
    jq.join()
    p.join(20)
    print(json.dumps([item, shared.value, p.exitcode]))
""")
    assert out.splitlines()[-1] == '["joinable", 5.0, 0]'


def test_pool_and_process_pool_executor(script):
    out = run_main(script, """
from concurrent.futures import ProcessPoolExecutor
def square(x):
    return x * x
def whoami(_):
    return os.getuid(), os.environ.get("CLEANROOM_TEST_SECRET")
if __name__ == '__main__':
    os.environ["CLEANROOM_TEST_SECRET"] = "leak"
    ctx = cleanroom.get_context()
    with ctx.Pool(2) as pool:
        a = pool.map(square, range(10))
        b = pool.apply_async(square, (12,)).get(30)
        c = sorted(set(pool.map(whoami, range(4))))
    with ProcessPoolExecutor(2, mp_context=ctx) as ex:
        d = list(ex.map(square, range(5)))
    print(json.dumps([a, b, c, d]))
""")
    a, b, c, d = __import__("json").loads(out.splitlines()[-1])
    assert a == [x * x for x in range(10)] and b == 144 and d == [0, 1, 4, 9, 16]
    assert c == [[1000 if os.geteuid() == 0 else os.geteuid(), None]]


def test_only_the_given_shared_objects_are_visible(script):
    out = run_main(script, """
from multiprocessing import shared_memory
def look(lock, shm):
    shm.buf[0] = 7
    print(json.dumps(sorted(os.listdir("/dev/shm"))), flush=True)
if __name__ == '__main__':
    ctx = cleanroom.get_context()
    given, other = ctx.Lock(), ctx.Lock()
    shm = shared_memory.SharedMemory(create=True, size=16)
    p = ctx.Process(target=look, args=(given, shm))
    p.start(); p.join(30)
    names = ["sem." + given._semlock.name.lstrip("/"), shm.name.lstrip("/")]
    print(json.dumps(sorted(names)))
    print(shm.buf[0], p.exitcode)
    shm.close(); shm.unlink()
""")
    seen, expected, last = out.splitlines()[-3:]
    assert seen == expected and last == "7 0"


def test_what_cannot_work_says_so(script):
    out = run_main(script, """
if __name__ == '__main__':
    ctx = cleanroom.get_context()
    try:
        ctx.Manager()
    except cleanroom.Unsupported as e:
        print("unsupported:", e)
    try:
        cleanroom.get_context(network="bogus")
    except cleanroom.ConfigError as e:
        print("config:", e)
    ctx = cleanroom.get_context({"limits": {"pids": 10, "cgroup_parent": "/no-such-cgroup"}})
    p = ctx.Process(target=print)
    try:
        p.start()
    except cleanroom.SetupError as e:
        print("setup:", e)
""")
    assert "unsupported: a multiprocessing Manager does not work" in out
    assert "config: " in out and "$.network" in out
    assert "setup: " in out and "/no-such-cgroup" in out


def test_children_see_no_host_state(script):
    elsewhere = tempfile.mkdtemp(prefix="cleanroom-secret-")  # not the script's folder, which is visible
    os.chmod(elsewhere, 0o755)
    secret = os.path.join(elsewhere, "secret.txt")
    with open(secret, "w") as f:
        f.write("s3cret")
    os.chmod(secret, 0o644)
    try:
        out = run_main(script, """
def child(path):
    try:
        open(path).read()
        print("read it", flush=True)
    except OSError as e:
        print(type(e).__name__, flush=True)
    print(json.dumps(sorted(os.environ)), flush=True)
if __name__ == '__main__':
    os.environ["CLEANROOM_TEST_SECRET"] = "leak"
    ctx = cleanroom.get_context()
    p = ctx.Process(target=child, args=(sys.argv[1],))
    p.start(); p.join(30)
""", secret)
    finally:
        shutil.rmtree(elsewhere)
    lines = out.splitlines()
    assert lines[0] == "FileNotFoundError" and "CLEANROOM_TEST_SECRET" not in lines[1]
