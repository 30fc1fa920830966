# SPDX-License-Identifier: MIT
"""Config.explain(): what `cleanroom check --explain --json` says, as a dict."""
import json
import os
import subprocess

import pytest

import cleanroom


def test_explain_is_the_cli_s(cli, workdir):
    path = os.path.join(workdir, "run.json")
    rw = os.path.join(workdir, "rw")
    os.mkdir(rw)
    with open(path, "w") as f:
        json.dump({"filesystem": [{"type": "bind", "source": "/usr", "target": "/usr"},
                                  {"type": "bind", "source": rw, "target": "/rw", "writable": True}],
                   "seccomp": "none", "limits": {"time_ms": 1000}}, f)
    got = cleanroom.Config(path).explain()
    r = subprocess.run([cli, "check", "--explain", "--json", path], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert got == json.loads(r.stdout)
    kinds = {w["kind"] for w in got["weak_spots"]}
    assert kinds == {"writable-bind", "seccomp-none", "no-memory-limit", "no-pids-limit"}
    assert got["seccomp"]["refused_groups"] == []


def test_a_plugin_host_refuses_what_exceeds_its_rules():
    explained = cleanroom.Config().set(network="host").explain()
    assert "network-host" in {w["kind"] for w in explained["weak_spots"]}
    assert "mount" in cleanroom.Config().explain()["seccomp"]["refused_groups"]


def test_explain_fails_as_check_does(workdir):
    profile = {"defaultAction": "SCMP_ACT_ERRNO",
               "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                             "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                                      {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}]}
    cfg = cleanroom.Config({"seccomp": profile})
    with pytest.raises(cleanroom.ConfigError):
        cfg.explain()
