#!/usr/bin/env bash
# jobtrail-webhook over TLS on loopback: requests/s and p50/p99 latency of POST /mutate at 1, 16 and
# 64 concurrent keep-alive clients (wrk), 16 clients with a TLS handshake per request, 16 clients
# while 4 hostile connections send worst-case bodies, and the server's peak RSS.
# bench/webhook.sh [BUILD_DIR] [SECONDS_PER_RUN]
# Use a build without sanitizers (e.g. -DCMAKE_BUILD_TYPE=Release); needs wrk, openssl, curl.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$top/build}")
secs=${2:-10}
command -v wrk >/dev/null || { echo "bench/webhook.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
cmake --build "$build" --target jobtrail-webhook -j2 >/dev/null
bin=$build/webhook/jobtrail-webhook
grep -q '^JOBTRAIL_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null &&
  echo "WARNING: $build is a sanitizer build; figures will be far from production" >&2
work=$(mktemp -d /tmp/jobtrail-webhook-bench.XXXXXX)
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -keyout tls.key -out tls.crt -days 1 -subj "/CN=jobtrail-webhook" \
  -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
echo '{"sidecar":{"image":"registry.example/jobtrail:0.1.0"},"storage":{"url":"s3://trails/jobtrail"}}' > config.json
export REVIEW=$top/../shared/testdata/k8s/admissionreview-request-default.json
[[ -f $REVIEW ]] || REVIEW=${SHARED_DIR:?set SHARED_DIR to the shared/ folder}/testdata/k8s/admissionreview-request-default.json
port=$((20000 + RANDOM % 20000))
"$bin" --listen 127.0.0.1:$port --tls-cert tls.crt --tls-key tls.key --config config.json --threads 2 \
  --log-level warn >log 2>&1 &
pid=$!
for _ in $(seq 100); do curl -s --cacert tls.crt "https://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
kill -0 $pid 2>/dev/null || { echo "bench/webhook.sh: the webhook did not start:" >&2; cat log >&2; exit 1; }
rss_kib() { awk -v k="$1:" '$1 == k { print $2 }' /proc/$pid/status; }
echo "idle RSS: $(( $(rss_kib VmRSS) / 1024 )) MiB"

lua=$top/bench/webhook/post_review.lua
wrk -t1 -c1 -d1s -s "$lua" "https://127.0.0.1:$port" >/dev/null  # warm-up
printf '%-28s %10s %10s %10s %10s %8s\n' "clients" "req/s" "p50 ms" "p99 ms" "max ms" "errors"
run() {  # label threads connections [CLOSE]
  local line
  line=$(CLOSE=${4:-0} wrk -t"$2" -c"$3" -d"${secs}s" --timeout 5s -s "$lua" "https://127.0.0.1:$port" | grep '^RESULT')
  eval "${line#RESULT }"
  printf '%-28s %10s %10s %10s %10s %8s\n' "$1" "$rps" "$p50_ms" "$p99_ms" "$max_ms" "$errors"
}
run "1 keep-alive" 1 1
run "16 keep-alive" 2 16
run "64 keep-alive" 2 64
run "16 new TLS conn per req" 2 16 1
# Hostile row: 16 keep-alive clients with well-formed reviews while 4 other connections send
# worst-case bodies back to back (bench/webhook/hostile_client.py).
python3 "$top/bench/webhook/hostile_client.py" "$port" tls.crt "$REVIEW" "$((secs + 1))" 4 > hostile.out &
flood=$!
sleep 0.5
run "16 keep-alive + 4 hostile" 2 16
wait $flood
echo "hostile clients sent $(cat hostile.out) worst-case bodies during that row"
echo "peak RSS (VmHWM): $(( $(rss_kib VmHWM) / 1024 )) MiB"
injected=$(curl -s --cacert tls.crt "https://127.0.0.1:$port/metrics" |
  awk '/^jobtrail_webhook_requests_total\{outcome="injected"\}/ { print $2 }')
echo "server counted ${injected:-0} injections"
echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), load average $(cut -d' ' -f1-3 /proc/loadavg)"
