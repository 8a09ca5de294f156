#!/usr/bin/env python3
"""Checks OCSF records (JSON Lines) against OCSF schema files (tests/export/ocsf/).

    check_ocsf.py SCHEMA_DIR RECORDS.jsonl [--expect-classes 1007,4001,...]

Every record must name a class of the schema (class_uid = category uid * 1000 + class uid) with a
matching category_uid and type_uid = class_uid * 100 + activity_id; every attribute must exist
in its class (with the class's parents and included profiles) or object (with its parents);
required attributes must be present, `at_least_one` constraints met, values of the dictionary's
type (integer_t, long_t, timestamp_t, string_t, boolean_t, port_t range, ip_t, arrays, objects),
and enum attributes (activity_id, severity_id, ...) one of their values. Prints one line per
problem and exits 1 when there is any. Standard library only.
"""
import ipaddress
import json
import os
import sys

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


class Schema:
    def __init__(self, root):
        self.root = root
        self.classes = self._load_dir("events")
        self.objects = self._load_dir("objects")
        self.profiles = self._load_dir("profiles")
        with open(os.path.join(root, "dictionary.json")) as f:
            d = json.load(f)
        self.dictionary = d["attributes"]
        self.types = d["types"]["attributes"]
        with open(os.path.join(root, "categories.json")) as f:
            self.categories = json.load(f)["attributes"]
        self.by_uid = {}
        for name, c in self.classes.items():
            if "uid" in c:
                cat = self._category(name)
                self.by_uid[self.categories[cat]["uid"] * 1000 + c["uid"]] = name

    def _load_dir(self, sub):
        out = {}
        for dirpath, _, files in os.walk(os.path.join(self.root, sub)):
            for fn in files:
                if fn.endswith(".json"):
                    with open(os.path.join(dirpath, fn)) as f:
                        j = json.load(f)
                    out[j["name"]] = j
        return out

    def _category(self, name):
        while name:
            c = self.classes[name]
            if "category" in c and c["category"] in self.categories:
                return c["category"]
            name = c.get("extends")
        raise KeyError("class %s has no known category" % name)

    def _merge(self, chain):
        """Attributes of a definition chain (root first), each child refining its parent's;
        enums are unions, as the schema compiler builds them."""
        attrs, constraints = {}, {}
        for d in chain:
            own = d.get("attributes", {})
            for inc in own.get("$include", []):
                prof = self.profiles.get(os.path.splitext(os.path.basename(inc))[0])
                if prof:  # profiles not vendored carry no attribute the export sets
                    for k, v in prof["attributes"].items():
                        attrs.setdefault(k, {}).update(v)
            for k, v in own.items():
                if k == "$include":
                    continue
                cur = attrs.setdefault(k, {})
                enum = dict(cur.get("enum", {}))
                enum.update(v.get("enum", {}))
                cur.update(v)
                if enum:
                    cur["enum"] = enum
            constraints.update(d.get("constraints", {}))
        return attrs, constraints

    def class_definition(self, name):
        chain = []
        while name:
            chain.append(self.classes[name])
            name = self.classes[name].get("extends")
        return self._merge(reversed(chain))

    def object_definition(self, name):
        chain = []
        while name and name != "object":
            if name not in self.objects:
                raise KeyError("object %s not in the schema files" % name)
            chain.append(self.objects[name])
            name = self.objects[name].get("extends")
        return self._merge(reversed(chain))


