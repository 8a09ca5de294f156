#!/usr/bin/env bash
# The real HTTPS server against hostile clients: bodies nested 100,000 levels deep in each part of a
# review, huge arrays, a million small objects, thousands of keys, sent by several clients at once
# while a well-formed review must keep getting its patch; a flood of connections and of slow bodies
# hitting the connection and in-flight caps (a review waits for a slot, probes need none); the peak RSS must stay under the chart's memory limit.
# Usage: hostile_test.sh path/to/jobtrail-webhook
set -euo pipefail
source "$(dirname "$0")/server_setup.sh" hostile "$1"
# The chart's limit for the webhook container, from values.yaml (one source).
limit_mib=$(python3 -c 'import sys,yaml; v=yaml.safe_load(open(sys.argv[1]))["webhook"]["resources"]["limits"]["memory"]
assert v.endswith("Mi"), v; print(int(v[:-2]))' "$src/charts/jobtrail/values.yaml")

port=$((20000 + RANDOM % 20000))
# A sanitizer build keeps freed memory in quarantine (256 MiB by default): keep it small so the peak
# RSS says what the server itself holds.
ASAN_OPTIONS=${ASAN_OPTIONS:-}:quarantine_size_mb=4:thread_local_quarantine_size_kb=64 \
  "$bin" --listen 127.0.0.1:$port --tls-cert tls.crt --tls-key tls.key --config config.json --threads 2 \
  --log-level warn >log 2>&1 &
pid=$!
for _ in $(seq 100); do curl -s --cacert tls.crt "https://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
kill -0 $pid || fail "server did not start"

python3 - "$port" tls.crt "$review" <<'PY' || fail "hostile clients"
import http.client, json, socket, ssl, sys, threading, time
port, ca, review_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
good = open(review_path, "rb").read()
base = json.loads(good)

def review_with(place, inner):
    r = json.loads(good)
    pod = r["request"]["object"]
    c = pod["spec"]["containers"][0]
    target = {"spec": pod["spec"], "metadata": pod["metadata"], "containers": c,
              "env": c.setdefault("env", [{"name": "A"}])[0]}[place]
    target["x"] = "@@MARK@@"
    return json.dumps(r, separators=(",", ":")).replace('"@@MARK@@"', inner).encode()

deep = "[" * 100_000 + "]" * 100_000
bodies = {f"deep-{p}": review_with(p, deep) for p in ("spec", "metadata", "containers", "env")}
bodies["deep-objects"] = review_with("spec", '{"a":' * 50_000 + "1" + "}" * 50_000)
bodies["huge-array"] = review_with("spec", "[" + ",".join(["1"] * 1_400_000) + "]")       # ~2.8 MiB
bodies["small-objects"] = b"[" + b",".join([b"{}"] * 1_000_000) + b"]"                     # ~3 MiB
bodies["many-keys"] = review_with("spec", "{" + ",".join(f'"k{i}":{i}' for i in range(150_000)) + "}")
for name, b in bodies.items():
    assert len(b) < 3 << 20, (name, len(b))

def post(conn, body):
    conn.request("POST", "/mutate", body, {"Content-Type": "application/json"})
    r = conn.getresponse()
    return r.status, r.read()

# Each hostile body alone, with a well-formed review on the same connection after it.
conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
for name, body in bodies.items():
    status, text = post(conn, body)
    assert status in (400, 413), (name, status, text[:100])
    assert text.count(b"\n") == 1 and text.endswith(b"\n"), (name, text[:200])
    status, text = post(conn, good)
    assert status == 200 and b'"patch"' in text, (name, status, text[:200])
    print(f"{name:14} {len(body) >> 10:5} KiB -> {post(conn, body)[1].decode().strip()[:70]}")

# Over the body limit: 413 with one line, before the body is read.
big = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1")
big.sendall(b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n[" % ((3 << 20) + 1))
big.settimeout(10)
answer = big.recv(4096)
assert answer.startswith(b"HTTP/1.1 413") and answer.split(b"\r\n\r\n", 1)[1].count(b"\n") == 1, answer
big.close()

# Four hostile clients at once for 8 s; the well-formed review must be answered throughout.
stop = time.time() + 8
errors, hostile_sent, good_latencies = [], [0], []
def hostile(names):
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
    while time.time() < stop:
        for n in names:
            try:
                s, _ = post(c, bodies[n])
                if s not in (400, 413, 503): errors.append((n, s))
                hostile_sent[0] += 1
            except Exception as e:
                c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
threads = [threading.Thread(target=hostile, args=(ns,)) for ns in
           (["small-objects", "deep-spec"], ["many-keys", "deep-env"], ["huge-array", "deep-metadata"],
            ["deep-objects", "deep-containers"])]
for t in threads: t.start()
c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
while time.time() < stop:
    t0 = time.time()
    try:
        s, text = post(c, good)
    except Exception as e:
        errors.append(("good", repr(e))); c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30); continue
    good_latencies.append(time.time() - t0)
    if s != 200 or b'"patch"' not in text:
        errors.append(("good", s))
    time.sleep(0.05)
for t in threads: t.join()
good_latencies.sort()
print(f"under attack: {hostile_sent[0]} hostile bodies, {len(good_latencies)} good reviews, "
      f"max {good_latencies[-1]*1000:.0f} ms")
assert not errors, errors[:5]
assert len(good_latencies) >= 20 and hostile_sent[0] >= 8
# 503 on a good review is allowed only while slow bodies hold every slot (below); here none may wait long.
assert good_latencies[-1] < 5, good_latencies[-1]

# Slow bodies: each connection sends headers announcing 3 MiB and then nothing. Eight hold the request
# slots; the others, and a well-formed review, wait with their bodies unread; /healthz needs no slot and
# answers at once. Once the slow clients go, the waiting review is answered.
slow = []
for i in range(10):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1")
    s.sendall(b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3000000\r\n\r\n[")
    slow.append(s)
time.sleep(0.5)
h = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
t0 = time.time(); h.request("GET", "/metrics"); m = h.getresponse().read().decode()
assert time.time() - t0 < 1
assert "jobtrail_webhook_requests_in_flight 8\n" in m, [l for l in m.split("\n") if "in_flight" in l]
h.request("GET", "/healthz"); assert h.getresponse().status == 200
waited = {}
def good_review():
    t = time.time()
    waited["status"] = post(http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=20), good)[0]
    waited["seconds"] = time.time() - t
g = threading.Thread(target=good_review); g.start()
time.sleep(1)
assert "status" not in waited, "a review was read although every slot was taken"
for s in slow: s.close()
g.join()
print(f"slow bodies: 8 slots held, a good review waited {waited['seconds']:.1f} s and got {waited['status']}")
assert waited["status"] == 200 and waited["seconds"] < 3, waited

# A connection flood: beyond the cap connections are closed at once, and the server recovers.
flood = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
time.sleep(0.5)
for f in flood: f.close()
time.sleep(0.5)
assert post(http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10), good)[0] == 200
PY

curl -s --cacert tls.crt "https://127.0.0.1:$port/metrics" > metrics
for limit in json_depth json_values body_size in_flight connections; do
  grep -q "jobtrail_webhook_limit_rejections_total{limit=\"$limit\"}" metrics || fail "metric for limit $limit"
done
grep -q '^jobtrail_webhook_open_connections ' metrics || fail "open connections gauge"
grep -q '^jobtrail_webhook_requests_in_flight 0' metrics || fail "in-flight gauge not back to 0"
kill -0 $pid || fail "server died"
hwm=$(awk '$1 == "VmHWM:" { print int($2 / 1024) }' /proc/$pid/status)
echo "peak RSS $hwm MiB (chart limit $limit_mib MiB)"
(( hwm < limit_mib )) || fail "peak RSS $hwm MiB over the chart's limit of $limit_mib MiB"
echo "webhook hostile-client test: all passed"
