# SPDX-License-Identifier: MIT
"""`cleanroom check --explain [--json]` (issue 14): what a sandbox of a
config can reach, and its weak spots, on the example configs and on configs
with each weak spot: a writable bind, network host, seccomp none, no pids,
memory or time limit, and a bound folder holding a listening unix socket,
which a real sandbox then connects to through its read-only bind. As root
and as uid 65534."""

import glob
import json
import os
import socket
import subprocess
import threading
import unittest

from crtest import CLEANROOM, LAUNCHER_ENV, RUN_TIMEOUT, SandboxTest, expected_host_uid

EXAMPLES = os.environ.get("CR_E2E_EXAMPLES", "")
LIMIT_SPOTS = {"no-time-limit", "no-memory-limit", "no-pids-limit"}
ALL_LIMITS = ("--time", "30s", "--memory", "256M", "--pids", "64")


def kinds(explained):
    return {w["kind"] for w in explained["weak_spots"]}


def path_entry(explained, target):
    found = [p for p in explained["paths"] if p["target"] == target]
    return found[0] if found else None


class ExplainTest(SandboxTest):

    def cr(self, *args, cwd=None):
        p = subprocess.run([CLEANROOM] + list(args), capture_output=True, text=True, timeout=RUN_TIMEOUT,
                           cwd=cwd or self.tmp, env=dict(LAUNCHER_ENV), stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout, p.stderr

    def explain(self, *args, cwd=None):
        rc, out, err = self.cr("check", "--explain", "--json", *args, cwd=cwd)
        self.assertEqual(rc, 0, err)
        got = json.loads(out)
        self.assert_shape(got)
        return got

    def assert_shape(self, got):
        for key in ("config", "identity", "paths", "devices", "fds", "network", "namespaces", "seccomp",
                    "capabilities", "limits", "weak_spots"):
            self.assertIn(key, got)
        self.assertEqual(got["paths"][0], {"target": "/", "type": "root", "writable": False})
        self.assertEqual(got["identity"]["host_uid"], expected_host_uid())
        for p in got["paths"]:
            self.assertIn(p["type"], ("root", "bind", "tmpfs", "proc", "dev", "devpts", "symlink", "file"))
            if p["type"] == "bind" and p["present"]:
                for key in ("source", "sockets", "sockets_total", "scan_complete", "unlisted_dirs"):
                    self.assertIn(key, p)
        sc = got["seccomp"]
        names = sc["refused_groups"] + sc["partly_refused_groups"] + sc["allowed_groups"]
        self.assertEqual(sorted(names), sorted(g["group"] for g in sc["groups"]))
        for w in got["weak_spots"]:
            self.assertEqual(set(w), {"kind", "detail"})


class Examples(ExplainTest):

    def example_configs(self):
        if not EXAMPLES:
            self.skipTest("CR_E2E_EXAMPLES is not set (run through run_e2e.py)")
        found = sorted(glob.glob(os.path.join(EXAMPLES, "config", "*.json")) +
                       glob.glob(os.path.join(EXAMPLES, "examples", "*.json")) +
                       glob.glob(os.path.join(EXAMPLES, "examples", "*", "*.json")))
        self.assertGreaterEqual(len(found), 4, found)
        return found

    def test_every_example_config(self):
        for cfg in self.example_configs():
            with self.subTest(cfg=cfg):
                got = self.explain(cfg, cwd=os.path.dirname(cfg))
                with open(cfg) as f:
                    raw = json.load(f)
                # every bind of the file is there, as the file says
                for e in raw.get("filesystem", []):
                    if e["type"] == "bind":
                        p = path_entry(got, e["target"])
                        self.assertIsNotNone(p, e)
                        self.assertEqual(p["writable"], e.get("writable", False))
                        self.assertEqual("writable-bind" in kinds(got), any(
                            b.get("writable") for b in raw["filesystem"] if b["type"] == "bind"))
                policy = raw.get("seccomp", "default")
                if policy in ("default", "strict"):
                    self.assertIn("mount", got["seccomp"]["refused_groups"])
                    self.assertIn("bpf", got["seccomp"]["refused_groups"])
                limits = raw.get("limits", {})
                self.assertEqual("no-time-limit" in kinds(got), not limits.get("time_ms"))
                self.assertEqual("no-pids-limit" in kinds(got), not limits.get("pids"))
                self.assertEqual("no-memory-limit" in kinds(got), not limits.get("memory"))

    def test_the_plugin_example(self):
        cfg = os.path.join(EXAMPLES, "config", "plugin.json") if EXAMPLES else ""
        if not os.path.exists(cfg):
            self.skipTest("no config/examples/plugin.json")
        got = self.explain(cfg)
        self.assertEqual(got["seccomp"]["policy"], "strict")
        self.assertEqual(got["network"]["mode"], "none")
        self.assertFalse(got["network"]["host_abstract_sockets"])
        self.assertEqual(got["limits"]["pids"], 16)
        self.assertEqual(got["limits"]["optional"], ["cpu"])
        self.assertEqual(got["limits"]["unbounded"], [])
        self.assertEqual(got["weak_spots"], [])
        self.assertEqual(path_entry(got, "/work")["type"], "tmpfs")
        self.assertIn("/dev/null", got["devices"])


class WeakSpots(ExplainTest):

    def test_the_default_has_no_limits_and_refuses_mount_and_bpf(self):
        got = self.explain()
        self.assertTrue(LIMIT_SPOTS <= kinds(got), got["weak_spots"])
        self.assertEqual(got["limits"]["unbounded"], ["time", "memory", "pids", "cpu"])
        sc = got["seccomp"]
        self.assertEqual(sc["policy"], "default")
        for group in ("mount", "bpf", "namespaces", "kernel-modules", "keyring"):
            self.assertIn(group, sc["refused_groups"])
        mount = [g for g in sc["groups"] if g["group"] == "mount"][0]
        self.assertEqual(mount["syscalls"]["mount"], "refused")
        self.assertEqual(got["network"]["mode"], "none")
        self.assertNotIn("network-host", kinds(got))
        self.assertNotIn("seccomp-none", kinds(got))
        self.assertNotIn("writable-bind", kinds(got))
        # /dev: the nodes the launcher binds, and a private pts
        for node in ("null", "zero", "full", "random", "urandom", "tty", "pts/ptmx"):
            self.assertIn("/dev/" + node, got["devices"])

    def test_all_limits_set(self):
        got = self.explain(*ALL_LIMITS)
        self.assertEqual(kinds(got) & LIMIT_SPOTS, set())
        self.assertEqual(got["limits"]["unbounded"], ["cpu"])
        self.assertEqual((got["limits"]["time_ms"], got["limits"]["memory"], got["limits"]["pids"]),
                         (30000, 256 << 20, 64))

    def test_each_missing_limit(self):
        for i, spot in enumerate(("no-time-limit", "no-memory-limit", "no-pids-limit")):
            flags = list(ALL_LIMITS[:2 * i] + ALL_LIMITS[2 * i + 2:])
            with self.subTest(spot=spot):
                self.assertEqual(kinds(self.explain(*flags)) & LIMIT_SPOTS, {spot})

    def test_writable_bind(self):
        rw = self.make_dir("rw")
        ro = self.make_dir("ro")
        got = self.explain("--bind", rw + ":/rw", "--ro-bind", ro + ":/ro", *ALL_LIMITS)
        self.assertTrue(path_entry(got, "/rw")["writable"])
        self.assertFalse(path_entry(got, "/ro")["writable"])
        spots = [w for w in got["weak_spots"] if w["kind"] == "writable-bind"]
        self.assertEqual(len(spots), 1, spots)
        self.assertIn(rw + " -> /rw", spots[0]["detail"])

    def test_network_host(self):
        got = self.explain("--network", "host", *ALL_LIMITS)
        self.assertEqual(got["network"]["mode"], "host")
        self.assertTrue(got["network"]["host_abstract_sockets"])
        self.assertIn("net", got["namespaces"]["shared"])
        self.assertEqual(kinds(got), {"network-host"})

    def test_seccomp_none(self):
        got = self.explain("--seccomp", "none", *ALL_LIMITS)
        sc = got["seccomp"]
        self.assertEqual(sc["policy"], "none")
        self.assertEqual(sc["refused_groups"], [])
        self.assertEqual(sc["partly_refused_groups"], [])
        self.assertIn("mount", sc["allowed_groups"])
        self.assertEqual(kinds(got), {"seccomp-none"})

    def test_the_text_names_the_weak_spots(self):
        rw = self.make_dir("rw")
        rc, out, err = self.cr("check", "--explain", "--bind", rw + ":/rw", "--network", "host", "--seccomp", "none")
        self.assertEqual(rc, 0, err)  # weak spots are not errors
        self.assertIn("weak spots:", out)
        for kind in ("writable-bind", "network-host", "seccomp-none", "no-time-limit", "no-memory-limit",
                     "no-pids-limit"):
            self.assertIn("  %s: " % kind, out)
        self.assertIn("/rw", out)
        rc, out, err = self.cr("check", "--explain", *ALL_LIMITS)
        self.assertEqual(rc, 0, err)
        self.assertIn("refused: mount, ", out)
        self.assertIn("weak spots: none", out)

    def test_usage(self):
        rc, out, err = self.cr("check", "--json")
        self.assertEqual(rc, 125, out)
        self.assertIn("--explain", err)
        rc, out, err = self.cr("run", "--explain", "--", "true")
        self.assertEqual(rc, 125, out)
        self.assertEqual(out, "")
        rc, out, err = self.cr("check", "--explain", "--seccomp", self.path("missing.json"))
        self.assertEqual(rc, 125, out)
        self.assertEqual(out, "")


class SocketUnderBind(ExplainTest):

    def listen(self, path, mode):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.bind(path)
        os.chmod(path, mode)
        s.listen(4)
        s.settimeout(RUN_TIMEOUT)
        return s

    def test_a_listening_socket_in_a_read_only_bind(self):
        folder = self.make_dir("shared")
        deep = self.make_dir("shared/a/b")
        server = self.listen(os.path.join(deep, "s.sock"), 0o777)
        got = self.explain("--ro-bind", folder + ":/shared", "--ro-bind", os.path.join(deep, "s.sock") + ":/one.sock",
                           *ALL_LIMITS)
        bound = path_entry(got, "/shared")
        self.assertFalse(bound["writable"])
        self.assertTrue(bound["scan_complete"])
        self.assertEqual(bound["sockets_total"], 1)
        self.assertEqual(bound["sockets"], [{"path": "/shared/a/b/s.sock", "source": os.path.join(deep, "s.sock"),
                                             "connectable": True}])
        one = path_entry(got, "/one.sock")
        self.assertEqual([s["path"] for s in one["sockets"]], ["/one.sock"])
        spots = [w["detail"] for w in got["weak_spots"] if w["kind"] == "socket-under-bind"]
        self.assertEqual(len(spots), 2, got["weak_spots"])
        self.assertTrue(spots[0].startswith("/shared/a/b/s.sock (host %s)" % os.path.join(deep, "s.sock")), spots)
        self.assertEqual(kinds(got), {"socket-under-bind"})

        # why it is a weak spot: the sandbox connects through the read-only bind
        received = []

        def serve():
            try:
                conn, _ = server.accept()
                with conn:
                    received.append(conn.recv(64))
            except OSError as e:
                received.append(e)
        t = threading.Thread(target=serve)
        t.start()
        rc, out, err = self.cr("run", "--ro-bind", folder + ":/shared", "--", "/usr/bin/python3", "-c",
                               "import socket; s = socket.socket(socket.AF_UNIX); "
                               "s.connect('/shared/a/b/s.sock'); s.sendall(b'from the sandbox')")
        t.join(RUN_TIMEOUT)
        self.assertEqual(rc, 0, err)
        self.assertEqual(received, [b"from the sandbox"])

    def test_a_socket_the_sandbox_may_not_connect_to(self):
        folder = self.make_dir("shared")
        self.listen(os.path.join(folder, "private.sock"), 0o700)
        got = self.explain("--ro-bind", folder + ":/shared", *ALL_LIMITS)
        sockets = path_entry(got, "/shared")["sockets"]
        self.assertEqual([s["path"] for s in sockets], ["/shared/private.sock"])
        # as root the sandbox is uid 65534, which a 0700 socket of root's keeps out
        self.assertEqual(sockets[0]["connectable"], os.getuid() != 0)
        self.assertEqual("socket-under-bind" in kinds(got), os.getuid() != 0)

    def test_many_sockets_and_a_folder_it_cannot_list(self):
        folder = self.make_dir("many")
        for i in range(25):
            self.listen(os.path.join(folder, "s%02d.sock" % i), 0o777)
        self.make_dir("many/closed", 0o711)  # enterable, not listable (to anyone but its owner)
        got = self.explain("--ro-bind", folder + ":/many", *ALL_LIMITS)
        bound = path_entry(got, "/many")
        self.assertEqual(bound["sockets_total"], 25)
        self.assertEqual(len(bound["sockets"]), 20)
        self.assertEqual(bound["unlisted_dirs"], 1 if os.getuid() == 0 else 0)
        details = [w["detail"] for w in got["weak_spots"] if w["kind"] == "socket-under-bind"]
        self.assertEqual(len(details), 21)
        self.assertIn("25 unix sockets", details[-1])

    def test_the_walk_opens_no_more_than_the_sandbox_may(self):
        """The walk is the sandbox's host identity's: a symlink out of the
        bound tree is not followed, a /proc magic link as the source is
        refused, and a folder that identity may not read shows nothing."""
        outside = self.make_dir("outside")
        self.listen(os.path.join(outside, "away.sock"), 0o777)
        tree = self.make_dir("tree")
        os.symlink(outside, os.path.join(tree, "link"))
        got = self.explain("--ro-bind", tree + ":/tree", *ALL_LIMITS)
        bound = path_entry(got, "/tree")
        self.assertEqual((bound["sockets"], bound["sockets_total"]), ([], 0), bound)
        got = self.explain("--ro-bind", "/proc/self/root:/r", *ALL_LIMITS)
        self.assertFalse(path_entry(got, "/r")["present"], path_entry(got, "/r"))
        # as root the sandbox is uid 65534: a 0700 folder of root's; as an
        # ordinary user, /root, another user's
        if os.getuid() == 0:
            private = self.make_dir("private", 0o700)
            self.listen(os.path.join(private, "mine.sock"), 0o777)
        else:
            private = "/root"
            self.assertFalse(os.access(private, os.R_OK), "/root is readable by this user: no test")
        got = self.explain("--ro-bind", private + ":/private", *ALL_LIMITS)
        bound = path_entry(got, "/private")
        self.assertEqual((bound["sockets"], bound["sockets_total"]), ([], 0), bound)

    def test_a_socket_name_cannot_forge_the_listing(self):
        """The plugin's folder names its files: a newline or an escape
        sequence in one must not add a line to the text or drive the
        terminal, and the JSON stays valid UTF-8."""
        folder = self.make_dir("plugin")
        self.listen(os.path.join(folder.encode(), b"a\nweak spots: none\n\x1b[8m\xff"), 0o777)
        rc, out, err = self.cr("check", "--explain", "--ro-bind", folder + ":/plugin", *ALL_LIMITS)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("\x1b", out)
        self.assertEqual([l for l in out.splitlines() if l.startswith("weak spots:")], ["weak spots:"])
        self.assertIn("/plugin/a\\x0aweak spots: none\\x0a\\x1b[8m\\xff", out)
        got = self.explain("--ro-bind", folder + ":/plugin", *ALL_LIMITS)
        self.assertEqual(path_entry(got, "/plugin")["sockets"][0]["path"], "/plugin/a\nweak spots: none\n\x1b[8m\\xff")


if __name__ == "__main__":
    unittest.main()
