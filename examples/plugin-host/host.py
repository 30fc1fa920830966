#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A plugin host that runs each plugin through cleanroom (Python stdlib only).

    host.py CLEANROOM

Each plugin is a folder under plugins/ with its code and its own cleanroom
config (plugin.json). The host talks to a plugin in JSON lines over a
socketpair. It first shows what a plugin started with a plain fork finds of
the host, next to what the same plugin code finds under cleanroom; then it
runs three misbehaving plugins (crash, hang, hog) while the good plugin keeps
answering, and says from each run report how the bad ones ended.
"""
import importlib.util
import json
import multiprocessing
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # the fork demo imports a plugin; leave no __pycache__ in it


class Channel:
    """JSON lines over a socket: one request line, one reply line."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def send(self, obj):
        self.sock.sendall((json.dumps(obj) + "\n").encode())

    def receive(self, timeout):
        """The next reply; None when the plugin is gone (EOF); TimeoutError
        when nothing came within `timeout` seconds."""
        while b"\n" not in self.buf:
            if not select.select([self.sock], [], [], timeout)[0]:
                raise TimeoutError
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def ask(self, obj, timeout=5.0):
        self.send(obj)
        return self.receive(timeout)


class SandboxedPlugin:
    """A plugin run as `cleanroom run plugins/NAME/plugin.json --report ...`."""

    def __init__(self, cleanroom, name, workdir):
        self.name = name
        self.report_path = os.path.join(workdir, name + "-report.json")
        host_end, plugin_end = socket.socketpair()
        # The plugin's end is cleanroom's stdin, a fixed fd, so that plugin.json
        # can stay a static file: its {"fd": 3, "inherit": 0} makes it the
        # plugin's fd 3. close_fds=False hands cleanroom every inheritable fd
        # of the host on purpose: what reaches the plugin is up to cleanroom.
        self.proc = subprocess.Popen(
            [cleanroom, "run", os.path.join(HERE, "plugins", name, "plugin.json"),
             "--report", self.report_path],
            stdin=plugin_end, close_fds=False)
        plugin_end.close()
        self.channel = Channel(host_end)

    def finish(self):
        """Close the channel, wait for cleanroom, return the run report."""
        self.channel.sock.close()
        self.proc.wait(timeout=30)
        with open(self.report_path) as f:
            return json.load(f)


def start_forked(name):
    """The same plugin code in a plain multiprocessing fork child of the host."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, "plugins", name, "plugin.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    host_end, plugin_end = socket.socketpair()

    def child():
        host_end.close()  # or the child never sees EOF when the host closes its end
        module.serve(plugin_end)

    proc = multiprocessing.get_context("fork").Process(target=child, daemon=True)
    proc.start()
    plugin_end.close()
    return proc, Channel(host_end)


def verdict(r):
    """One line on how a run ended, from its cleanroom report."""
    memory = (r.get("cgroup") or {}).get("memory")
    if r["setup_failed"]:
        text = "cleanroom could not start it: %s" % r["error"]
    elif r["oom_killed"]:
        text = "killed by the kernel's OOM killer at its memory limit (cgroup %s)" % memory
    elif r["time_limit_hit"]:
        text = "stopped by its time limit after %d ms" % r["wall_ms"]
        if memory == "not applied":
            text += " (its memory limit could not be applied here: no writable cgroup)"
    elif r["signal"]:
        text = "died of signal %d (%s)" % (r["signal"], signal.Signals(r["signal"]).name)
    else:
        text = "exited with status %d" % r["exit_code"]
    facts = ["%s=%s" % (k, json.dumps(r[k])) for k in
             ("exit_code", "signal", "oom_killed", "time_limit_hit", "wall_ms", "max_rss_kb")]
    facts.append("cgroup.memory=%s" % json.dumps(memory))
    return "%s\n    report: %s" % (text, " ".join(facts))


def describe_fds(seen, kind):
    """The host's open file or listening socket among what a plugin saw."""
    for e in seen["fds"]:
        if kind == "file" and e["target"].endswith("/host-secret.txt"):
            return "fd %d %s" % (e["fd"], e["target"])
        if kind == "listener" and e.get("listening"):
            return "fd %d listening on %s" % (e["fd"], e.get("address", "?"))
    return "none"