class Checker:
    def __init__(self, schema):
        self.s = schema
        self.problems = []

    def fail(self, path, what):
        self.problems.append("%s: %s" % (path or "(record)", what))

    def record(self, rec):
        if not isinstance(rec, dict):
            return self.fail("", "not an object")
        cuid = rec.get("class_uid")
        name = self.s.by_uid.get(cuid) if isinstance(cuid, int) else None
        if not name:
            return self.fail("class_uid", "%r is no class of the schema files" % (cuid,))
        if rec.get("category_uid") != cuid // 1000:
            self.fail("category_uid", "%r, class %d is in category %d" % (rec.get("category_uid"), cuid, cuid // 1000))
        act = rec.get("activity_id")
        if isinstance(act, int) and rec.get("type_uid") != cuid * 100 + act:
            self.fail("type_uid", "%r is not class_uid * 100 + activity_id = %d" % (rec.get("type_uid"), cuid * 100 + act))
        attrs, constraints = self.s.class_definition(name)
        # The base event's enums of these two name the base event itself; the schema compiler
        # gives each class its own value, checked above from the class and category files.
        for k in ("class_uid", "category_uid"):
            attrs[k] = {kk: vv for kk, vv in attrs[k].items() if kk != "enum"}
        self.object(rec, attrs, constraints, "")
        return name

    def object(self, value, attrs, constraints, path):
        for k, v in value.items():
            p = path + "." + k if path else k
            if k not in attrs:
                self.fail(p, "not an attribute of this class or object")
                continue
            self.value(v, k, attrs[k], p)
        for k, a in attrs.items():
            if a.get("requirement") == "required" and k not in value:
                self.fail(path + "." + k if path else k, "required attribute missing")
        one = constraints.get("at_least_one")
        if one and not any(k in value for k in one):
            self.fail(path, "needs at least one of %s" % ", ".join(one))

    def value(self, v, name, attr, path):
        d = self.s.dictionary.get(name)
        if d is None:
            return self.fail(path, "not in the dictionary")
        t = attr.get("type", d["type"])
        enum = dict(d.get("enum", {}))
        enum.update(attr.get("enum", {}))
        if d.get("is_array"):
            if not isinstance(v, list):
                return self.fail(path, "should be an array of %s" % t)
            for i, e in enumerate(v):
                self.scalar(e, t, enum, "%s[%d]" % (path, i))
        else:
            self.scalar(v, t, enum, path)

    def scalar(self, v, t, enum, path):
        if t in self.s.objects or t == "object":
            if not isinstance(v, dict):
                return self.fail(path, "should be an object (%s)" % t)
            if t != "object":  # `object` (unmapped) holds anything
                attrs, constraints = self.s.object_definition(t)
                self.object(v, attrs, constraints, path)
            return
        base, rng = t, None
        while base in self.s.types and "type" in self.s.types[base]:
            rng = rng or self.s.types[base].get("range")
            if base == "ip_t":
                if not isinstance(v, str):
                    return self.fail(path, "should be an IP address")
                try:
                    ipaddress.ip_address(v)
                except ValueError:
                    return self.fail(path, "%r is not an IP address" % v)
            base = self.s.types[base]["type"]
        if base not in self.s.types:
            return self.fail(path, "type %s is neither a data type nor an object of the schema files" % t)
        ok = {
            "string_t": lambda x: isinstance(x, str),
            "boolean_t": lambda x: isinstance(x, bool),
            "integer_t": lambda x: isinstance(x, int) and not isinstance(x, bool) and INT32[0] <= x <= INT32[1],
            "long_t": lambda x: isinstance(x, int) and not isinstance(x, bool) and INT64[0] <= x <= INT64[1],
            "float_t": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
            "json_t": lambda x: True,
        }.get(base)
        if ok is None:
            return self.fail(path, "type %s is not checked here" % base)
        if not ok(v):
            return self.fail(path, "%r is not a %s (%s)" % (v, t, base))
        if rng and not rng[0] <= v <= rng[1]:
            self.fail(path, "%r is outside %s" % (v, rng))
        if enum and str(v) not in enum:
            self.fail(path, "%r is not one of %s" % (v, ", ".join(sorted(enum, key=lambda k: int(k) if k.lstrip("-").isdigit() else 0))))


def check_lines(schema, lines):
    """(problems, classes seen) for an iterable of JSON lines."""
    c = Checker(schema)
    seen = set()
    for n, line in enumerate(lines, 1):
        before = len(c.problems)
        try:
            rec = json.loads(line)
        except ValueError as e:
            c.problems.append("line %d: not JSON (%s)" % (n, e))
            continue
        name = c.record(rec)
        if name:
            seen.add(rec["class_uid"])
        c.problems[before:] = ["line %d: %s" % (n, p) for p in c.problems[before:]]
    return c.problems, seen


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    schema = Schema(argv[1])
    with open(argv[2], encoding="utf-8") as f:
        lines = [l for l in f if l.strip()]
    problems, seen = check_lines(schema, lines)
    if "--expect-classes" in argv:
        want = {int(x) for x in argv[argv.index("--expect-classes") + 1].split(",")}
        for missing in sorted(want - seen):
            problems.append("no record of class %d" % missing)
    for p in problems[:50]:
        print(p)
    print("%d records, classes %s: %d problems" % (len(lines), sorted(seen), len(problems)))
    return 1 if problems or not lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
