#!/usr/bin/env python3
"""values.yaml is the one source of each value's documentation: its comment becomes the schema's
`description` and its value the schema's `default` (cert-manager's style), so editors and
`helm show values` users read the same text. --write updates values.schema.json; --check fails
when they disagree. Usage: schema_docs.py CHART_DIR --check|--write"""
import json, re, sys
from pathlib import Path
import yaml

chart, mode = Path(sys.argv[1]), sys.argv[2]
text = (chart / "values.yaml").read_text()
values = yaml.safe_load(text)
schema_path = chart / "values.schema.json"
schema = json.loads(schema_path.read_text())

def comments_by_path():
    """{key path: comment text} from the comment block right above each key."""
    out, stack, block = {}, [], []
    in_resources = None
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("#"):
            block.append(line)
            continue
        m = re.match(r"^(\s*)([A-Za-z][\w-]*):", line)
        if not m:
            block = []
            continue
        indent = len(m.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, m.group(2)))
        path = tuple(k for _, k in stack)
        if in_resources is not None and indent > in_resources:
            block = []
            continue
        in_resources = indent if m.group(2) == "resources" else None
        starts = [i for i, l in enumerate(block) if l.strip().startswith("# --")]
        lines = block[starts[-1]:] if starts else block
        words = [re.sub(r"^#\s?(--\s)?", "", l.strip()) for l in lines]
        if words:
            out[path] = re.sub(r"\s+", " ", " ".join(words)).strip()
        block = []
    return out

def node_for(path):
    node = schema
    for k in path:
        node = node.get("properties", {}).get(k)
        if node is None:
            return None
    return node

def value_at(path):
    v = values
    for k in path:
        v = v[k]
    return v

problems = []
for path, description in comments_by_path().items():
    node = node_for(path)
    if node is None:
        problems.append(f"{'.'.join(path)}: not in values.schema.json")
        continue
    default = value_at(path)
    # A map's default is the defaults of its keys; only leaves (and empty or resources maps) carry one.
    has_default = not (isinstance(default, dict) and default and path[-1] != "resources")
    if mode == "--write":
        node["description"] = description
        if has_default:
            node["default"] = default
        else:
            node.pop("default", None)
    else:
        if node.get("description") != description:
            problems.append(f"{'.'.join(path)}: schema description differs from the values.yaml comment")
        if has_default and node.get("default") != default:
            problems.append(f"{'.'.join(path)}: schema default {node.get('default')!r} is not values.yaml's {default!r}")
if mode == "--write":
    schema_path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
for p in problems:
    print("FAIL:", p)
print(f"{len(comments_by_path())} keys: schema description and default " + ("written" if mode == "--write" else
      ("agree with values.yaml" if not problems else "disagree")))
sys.exit(1 if problems else 0)
