#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The man pages against what they describe: every key of
config/schema.json (and every value of its enums) in cleanroom.json(5),
no key there that the schema does not have; every command, quick-run flag
and CLEANROOM_* variable of the CLI in cleanroom(1); and both pages render
without a groff warning. A key or flag added without its documentation
fails here."""
import json
import os
import re
import shutil
import subprocess
import sys

SRC = sys.argv[1]
errors = []


def read(path):
    with open(os.path.join(SRC, path), encoding="utf-8") as f:
        return f.read()


def plain(roff):
    """The page's words, without roff escapes (\\- is a hyphen)."""
    for escape, char in (("\\-", "-"), ("\\(em", "-"), ("\\(dq", '"'), ("\\&", "")):
        roff = roff.replace(escape, char)
    return roff


def schema_keys():
    schema = json.loads(read("config/schema.json"))

    def resolve(node):
        while "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
        return node

    keys, enums = set(), {}

    def walk(node, path):
        node = resolve(node)
        for branch in ("oneOf", "anyOf", "allOf"):
            for sub in node.get(branch, []):
                walk(sub, path)
        for value in node.get("enum", []) + ([node["const"]] if "const" in node else []):
            if isinstance(value, str):
                enums.setdefault(path, set()).add(value)
        if "items" in node:
            walk(node["items"], path + "[]")
        for name, sub in node.get("properties", {}).items():
            child = path + "." + name if path else name
            keys.add(child)
            walk(sub, child)

    walk(schema, "")
    return keys, enums


def check_config_page():
    page = read("man/cleanroom.json.5")
    text = plain(page)
    documented = set(re.findall(r"^\.TP\n\.B (\S+)$", page, re.M))
    keys, enums = schema_keys()
    rlimit = re.compile(r"^limits\.rlimits\.([A-Z]+)(\.(soft|hard))?$")
    for key in sorted(keys):
        m = rlimit.match(key)
        if m:  # one entry for the object; each resource named in it
            if not re.search(r"\b%s\b" % m.group(1), text):
                errors.append("cleanroom.json.5: rlimit %s not named" % m.group(1))
            continue
        if key not in documented:
            errors.append("cleanroom.json.5: key %s has no .TP/.B entry" % key)
    for key in sorted(documented - keys):
        errors.append("cleanroom.json.5: documents %s, which config/schema.json does not have" % key)
    for path, values in sorted(enums.items()):
        for value in sorted(values):
            if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(value), text):
                errors.append("cleanroom.json.5: value %r of %s not named" % (value, path or "(top)"))


def check_command_page():
    page = plain(read("man/cleanroom.1"))
    cli = read("cli/cli.c") + read("cli/flags.c")
    commands = set(re.findall(r'strcmp\(cmd, "([a-z]+)"\) == 0\) return cmd_', cli))
    flags = set(re.findall(r'\{"(--[a-z-]+)", (?:true|false)\}', cli))
    flags |= set(re.findall(r'strcmp\(arg, "(--[a-z-]+)"\) == 0', cli))  # --report, --explain, --json...
    variables = set(re.findall(r"CLEANROOM_[A-Z_]+", cli))
    if not commands or not flags or not variables:
        errors.append("cleanroom.1: could not read the commands, flags or variables from cli/ (pattern out of date)")
    for word in sorted(commands | flags | variables):
        if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(word), page):
            errors.append("cleanroom.1: %s not documented" % word)


def check_render():
    if not shutil.which("groff"):
        errors.append("groff not installed (Debian: groff-base)")
        return
    for page in ("man/cleanroom.1", "man/cleanroom.json.5"):
        out = subprocess.run(["groff", "-man", "-ww", "-z", "-Tutf8", os.path.join(SRC, page)],
                             capture_output=True, text=True)
        if out.returncode != 0 or out.stderr.strip():
            errors.append("%s: groff: %s" % (page, out.stderr.strip() or "exit %d" % out.returncode))


check_config_page()
check_command_page()
check_render()
for e in errors:
    print("man_pages: " + e)
sys.exit(1 if errors else 0)
