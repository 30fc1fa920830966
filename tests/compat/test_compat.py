# SPDX-License-Identifier: MIT
"""What developers run works in the built-in default sandbox (issue 17):
real programs, nobody's test doubles, started with `cleanroom run -- CMD`
as root and as uid 65534. And what allowing them opens stays shut: the
payload can attach to, read or write neither the sandbox's init nor
anything outside the sandbox."""

import json
import os
import shutil
import subprocess
import textwrap
import unittest

from crtest import CLEANROOM, LAUNCHER_ENV, SandboxTest

TIMEOUT = 120


def need(*tools):
    for tool in tools:
        if not shutil.which(tool, path="/usr/bin:/bin:/usr/sbin:/sbin"):
            raise unittest.SkipTest("%s is not installed (scripts/install-deps.sh installs it)" % tool)


class CompatTest(SandboxTest):

    def cr(self, *args, binds=(), timeout=TIMEOUT):
        """`cleanroom run [--ro-bind B]... -- ARGS`: a CompletedProcess (text)."""
        cmd = [CLEANROOM, "run"]
        for b in binds:
            cmd += ["--ro-bind", b]
        cmd += ["--time", "%ds" % (timeout - 10), "--"] + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.tmp,
                              env=dict(LAUNCHER_ENV), stdin=subprocess.DEVNULL)

    def sh(self, script, **kw):
        return self.cr("/bin/sh", "-c", script, **kw)

    def python(self, script, **kw):
        return self.cr("/usr/bin/python3", "-c", textwrap.dedent(script), **kw)

    def ok(self, p, what):
        self.assertEqual(p.returncode, 0, "%s: exit %d\nstdout: %s\nstderr: %s"
                         % (what, p.returncode, p.stdout[-2000:], p.stderr[-2000:]))
        return p.stdout

    def folder(self, name):
        d = self.make_dir(name)
        os.chmod(d, 0o755)
        return d


class Debuggers(CompatTest):

    def build(self, source, *flags):
        need("gcc")
        d = self.folder("src")
        with open(os.path.join(d, "prog.c"), "w") as f:
            f.write(source)
        exe = os.path.join(d, "prog")
        subprocess.run(["gcc", "-g", "-o", exe, os.path.join(d, "prog.c")] + list(flags), check=True,
                       capture_output=True)
        os.chmod(exe, 0o755)
        return d, exe

    def test_address_sanitizer_binary_and_its_leak_check(self):
        """LeakSanitizer attaches with ptrace at exit: a clean ASan binary
        exits 0, a leaking one is reported and exits 1."""
        d, exe = self.build(textwrap.dedent("""\
            #include <stdio.h>
            #include <stdlib.h>
            void *keep;
            int main(int argc, char **argv) {
              char *p = malloc(64);
              p[0] = 1;
              if (argc > 1) { p = NULL; } else { free(p); }
              puts("done");
              return 0;
            }"""), "-fsanitize=address")
        self.assertIn("done", self.ok(self.cr(exe, binds=[d]), "ASan binary"))
        leak = self.cr(exe, "leak", binds=[d])
        self.assertEqual(leak.returncode, 1, leak.stderr)
        self.assertIn("detected memory leaks", leak.stderr)
        self.assertNotIn("does not work under ptrace", leak.stderr)

    def test_strace_follows_a_child(self):
        need("strace")
        out = self.sh("strace -f -qq -e trace=execve,exit_group -o /tmp/trace sh -c '/bin/true; exit 3';"
                      " echo status=$?; cat /tmp/trace")
        text = self.ok(out, "strace")
        self.assertIn("status=3", text)
        self.assertIn('execve("/bin/true"', text)

    def test_gdb_runs_and_attaches(self):
        need("gdb")
        d, exe = self.build("int main(void) { volatile int x = 41; return x + 1; }\n")
        run = self.ok(self.cr("gdb", "-q", "-batch", "-ex", "run", exe, binds=[d]), "gdb run")
        self.assertIn("exited with code 052", run)
        attach = self.ok(self.sh("sleep 60 & pid=$!; gdb -q -batch -p $pid -ex 'info proc' 2>&1;"
                                 " kill $pid"), "gdb -p")
        self.assertIn("exe = '/usr/bin/sleep'", attach)


