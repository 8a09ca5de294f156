#!/usr/bin/env bash
# The connection cap and the request slots as set by flags: bad values refused at start-up (status 2,
# one line naming the flag); with one slot and a 300 ms wait, a request whose body is held keeps the
# slot, the next review gets 503 with one line after about the wait (not the 10 s request timeout),
# probes still answer, and once the slot frees a review is patched again; with a cap of 3
# connections, of 5 idle ones 3 are kept and 2 closed at accept, and the server serves afterwards.
# Usage: slots_test.sh path/to/jobtrail-webhook
set -euo pipefail
source "$(dirname "$0")/server_setup.sh" slots "$1"
files=(--tls-cert tls.crt --tls-key tls.key --config config.json)

# Bad values: refused before anything is served, one line naming the flag.
bad() {
  local want=$1; shift
  set +e; "$bin" --listen 127.0.0.1:0 "${files[@]}" "$@" >out 2>err; local rc=$?; set -e
  [[ $rc -eq 2 ]] || fail "$* exited $rc, want 2"
  [[ $(wc -l <err) -eq 1 ]] || fail "$*: not one line: $(cat err)"
  grep -q -- "$want" err || fail "$*: the message does not name $want: $(cat err)"
  echo "refused: $* -> $(cat err)"
}
bad --max-connections --max-connections 0
bad --max-connections --max-connections 5000
bad --max-connections --max-connections many
bad --max-requests-in-flight --max-requests-in-flight 0
bad --max-requests-in-flight --max-requests-in-flight 65
bad --max-requests-in-flight --max-connections 4 --max-requests-in-flight 5
bad --slot-wait-ms --slot-wait-ms 0
bad --slot-wait-ms --slot-wait-ms 10001

port=$((20000 + RANDOM % 20000))
"$bin" --listen 127.0.0.1:$port "${files[@]}" --threads 2 --log-level info \
  --max-connections 3 --max-requests-in-flight 1 --slot-wait-ms 300 >log 2>&1 &
pid=$!
for _ in $(seq 100); do curl -s --cacert tls.crt "https://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
kill -0 $pid || fail "server did not start"
grep -q "at most 3 connections, 1 requests in flight, 300 ms wait for a slot" log || fail "limits not in the start-up line"

python3 - "$port" tls.crt "$review" <<'PY' || fail "slots"
import http.client, socket, ssl, sys, time
port, ca, review_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
good = open(review_path, "rb").read()

def post(body, timeout=15):
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=timeout)
    c.request("POST", "/mutate", body, {"Content-Type": "application/json"})
    r = c.getresponse()
    out = r.status, r.read()
    c.close()
    return out

assert post(good)[0] == 200
# A held request: headers announcing a body, then nothing. It takes the one slot.
held = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1")
held.sendall(b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[")
time.sleep(0.3)
t0 = time.time()
status, text = post(good)
waited = time.time() - t0
print(f"with the slot held: {status} after {waited:.2f} s: {text[:100].decode(errors='replace').strip()}")
assert status == 503, (status, text[:100])
assert text.count(b"\n") == 1 and text.endswith(b"\n"), text
assert 0.25 <= waited < 3, waited  # the 300 ms wait, not the 10 s request timeout
c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
c.request("GET", "/healthz"); assert c.getresponse().status == 200
c.close()
held.close()
time.sleep(0.3)
status, text = post(good)
assert status == 200 and b'"patch"' in text, (status, text[:200])

def open_connections():
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
    c.request("GET", "/metrics")
    m = c.getresponse().read().decode()
    c.close()
    return int(next(l.split()[1] for l in m.split("\n") if l.startswith("jobtrail_webhook_open_connections ")))

# The connection cap: of five idle connections at most three are kept, the others are closed at
# accept. (The sessions of the connections above go once the server has read their end: wait until
# only the asking one is left, so that they do not take the places.)
for _ in range(50):
    if open_connections() == 1: break
    time.sleep(0.1)
time.sleep(0.5)  # the asking connection's own session goes the same way: it must not take a place
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]
time.sleep(0.5)
kept = 0
for s in idle:
    s.settimeout(0.3)
    try:
        kept += s.recv(1) != b""
    except ConnectionResetError:
        pass
    except socket.timeout:
        kept += 1
print(f"connection cap 3: {kept} of 5 idle connections kept")
assert kept == 3, kept
for s in idle: s.close()
time.sleep(0.3)
status, text = post(good)
assert status == 200 and b'"patch"' in text, (status, text[:200])
PY

curl -s --cacert tls.crt "https://127.0.0.1:$port/metrics" > metrics
grep -q 'jobtrail_webhook_limit_rejections_total{limit="in_flight"} [1-9]' metrics || fail "in_flight metric"
grep -q 'jobtrail_webhook_limit_rejections_total{limit="connections"} [1-9]' metrics || fail "connections metric"
kill -0 $pid || fail "server died"
echo "webhook slots test: all passed"
