#!/usr/bin/env bash
# jobtrail-webhook's command line and lifecycle: --version, --check-config, bad flags, and graceful
# shutdown on SIGTERM (no new connections, the request in flight answered, idle connections closed,
# exit 0 within --shutdown-timeout). Usage: lifecycle_test.sh path/to/jobtrail-webhook
set -euo pipefail
bin=$(realpath "$1")
shared=${SHARED_DIR:-$(cd "$(dirname "$0")/../../../shared" && pwd)}
review=$shared/testdata/k8s/admissionreview-request-default.json
work=$(mktemp -d /tmp/jobtrail-webhook-life.XXXXXX)
pid=
cleanup() { [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [[ -f $work/log ]] && tail -20 "$work/log" >&2; exit 1; }
cd "$work"

# run EXPECTED_STATUS ARGS...: output (stdout+stderr) in $work/out
run() { local want=$1; shift; local got=0; "$bin" "$@" >out 2>&1 || got=$?
  [[ $got == "$want" ]] || fail "jobtrail-webhook $* exited $got, expected $want: $(head -3 out)"; }

# --version
run 0 --version
grep -qE '^jobtrail-webhook [0-9]+\.[0-9]+\.[0-9]+' out || fail "--version printed: $(cat out)"

# --check-config
echo '{"sidecar":{"image":"registry.example/jobtrail:0.1.0"},"storage":{"url":"s3://trails/jobtrail"}}' > good.json
run 0 --check-config good.json
grep -q "good.json is valid: image registry.example/jobtrail:0.1.0" out || fail "check-config good: $(cat out)"
echo '{"sidecar":{"image":"r/j:1","flushDeadlineSecond":30},"storage":{"url":"s3://t/j"}}' > typo.json
run 1 --check-config typo.json
grep -q "typo.json is invalid: unknown key" out || fail "check-config typo: $(cat out)"
[[ $(wc -l < out) -eq 1 ]] || fail "check-config message is not one line"
echo '{"sidecar":' > broken.json
run 1 --check-config broken.json
grep -q "broken.json is invalid" out || fail "check-config broken JSON: $(cat out)"
run 1 --check-config missing.json
grep -q "missing.json: cannot read" out || fail "check-config missing file: $(cat out)"

# Bad flags: status 2 and one line naming the problem.
run 2 --bogus
grep -q -- "--bogus" out && [[ $(wc -l < out) -eq 1 ]] || fail "unknown flag: $(cat out)"
run 2 --tls-key k --config good.json
grep -q -- "--tls-cert is required" out || fail "missing --tls-cert: $(cat out)"
run 2 --listen nowhere --tls-cert c --tls-key k --config good.json
grep -q -- "--listen nowhere is not ADDR:PORT" out || fail "bad --listen: $(cat out)"
run 2 --listen 127.0.0.1:99999 --tls-cert c --tls-key k --config good.json
run 2 --threads 0 --tls-cert c --tls-key k --config good.json
grep -q -- "--threads" out || fail "bad --threads: $(cat out)"
run 1 --listen 127.0.0.1:0 --tls-cert nope.crt --tls-key nope.key --config good.json
grep -q "nope" out || fail "missing certificate file: $(cat out)"

# A server to stop.
openssl req -x509 -newkey rsa:2048 -nodes -keyout tls.key -out tls.crt -days 1 -subj "/CN=jobtrail-webhook" \
  -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
start_server() {
  port=$((20000 + RANDOM % 20000))
  "$bin" --listen 127.0.0.1:$port --tls-cert tls.crt --tls-key tls.key --config good.json "$@" >log 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -s --cacert tls.crt "https://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
  fail "server did not start"
}
# waits at most $1 s for $pid to end; sets status (its exit status) and waited (seconds)
wait_exit() { local t0=$SECONDS; for _ in $(seq $(($1 * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && fail "server still running $1 s after SIGTERM"
  status=0; wait "$pid" || status=$?; pid=; waited=$((SECONDS - t0)); }

# 1. In flight + idle: one client is halfway through a request body, another holds an idle keep-alive
#    connection. SIGTERM: the first still gets its 200 (with Connection: close), the idle one is closed,
#    new connections are refused, and the server exits 0 without waiting for the 30 s idle timeout.
start_server
python3 - "$port" "$review" "$pid" <<'PY' || fail "graceful shutdown client"
import http.client, os, signal, socket, ssl, sys, time
port, body, pid = int(sys.argv[1]), open(sys.argv[2], "rb").read(), int(sys.argv[3])
ctx = ssl.create_default_context(cafile="tls.crt")
idle = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
idle.request("GET", "/healthz"); r = idle.getresponse(); r.read(); assert r.status == 200
busy = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1")
busy.sendall(b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: %d\r\n\r\n" % len(body) + body[:100])
time.sleep(0.3)
os.kill(pid, signal.SIGTERM)
time.sleep(0.7)
try:
    socket.create_connection(("127.0.0.1", port), timeout=1).close()
    sys.exit("a new connection was accepted after SIGTERM")
except OSError:
    pass
busy.sendall(body[100:])
busy.settimeout(5)
data = b""
while True:
    chunk = busy.recv(65536)
    if not chunk: break
    data += chunk
head = data.split(b"\r\n\r\n")[0].lower()
assert head.startswith(b"http/1.1 200"), data[:100]
assert b"connection: close" in head, head
assert b'"patchType":"JSONPatch"' in data, data[-200:]
idle.sock.settimeout(2)
assert idle.sock.recv(1) == b"", "idle connection still open"
print("in-flight request answered after SIGTERM; idle connection closed; new connections refused")
PY
wait_exit 5
[[ $status == 0 ]] || fail "exit status $status after SIGTERM"
grep -q "signal 15, draining" log && grep -q "stopped" log || fail "shutdown not logged"
echo "drained and exited 0 in ${waited} s"

# 2. A client that never finishes its request cannot hold the shutdown beyond --shutdown-timeout.
start_server --shutdown-timeout 2
python3 - "$port" <<'PY' &
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile="tls.crt")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="127.0.0.1")
s.sendall(b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
open("stuck.sent", "w").close()
time.sleep(8)
PY
stuck=$!
for _ in $(seq 100); do [[ -f stuck.sent ]] && break; sleep 0.1; done
sleep 0.3
kill -TERM "$pid"
wait_exit 5
[[ $status == 0 ]] || fail "exit status $status after the shutdown timeout"
(( waited <= 4 )) || fail "shutdown took $waited s with --shutdown-timeout 2"
grep -q "1 connection(s) still open after 2 s" log || fail "forced close not logged"
kill "$stuck" 2>/dev/null || true
echo "stuck client cut off; exited 0 in ${waited} s"
echo "webhook lifecycle test: all passed"
