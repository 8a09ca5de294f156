#!/usr/bin/env python3
"""Renders charts/jobtrail/templates/webhook-configmap.yaml's config.json for given values,
without helm: a tiny interpreter for exactly the template forms that file uses (variable
assignment, dict, set, include of the image/url helpers, required, if eq/else/end). Anything
else makes it stop with an error, so a template change cannot be silently mis-rendered.
Usage: render_webhook_config.py CHART_DIR [--set path=value ...] > config.json
"""
import json, re, shlex, sys
from pathlib import Path
import yaml

chart = Path(sys.argv[1])
values = yaml.safe_load((chart / "values.yaml").read_text())
chart_meta = yaml.safe_load((chart / "Chart.yaml").read_text())
args = sys.argv[2:]
while args:
    flag, assignment = args[0], args[1]; args = args[2:]
    assert flag == "--set", flag
    path, raw = assignment.split("=", 1)
    node = values
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = yaml.safe_load(raw)

def helper(name):
    v = values
    if name == "jobtrail.sidecar.image":
        repo = v["sidecar"]["image"]["repository"] or v["image"]["repository"]
        tag = v["sidecar"]["image"]["tag"] or v["image"]["tag"] or chart_meta["appVersion"]
        return f"{repo}:{tag}"
    if name == "jobtrail.storage.url":
        if not v["storage"]["bucket"]:
            sys.exit("render: storage.bucket is required")
        p = v["storage"]["prefix"]
        return f"s3://{v['storage']['bucket']}/{p}" if p else f"s3://{v['storage']['bucket']}"
    sys.exit(f"render: helper {name} not emulated")

env = {}
def lookup(ref):
    m = re.fullmatch(r"(\.Values|\$\w+)((?:\.\w+)*)", ref)
    if not m:
        sys.exit(f"render: cannot evaluate {ref!r}")
    node = values if m.group(1) == ".Values" else env[m.group(1)]
    for k in filter(None, m.group(2).split(".")):
        node = node[k]
    return node

def parse_expr(tokens):
    """tokens: list from shlex-like split with parentheses as separate tokens."""
    def term():
        t = tokens.pop(0)
        if t == "(":
            fn = tokens.pop(0)
            items = []
            while tokens[0] != ")":
                items.append(term())
            tokens.pop(0)
            return call(fn, items)
        if t.startswith('"'):
            return json.loads(t)
        if t in ("dict", "include", "required"):
            items = []
            while tokens:
                items.append(term())
            return call(t, items)
        if t == ".":
            return "."
        return lookup(t)
    return term()

def call(fn, items):
    if fn == "dict":
        return {items[i]: items[i + 1] for i in range(0, len(items), 2)}
    if fn == "include":
        return helper(items[0])
    if fn == "required":
        if items[1] in ("", None):
            sys.exit(f"render: {items[0]}")
        return items[1]
    sys.exit(f"render: function {fn} not emulated")

def tokenize(s):
    return re.findall(r'"(?:[^"\\]|\\.)*"|\(|\)|[^\s()]+', s)

text = (chart / "templates" / "webhook-configmap.yaml").read_text()
text = re.sub(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", "", text, flags=re.S)
skipping = []   # stack of "is this branch taken"
for m in re.finditer(r"\{\{-?\s*(.*?)\s*-?\}\}", text, re.S):
    body = " ".join(m.group(1).split())
    active = all(skipping)
    if body.startswith("if "):
        mm = re.fullmatch(r'if eq (\S+) "(\w+)"', body) or sys.exit(f"render: cannot evaluate {body!r}")
        skipping.append(active and lookup(mm.group(1)) == mm.group(2)); continue
    if body == "else":
        skipping[-1] = not skipping[-1] and all(skipping[:-1]); continue
    if body == "end":
        skipping.pop(); continue
    if not active:
        continue
    if mm := re.fullmatch(r'\$_ := set (\$\w+) "(\w+)" (.*)', body):
        env[mm.group(1)][mm.group(2)] = parse_expr(tokenize(mm.group(3))); continue
    if mm := re.fullmatch(r"(\$\w+) := (.*)", body):
        env[mm.group(1)] = parse_expr(tokenize(mm.group(2))); continue
    if body.startswith("toPrettyJson $config"):
        json.dump(env["$config"], sys.stdout, indent=2); print(); sys.exit(0)
    # other outputs (names, labels) do not affect the config file
sys.exit("render: no toPrettyJson $config found")
