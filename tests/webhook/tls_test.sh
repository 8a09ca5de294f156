#!/usr/bin/env bash
# The real HTTPS server on loopback: certificate verified by a client, malformed inputs, config and
# certificate rotation under load. Usage: tls_test.sh path/to/jobtrail-webhook
set -euo pipefail
bin=$(realpath "$1")
shared=${SHARED_DIR:-$(cd "$(dirname "$0")/../../../shared" && pwd)}
k8s=$shared/testdata/k8s
work=$(mktemp -d /tmp/jobtrail-webhook-tls.XXXXXX)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [[ -f $work/log ]] && tail -20 "$work/log" >&2; exit 1; }
cd "$work"

make_cert() {  # $1 = name prefix; a CA and a server cert for 127.0.0.1/localhost
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1-ca.key" -out "$1-ca.crt" -days 2 -subj "/CN=$1 test CA" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=jobtrail-webhook" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$1-ca.crt" -CAkey "$1-ca.key" -CAcreateserial -out "$1.crt" -days 1 \
    -extfile "$1.ext" 2>/dev/null
}
make_cert one
make_cert two
cp one.crt tls.crt; cp one.key tls.key
cat > config.json <<'JSON'
{"sidecar":{"image":"registry.example/jobtrail:0.1.0"},"storage":{"url":"s3://trails/jobtrail"}}
JSON

port=$((20000 + RANDOM % 20000))
"$bin" --listen 127.0.0.1:$port --tls-cert tls.crt --tls-key tls.key --config config.json \
  --reload-interval-ms 200 --log-level info >log 2>&1 &
pid=$!
url=https://127.0.0.1:$port
for _ in $(seq 50); do curl -s --cacert one-ca.crt "$url/healthz" >/dev/null && break; sleep 0.1; done

# status CODE for a request; body in $work/body
req() { curl -s -o body -w '%{http_code}' --cacert "${CA:-one-ca.crt}" "$@"; }
expect() { local want=$1; shift; local got; got=$(req "$@") || true
  [[ $got == "$want" ]] || fail "expected $want, got $got for $*: $(head -c 200 body)"; }

expect 200 "$url/healthz"
expect 200 "$url/readyz"
# A client that does not trust our CA is refused by its own verification: curl's status 60 (peer
# certificate cannot be authenticated), not any failure (a refused connection is 7, a bad CA file 77).
st=0; curl -s --cacert two-ca.crt "$url/healthz" >/dev/null || st=$?
[[ $st == 60 ]] || fail "a client trusting another CA: curl status $st, want 60 (certificate not verified)"
# TLS 1.1 is refused by the server. Debian's OpenSSL will not offer TLS 1.1 at its default security
# level (curl --tls-max 1.1 fails before sending anything), so the client asks for SECLEVEL=0; a
# TLS 1.1 s_server shows that this client does complete a TLS 1.1 handshake, and the webhook must
# answer with the protocol_version alert (70): its own refusal, not the client's.
s11=$((port + 1))
openssl s_server -quiet -accept "127.0.0.1:$s11" -cert one.crt -key one.key -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' \
  >/dev/null 2>&1 &
