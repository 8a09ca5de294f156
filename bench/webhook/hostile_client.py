#!/usr/bin/env python3
"""Hostile clients for bench/webhook.sh: CLIENTS connections post worst-case bodies back to back
(100,000-deep nesting, a million small objects, 150,000 keys) for SECONDS; prints how many were sent.
Usage: hostile_client.py PORT CA_FILE REVIEW.json SECONDS [CLIENTS]"""
import http.client, json, ssl, sys, threading, time

port, ca, review, secs = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
clients = int(sys.argv[5]) if len(sys.argv) > 5 else 4
ctx = ssl.create_default_context(cafile=ca)
r = json.load(open(review))
r["request"]["object"]["spec"]["x"] = "@@"
text = json.dumps(r, separators=(",", ":"))
bodies = [text.replace('"@@"', "[" * 100_000 + "]" * 100_000).encode(),
          b"[" + b",".join([b"{}"] * 1_000_000) + b"]",
          text.replace('"@@"', "{" + ",".join(f'"k{i}":{i}' for i in range(150_000)) + "}").encode()]
stop = time.time() + secs
sent = [0] * clients

def flood(i):
    conn = None
    while time.time() < stop:
        try:
            conn = conn or http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
            conn.request("POST", "/mutate", bodies[(i + sent[i]) % len(bodies)], {"Content-Type": "application/json"})
            conn.getresponse().read()
            sent[i] += 1
        except Exception:
            conn = None

threads = [threading.Thread(target=flood, args=(i,)) for i in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
print(sum(sent))
