# SPDX-License-Identifier: MIT
"""cleanroom.Config: sources, overrides, and the same errors as `cleanroom check`."""
import json
import os
import subprocess

import pytest

import cleanroom


def check_errors(cli, path):
    """What `cleanroom check FILE` says, without its "cleanroom: " prefixes."""
    r = subprocess.run([cli, "check", path], capture_output=True, text=True)
    assert r.returncode == 125, r
    return [line[len("cleanroom: "):] for line in r.stderr.splitlines()]


def test_sources(workdir):
    default = cleanroom.Config()
    assert default.to_dict()["network"] == "none" and default.args == ["/bin/sh"]
    path = os.path.join(workdir, "run.json")
    with open(path, "w") as f:
        json.dump({"hostname": "from-file", "process": {"args": ["/bin/true"]}}, f)
    from_file = cleanroom.Config(path)
    assert from_file.to_dict()["hostname"] == "from-file" and from_file.args == ["/bin/true"]
    # sections the file does not name are the default's
    assert from_file.to_dict()["filesystem"] == default.to_dict()["filesystem"]
    from_dict = cleanroom.Config({"network": "host"})
    assert from_dict.to_dict()["network"] == "host"
    # a copy is independent
    copy = from_dict.copy().set(network="none")
    assert from_dict.to_dict()["network"] == "host" and copy.to_dict()["network"] == "none"
    # the printed config loads to the same
    again = cleanroom.Config.from_json(from_file.to_json())
    assert again.to_dict() == from_file.to_dict()


def test_overrides(workdir):
    cfg = cleanroom.Config().set(memory="64M", pids=32, time=1.5, env={"A": "1"}, cwd="/",
                                 binds=[workdir, {"source": workdir, "target": "/w", "writable": True}],
                                 tmpfs=[("/scratch", "16M")], network="host", seccomp="strict")
    d = cfg.to_dict()
    assert d["limits"]["memory"] == "64M" and d["limits"]["pids"] == 32 and d["limits"]["time_ms"] == 1500
    assert d["limits"]["rlimits"] == cleanroom.Config().to_dict()["limits"]["rlimits"]  # kept
    assert d["process"]["env"] == {"A": "1"} and d["process"]["cwd"] == "/"
    binds = [e for e in d["filesystem"] if e["type"] == "bind"]
    assert {"type": "bind", "source": workdir, "target": workdir} in [
        {k: e[k] for k in ("type", "source", "target")} for e in binds]
    assert any(e["target"] == "/w" and e.get("writable") for e in binds)
    assert any(e["type"] == "tmpfs" and e["target"] == "/scratch" for e in d["filesystem"])
    assert d["network"] == "host" and "net" not in d["namespaces"] and d["seccomp"] == "strict"
    cfg.set(memory=None)
    assert "memory" not in cfg.to_dict()["limits"]
    assert cfg.setenv("B", "2").env == {"A": "1", "B": "2"}
    assert cfg.setenv("A", None).env == {"B": "2"}
    with pytest.raises(TypeError) as info:
        cfg.set(memroy="1G")
    assert "memroy" in str(info.value) and "memory" in str(info.value)


def test_errors_are_check_s(cli, workdir):
    bad = {"hostname": "no spaces", "procss": {}, "fds": [{"fd": -1, "null": True}]}
    path = os.path.join(workdir, "bad.json")
    with open(path, "w") as f:
        json.dump(bad, f)
    with pytest.raises(cleanroom.ConfigError) as info:
        cleanroom.Config(path)
    assert str(info.value).splitlines() == check_errors(cli, path)
    assert len(str(info.value).splitlines()) == 3
    with pytest.raises(cleanroom.ConfigError) as info:
        cleanroom.Config().set(memory="lots")
    assert "$.limits.memory" in str(info.value)


def test_check_compiles_the_seccomp_profile(cli, workdir):
    profile = {"defaultAction": "SCMP_ACT_ERRNO",
               "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                             "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                                      {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}]}
    cfg = cleanroom.Config({"seccomp": profile})  # loads: its JSON is well-formed
    with pytest.raises(cleanroom.ConfigError) as info:
        cfg.check()  # libseccomp refuses it
    path = os.path.join(workdir, "profile.json")
    with open(path, "w") as f:
        json.dump({"seccomp": profile}, f)
    assert "$.seccomp.syscalls[0].args[1]" in str(info.value)
    assert [line.split(": ", 1)[1] for line in str(info.value).splitlines()] == \
        [line.split(": ", 1)[1] for line in check_errors(cli, path)]
    cleanroom.Config().check()  # the default passes