s11pid=$!
tls11() { echo | timeout 10 openssl s_client -connect "127.0.0.1:$1" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' 2>&1; }
for _ in $(seq 50); do tls11 "$s11" | grep -q 'Protocol *: TLSv1.1' && break; sleep 0.1; done
tls11 "$s11" | grep -q 'Protocol *: TLSv1.1' || fail "the test client cannot complete TLS 1.1 even with openssl s_server"
kill "$s11pid"; wait "$s11pid" 2>/dev/null || true
out=$(tls11 "$port") || true
grep -q 'alert protocol version' <<<"$out" || fail "TLS 1.1 not refused by the server with a protocol_version alert: $out"

post() { expect "$1" -X POST -H "Content-Type: ${3:-application/json}" --data-binary "@$2" "$url/mutate"; }
post 200 "$k8s/admissionreview-request-default.json"
python3 - "$k8s/admissionreview-request-default.json" <<'PY' || fail "bad AdmissionReview response"
import json, sys, base64
req = json.load(open(sys.argv[1])); res = json.load(open("body"))["response"]
assert res["uid"] == req["request"]["uid"] and res["allowed"] is True and res["patchType"] == "JSONPatch"
ops = json.loads(base64.b64decode(res["patch"]))
first = ops[0]["value"][0] if ops[0]["path"] == "/spec/initContainers" else ops[0]["value"]
assert ops[0]["path"].startswith("/spec/initContainers") and first["name"] == "jobtrail-sidecar", ops[0]["path"]
PY
post 200 "$k8s/admissionreview-request-k8s-docs.json"
grep -q '"allowed":true' body && ! grep -q patch body || fail "non-Pod review was mutated"

echo 'not json' > notjson; post 400 notjson; grep -q "not valid JSON" body || fail "reason for not JSON"
python3 -c "import json;d=json.load(open('$k8s/admissionreview-request-default.json'));d['apiVersion']='admission.k8s.io/v1beta1';json.dump(d,open('v1beta1','w'))"
post 400 v1beta1; grep -q "not an admission.k8s.io/v1" body || fail "reason for wrong version"
python3 -c "import json;d=json.load(open('$k8s/admissionreview-request-default.json'));del d['request']['uid'];json.dump(d,open('nouid','w'))"
post 400 nouid; grep -q "uid" body || fail "reason for missing uid"
post 415 "$k8s/admissionreview-request-default.json" text/plain
head -c $((3*1024*1024 + 10)) /dev/zero | tr '\0' ' ' > big; post 413 big
expect 405 "$url/mutate"
expect 404 "$url/nope"
[[ $(wc -l < body) -eq 1 ]] || fail "reason is not one line"

# Slowloris: headers started but never finished -> 408 after the request timeout (10 s), while others are served.
python3 - "$port" one-ca.crt <<'PY' &
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="127.0.0.1")
s.sendall(b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
s.settimeout(20); t = time.time(); data = s.recv(4096)
assert data.startswith(b"HTTP/1.1 408"), data[:80]
assert time.time() - t < 15
print("slowloris answered 408 after %.1f s" % (time.time() - t))
PY
slow=$!
sleep 0.5
start=$(date +%s%N)
post 200 "$k8s/admissionreview-request-default.json"
(( ($(date +%s%N) - start) / 1000000 < 1000 )) || fail "a normal request waited behind the slow client"
wait $slow || fail "slowloris client did not get 408"

# Bad new config: rejected, old one kept (still injecting).
cp config.json good.json
echo '{"sidecar":{}}' > config.json
sleep 0.6
grep -q "new configuration rejected" log || fail "bad config not reported"
post 200 "$k8s/admissionreview-request-default.json"; grep -q patchType body || fail "old config not kept"
# Good new config: takes effect (container mode appends to containers).
echo '{"sidecar":{"image":"registry.example/jobtrail:0.2.0","mode":"container"},"storage":{"url":"s3://t/j"}}' > config.json
sleep 0.6
post 200 "$k8s/admissionreview-request-default.json"
python3 -c "import json,base64;ops=json.loads(base64.b64decode(json.load(open('body'))['response']['patch']));assert ops[0]['path']=='/spec/containers/-',ops[0]" \
  || fail "new config not applied"

# Certificate rotation while a load runs: no request may fail.
cat one-ca.crt two-ca.crt > both-ca.crt
python3 - "$port" both-ca.crt "$k8s/admissionreview-request-default.json" > load.out <<'PY' &
import http.client, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
body = open(sys.argv[3], "rb").read()
ok = bad = 0; seen = set(); end = time.time() + 3
conn = None
while time.time() < end:
    try:
        if conn is None or ok % 20 == 0:   # mix reused connections and new handshakes
            conn = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ctx)
        conn.request("POST", "/mutate", body, {"Content-Type": "application/json"})
        r = conn.getresponse(); r.read()
        if r.status == 200: ok += 1
        else: bad += 1
        seen.add(conn.sock.getpeercert()["issuer"][0][0][1])
        if ok == 20: open("load.started", "w").close()
    except Exception as e:
        bad += 1; print("error", e); conn = None
print(ok, bad, sorted(seen))
PY
loader=$!
for _ in $(seq 100); do [[ -f load.started ]] && break; sleep 0.1; done
sleep 0.3
cp two.key tls.key.new; cp two.crt tls.crt.new; mv tls.crt.new tls.crt; mv tls.key.new tls.key
wait $loader || fail "load client crashed"
read -r ok bad _ < <(tail -1 load.out)
cat load.out | tail -1
(( ok > 50 && bad == 0 )) || fail "rotation under load: ok=$ok bad=$bad"
grep -q "two test CA" load.out || fail "new certificate never served"
grep -q "one test CA" load.out || fail "old certificate never served"
CA=two-ca.crt expect 200 "$url/healthz"

CA=two-ca.crt expect 200 "$url/metrics"
grep -q 'jobtrail_webhook_requests_total{outcome="injected"}' body || fail "metrics: injected"
grep -q 'jobtrail_webhook_skips_total{reason="not_pod"} 1' body || fail "metrics: skip reason"
grep -q 'jobtrail_webhook_request_duration_seconds_count' body || fail "metrics: histogram"
grep -q 'jobtrail_webhook_reloads_total{file="config",result="rejected"} 1' body || fail "metrics: reloads"
kill -0 "$pid" || fail "server died"
# The server's own exit status: 0 after SIGTERM (docs/webhook.md), and a sanitizer report (leak,
# use after free) at exit makes it non-zero, so it must not be thrown away.
kill -TERM "$pid"
st=0; wait "$pid" || st=$?; pid=
[[ $st == 0 ]] || fail "webhook exited $st after SIGTERM"
! grep -q 'Sanitizer' log || fail "sanitizer report in the webhook's log"
echo "webhook TLS test: all passed"