class Terminals(CompatTest):

    def test_script_gets_a_pty(self):
        need("script")
        out = self.ok(self.sh("script -qec tty /dev/null"), "script")
        self.assertRegex(out, r"/dev/pts/\d+")

    def test_python_pty_fork(self):
        out = self.ok(self.python("""
            import os, pty, sys
            pid, fd = pty.fork()
            if pid == 0:
                print("tty", os.ttyname(0), os.getsid(0) == os.getpid(), flush=True)
                os._exit(0)
            data = b""
            while True:
                try:
                    chunk = os.read(fd, 1024)
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
            os.waitpid(pid, 0)
            print(data.decode().strip())
            """), "pty.fork")
        self.assertRegex(out, r"tty /dev/pts/\d+ True")


class ErrnoAndIds(CompatTest):

    def test_setarch_R_is_refused_with_eperm(self):
        need("setarch")
        p = self.cr("setarch", "-R", "/bin/true")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Operation not permitted", p.stderr)
        self.assertNotIn("Function not implemented", p.stderr)

    def test_setting_the_clock_is_refused_by_the_kernel(self):
        out = self.ok(self.python("""
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            buf = ctypes.create_string_buffer(512)   # struct timex, modes 0: read only
            print("read", libc.adjtimex(buf) >= 0)
            ctypes.memmove(buf, (ctypes.c_uint * 1)(0x0001), 4)  # ADJ_OFFSET
            r = libc.adjtimex(buf)
            print("set", r, os.strerror(ctypes.get_errno()))
            """), "adjtimex")
        self.assertIn("read True", out)
        self.assertIn("set -1 Operation not permitted", out)


    def test_unmapped_files_are_not_the_sandbox_users(self):
        """Unmapped host files show the overflow id (65534) as owner: the
        sandbox's own uid is another one, so ownership checks (test -O,
        git's safe.directory, ssh) answer right."""
        if os.getuid() == 65534:
            self.skipTest("the caller is uid 65534, the overflow id itself: its one mapped id is that one")
        out = self.ok(self.sh("id -u; test -O /etc/passwd && echo owns-passwd || echo not-owner"), "ids")
        uid, verdict = out.split()
        self.assertNotEqual(int(uid), 65534)
        self.assertEqual(verdict, "not-owner")


    def test_other_ids_answer_eperm(self):
        """chown, setuid and setgroups to another id: EPERM (no capability),
        as programs expect, not EINVAL (no such id): a root caller maps the
        sandbox's other ids to a range of host ids nothing runs as."""
        if os.getuid() != 0:
            self.skipTest("an ordinary caller without subordinate ids maps its own ids only "
                          "(test_an_ordinary_users_subordinate_ids shows a granted one)")
        out = self.ok(self.python("""
            import os
            open("/tmp/f", "w").close()
            for name, call in (("chown", lambda: os.chown("/tmp/f", 2000, 2000)),
                               ("chown_root", lambda: os.chown("/tmp/f", 0, 0)),
                               ("setuid", lambda: os.setuid(0)),
                               ("setgid", lambda: os.setgid(2000)),
                               ("setgroups", lambda: os.setgroups([2000]))):
                try:
                    call()
                    print(name, "ok")
                except OSError as e:
                    print(name, e.strerror)
            print("maps", open("/proc/self/uid_map").read().split())
            """), "other ids")
        for name in ("chown", "chown_root", "setuid", "setgid", "setgroups"):
            self.assertIn("%s Operation not permitted" % name, out)
        # the sandbox user on host 65534, the others on the reserved range
        self.assertIn("'1000', '65534', '1'", out)
        self.assertIn("'0', '2147352576', '1000'", out)

    def test_an_ordinary_users_subordinate_ids(self):
        """An ordinary user that /etc/subuid and /etc/subgid grant ids to gets
        them for the sandbox's other ids, through newuidmap/newgidmap: chown
        to another id answers EPERM. Shown as uid 65534 with a grant in a
        private mount namespace (the host's /etc/subuid is not touched)."""
        if os.getuid() != 0:
            self.skipTest("needs root to give uid 65534 a grant in a private mount namespace")
        need("newuidmap", "newgidmap", "unshare", "setpriv")
        d = self.folder("subids")
        for name, who in (("subuid", "nobody"), ("subgid", "65534")):  # by name, and by number
            with open(os.path.join(d, name), "w") as f:
                f.write("someone:300000:65536\n%s:200000:65536\n" % who)
            os.chmod(os.path.join(d, name), 0o644)
        script = ("mount --bind %s/subuid /etc/subuid && mount --bind %s/subgid /etc/subgid && "
                  "exec setpriv --reuid 65534 --regid 65534 --clear-groups -- %s run -- /bin/sh -c "
                  "'cat /proc/self/uid_map; touch /tmp/f; chown 5 /tmp/f 2>&1; id -u'" % (d, d, CLEANROOM))
        env = dict(LAUNCHER_ENV)
        env.pop("CLEANROOM_CACHE_DIR", None)  # the suite's cache belongs to root
        env["CLEANROOM_CACHE_DIR"] = ""
        p = subprocess.run(["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script],
                           capture_output=True, text=True, env=env, cwd=self.tmp, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("Operation not permitted", p.stdout)
        rows = [line.split() for line in p.stdout.splitlines() if len(line.split()) == 3]
        self.assertIn(["0", "200000", "65534"], rows, p.stdout)
        self.assertIn(["65534", "65534", "1"], rows, p.stdout)

    def test_the_range_can_be_changed_or_turned_off(self):
        if os.getuid() != 0:
            self.skipTest("the id range is a root caller's")
        env = dict(LAUNCHER_ENV, CLEANROOM_ID_RANGE="none")
        p = subprocess.run([CLEANROOM, "run", "--", "cat", "/proc/self/uid_map"], capture_output=True,
                           text=True, env=env, cwd=self.tmp, timeout=TIMEOUT)
        self.assertEqual(p.stdout.split(), ["1000", "65534", "1"], p.stderr)
        for value, says in (("bogus", "CLEANROOM_ID_RANGE: bogus: expected BASE:COUNT"),
                            ("0:100", "must not hold host id 0"),
                            ("60000:10000", "65534 is in the id range 60000:10000")):
            env = dict(LAUNCHER_ENV, CLEANROOM_ID_RANGE=value)
            p = subprocess.run([CLEANROOM, "run", "--", "true"], capture_output=True, text=True, env=env,
                               cwd=self.tmp, timeout=TIMEOUT)
            self.assertEqual(p.returncode, 125, (value, p.stderr))
            self.assertIn(says, p.stderr)


class Network(CompatTest):

    def test_ping_loopback(self):
        need("ping")
        out = self.ok(self.cr("ping", "-c1", "-W5", "127.0.0.1"), "ping")
        self.assertIn("1 received", out)


class Folders(CompatTest):

    def test_var_tmp_and_run_are_writable(self):
        out = self.ok(self.sh("mkdir /var/tmp/x && echo a > /var/tmp/x/f && cat /tmp/x/f &&"
                              " mkdir -p /run/user/app && echo run-ok"), "folders")
        self.assertIn("a\nrun-ok", out)

    def test_lscpu_with_the_cpu_topology_bound(self):
        need("lscpu")
        without = self.cr("lscpu")
        self.assertNotEqual(without.returncode, 0, "lscpu ran without /sys: the test cannot show the opt-in")
        out = self.ok(self.cr("lscpu", binds=["/sys/devices/system/cpu"]), "lscpu")
        self.assertIn("CPU(s):", out)
        self.assertIn("CPU(s):                                  %d" % os.cpu_count(), out.replace("\t", " "))


# What the payload runs as while attacking; run as a file so that the
# interpreter's own argv shows nothing.
ATTACK = r"""
import ctypes, errno, json, os
libc = ctypes.CDLL(None, use_errno=True)
PTRACE_ATTACH, PTRACE_SEIZE, PTRACE_DETACH = 16, 0x4206, 17
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
def err(r):
    return "ok" if r >= 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
def attack(pid):
    out = {}
    ctypes.set_errno(0)
    r = libc.ptrace(PTRACE_ATTACH, pid, None, None)
    out["ptrace_attach"] = err(r)
    if r >= 0:
        libc.ptrace(PTRACE_DETACH, pid, None, None)
    r = libc.ptrace(PTRACE_SEIZE, pid, None, None)
    out["ptrace_seize"] = err(r)
    if r >= 0:
        libc.ptrace(PTRACE_DETACH, pid, None, None)
    buf = ctypes.create_string_buffer(8)
    local = iovec(ctypes.cast(buf, ctypes.c_void_p), 8)
    remote = iovec(0x400000, 8)
    out["vm_readv"] = err(libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0))
    out["vm_writev"] = err(libc.process_vm_writev(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0))
    for name, mode in (("mem", os.O_RDONLY), ("mem_write", os.O_WRONLY), ("environ", os.O_RDONLY)):
        path = "/proc/%d/%s" % (pid, "mem" if name.startswith("mem") else name)
        try:
            os.close(os.open(path, mode))
            out[name] = "ok"
        except OSError as e:
            out[name] = errno.errorcode.get(e.errno, str(e.errno))
    return out
visible = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
print(json.dumps({"me": os.getpid(), "visible": visible, "init": attack(1)}))
"""


class Reachability(CompatTest):
    """ptrace and process_vm_* are allowed: only the sandbox's own processes
    may be their targets, and never its init."""

    def test_the_init_cannot_be_attached_read_or_written(self):
        d = self.folder("attack")
        with open(os.path.join(d, "attack.py"), "w") as f:
            f.write(ATTACK)
        os.chmod(os.path.join(d, "attack.py"), 0o644)
        got = json.loads(self.ok(self.cr("/usr/bin/python3", os.path.join(d, "attack.py"), binds=[d]),
                                 "attack").strip().splitlines()[-1])
        for step, result in got["init"].items():
            self.assertNotEqual(result, "ok", "the payload could %s the init: %s" % (step, got))
        # Nothing else is there to attack: the launcher and its helper are
        # outside the pid namespace, which holds only the init and the payload.
        self.assertEqual(got["visible"], [1, got["me"]], got)

    def test_traceme_does_not_end_the_run(self):
        """A payload that makes the init its tracer (PTRACE_TRACEME, as some
        anti-debugging code does) reports its signal stops to the init: they
        are not its end. The init lets it go on with its signal."""
        out = self.python("""
            import ctypes, os, signal, sys
            libc = ctypes.CDLL(None, use_errno=True)
            got = []
            signal.signal(signal.SIGUSR1, lambda *a: got.append(1))
            print("traceme", libc.ptrace(0, 0, None, None), flush=True)
            os.kill(os.getpid(), signal.SIGUSR1)
            print("handler ran:", bool(got), flush=True)
            sys.exit(5)
            """)
        self.assertEqual(out.returncode, 5, out.stdout + out.stderr)
        self.assertIn("traceme 0", out.stdout)
        self.assertIn("handler ran: True", out.stdout)

    def test_a_payload_may_trace_its_own_child(self):
        """The control: the same calls work on the payload's own child, so the
        refusals above are the init's protection, not a filter's."""
        out = self.ok(self.python("""
            import ctypes, os, signal, errno
            libc = ctypes.CDLL(None, use_errno=True)
            pid = os.fork()
            if pid == 0:
                signal.pause()
                os._exit(0)
            r = libc.ptrace(0x4206, pid, None, None)   # PTRACE_SEIZE
            print("seize", r, errno.errorcode.get(ctypes.get_errno()))
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            """), "trace own child")
        self.assertIn("seize 0", out)


if __name__ == "__main__":
    unittest.main()