def describe_withheld(report, kind):
    """What the run report says cleanroom kept from the plugin (its audit's
    "withheld": fds with kind and target, variable names, signals)."""
    withheld = report.get("withheld") or {}
    for e in withheld.get("fds", []):
        if kind == "file" and e.get("target", "").endswith("/host-secret.txt"):
            return "fd %d %s" % (e["fd"], os.path.basename(e["target"]))
        if kind == "listener" and e["kind"] == "tcp-listen":
            return "fd %d tcp-listen %s" % (e["fd"], e["address"])
    if kind == "secret":
        return "name listed, no value" if "PLUGIN_HOST_SECRET" in withheld.get("env", []) else "-"
    if kind == "sigint":
        return "SIGINT listed" if "SIGINT" in withheld.get("signals", {}).get("ignored", []) else "-"
    return "-"


def main():
    cleanroom = sys.argv[1]
    workdir = tempfile.mkdtemp(prefix="plugin-host-")

    # What a typical host holds when it starts a plugin. Both fds are made
    # inheritable, as in a C host that forgot O_CLOEXEC.
    secret_file = open(os.path.join(workdir, "host-secret.txt"), "w+")
    os.set_inheritable(secret_file.fileno(), True)
    listener = socket.create_server(("127.0.0.1", 0))
    os.set_inheritable(listener.fileno(), True)
    os.environ["PLUGIN_HOST_SECRET"] = "db-password-hunter2"
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    forked, forked_ch = start_forked("good")
    good = SandboxedPlugin(cleanroom, "good", workdir)
    seen = {"fork": forked_ch.ask({"op": "look"}), "cleanroom": good.channel.ask({"op": "look"})}
    forked_ch.sock.close()
    forked.join(5)

    # The misbehaving plugins, one after the other. While the host waits for
    # each, it keeps sending the good plugin work.
    served = 0
    for name in ("crash", "hang", "hog"):
        print("== plugin %s" % name)
        bad = SandboxedPlugin(cleanroom, name, workdir)
        bad.channel.send({"op": "work"})
        answered = 0
        while True:
            served += 1
            reply = good.channel.ask({"op": "add", "a": served, "b": 1})
            if reply != {"sum": served + 1}:
                sys.exit("the good plugin stopped answering: %r" % (reply,))
            answered += 1
            try:
                if bad.channel.receive(timeout=0.2) is None:
                    break  # the sandbox is gone: its end of the socket closed
                print("  unexpected reply from %s" % name)
            except TimeoutError:
                pass
        print("plugin %s: %s" % (name, verdict(bad.finish())))
        print("  meanwhile the good plugin answered %d request(s)" % answered)

    print("== plugin good")
    print("  still answering: add(40, 2) = %s" % good.channel.ask({"op": "add", "a": 40, "b": 2})["sum"])
    report = good.finish()
    print("plugin good: %s" % verdict(report))

    # The good plugin's report says what cleanroom withheld from it: the
    # third column, next to what each plugin found.
    print("== what a plugin finds of its host (same plugin code, two ways to start it)")
    rows = [
        ("open file", lambda s: describe_fds(s, "file"), "file"),
        ("listening socket", lambda s: describe_fds(s, "listener"), "listener"),
        ("PLUGIN_HOST_SECRET", lambda s: repr(s["secret"]) if s["secret"] else "not set", "secret"),
        ("SIGINT ignored", lambda s: "yes" if s["sigint_ignored"] else "no", "sigint"),
    ]
    print("  %-19s| %-52s| %-10s| %s" % ("", "multiprocessing fork", "cleanroom", "cleanroom report: withheld"))
    for label, show, kind in rows:
        print("  %-19s| %-52s| %-10s| %s" % (label, show(seen["fork"]), show(seen["cleanroom"]),
                                             describe_withheld(report, kind)))
    secret_file.close()
    listener.close()
    for f in os.listdir(workdir):
        os.unlink(os.path.join(workdir, f))
    os.rmdir(workdir)


if __name__ == "__main__":
    main()
