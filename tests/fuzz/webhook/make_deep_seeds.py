#!/usr/bin/env python3
"""Writes fuzz seeds for hostile shapes into DIR: the shared default AdmissionReview with a value nested
100,000 levels deep in the spec, the metadata, a container and an env entry, a huge array of small
objects, and thousands of keys. Generated (not committed) because each is ~200 KB.
Usage: make_deep_seeds.py REVIEW.json DIR"""
import json
import os
import sys

review_path, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
base = json.load(open(review_path))
DEEP = "[" * 100_000 + "]" * 100_000


def seed(name, place, inner):
    review = json.loads(json.dumps(base))
    pod = review["request"]["object"]
    target = {"spec": pod["spec"], "metadata": pod["metadata"],
              "container": pod["spec"]["containers"][0],
              "env": pod["spec"]["containers"][0].setdefault("env", [{"name": "A"}])[0]}[place]
    target["x"] = "@@MARK@@"
    text = json.dumps(review, separators=(",", ":")).replace('"@@MARK@@"', inner)
    open(os.path.join(out, f"seed-{name}"), "w").write(text)


for place in ("spec", "metadata", "container", "env"):
    seed(f"deep-{place}", place, DEEP)
seed("many-objects", "spec", "[" + ",".join(["{}"] * 60_000) + "]")
seed("many-keys", "spec", "{" + ",".join(f'"k{i}":{i}' for i in range(20_000)) + "}")
