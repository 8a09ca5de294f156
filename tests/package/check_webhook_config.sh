#!/usr/bin/env bash
# The webhook accepts the config the chart renders: render_webhook_config.py turns values
# (defaults and variants) into config.json exactly as templates/webhook-configmap.yaml does, and
# the real jobtrail-webhook is started on loopback with each; /readyz answers 200 only once a
# certificate and a valid config are loaded (docs/webhook.md). A config with an unknown key must
# keep it unready, showing the check can fail. Each run's exit status after SIGTERM must be 0 (a
# sanitizer report at exit makes it non-zero). The skeleton's placeholder binary is a failure;
# JOBTRAIL_ALLOW_SKIP=1 (README, Development) turns it into a skip (exit 77).
set -euo pipefail
src=${JOBTRAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${JOBTRAIL_BINARY_DIR:-$src/build}/webhook/jobtrail-webhook
here=$src/tests/package
work=$(mktemp -d /tmp/jobtrail-webhook-config.XXXXXX)
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
[[ -x $bin ]] || { echo "FAIL: no webhook binary at $bin"; exit 1; }
if grep -q 'not built yet' <<<"$("$bin" 2>&1 || true)"; then
  [[ ${JOBTRAIL_ALLOW_SKIP:-0} == 1 ]] && { echo "SKIP: $bin is still the skeleton's placeholder"; exit 77; }
  echo "FAIL: $bin is still the skeleton's placeholder (JOBTRAIL_ALLOW_SKIP=1 would skip)"; exit 1
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null

# CONFIG [STATUS] -> 0 if the webhook becomes ready within 10 s; fails the test unless the webhook
# then exits with STATUS (0 after SIGTERM; 1 when it refuses the config at start) and no sanitizer spoke
ready_with() {
  local port=$(( 20000 + RANDOM % 20000 ))
  "$bin" --listen "127.0.0.1:$port" --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" \
    --config "$1" --log-level warn > "$1.log" 2>&1 &
  pid=$!
  local ok=1
  for _ in $(seq 50); do
    if curl -sf --cacert "$work/tls.crt" "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ok=0; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  local st=0
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || st=$?; pid=""
  if [[ $st != "${2:-0}" ]] || grep -q Sanitizer "$1.log"; then
    echo "FAIL: the webhook exited $st, want ${2:-0} ($1):"; cat "$1.log"; exit 1
  fi
  return $ok
}

render() { python3 "$here/render_webhook_config.py" "$src/charts/jobtrail" "$@"; }
declare -A variants=(
  [defaults]="--set storage.bucket=ci-trails"
  [web-identity]="--set storage.bucket=ci-trails --set storage.credentials.mode=webIdentity --set storage.credentials.webIdentity.roleArn=arn:aws:iam::123456789012:role/jobtrail"
  [container-caps]="--set storage.bucket=ci-trails --set sidecar.mode=container --set sidecar.privileged=false --set storage.endpoint=http://127.0.0.1:7480 --set storage.pathStyle=true --set storage.prefix="
  [object-lock]="--set storage.bucket=ci-trails --set storage.objectLock.mode=COMPLIANCE --set storage.objectLock.days=90"
  [otlp]="--set storage.bucket=ci-trails --set sidecar.stream=all --set sidecar.otlpEndpoint=http://otel.monitoring:4318/v1/logs"
)
for name in defaults web-identity container-caps object-lock otlp; do
  # shellcheck disable=SC2086
  render ${variants[$name]} > "$work/$name.json"
  if ready_with "$work/$name.json"; then
    echo "ok   webhook ready with the chart's config ($name)"
  else
    echo "FAIL: webhook not ready with the chart's config ($name):"; cat "$work/$name.json" "$work/$name.json.log"; exit 1
  fi
done
# CONFIG -> the injected sidecar's args, one a line, from the patch the webhook answers the shared
# default AdmissionReview with: what the chart's values become on the sidecar's command line.
sidecar_args_with() {
  local port=$(( 20000 + RANDOM % 20000 ))
  "$bin" --listen "127.0.0.1:$port" --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" \
    --config "$1" --log-level warn > "$1.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do
    curl -sf --cacert "$work/tls.crt" "https://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -sf --cacert "$work/tls.crt" -H 'Content-Type: application/json' \
    --data-binary @"${SHARED_DIR:-$src/../shared}/testdata/k8s/admissionreview-request-default.json" \
    "https://127.0.0.1:$port/mutate" > "$1.review" || true
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; pid=""
  python3 - "$1.review" <<'EOF'
import base64, json, sys
try:
    patch = json.loads(base64.b64decode(json.load(open(sys.argv[1]))["response"]["patch"]))
except (ValueError, KeyError):
    sys.exit(0)
for op in patch:
    for c in op.get("value") if isinstance(op.get("value"), list) else [op.get("value")]:
        if isinstance(c, dict) and c.get("name") == "jobtrail-sidecar":
            print("\n".join(c.get("args", [])))
EOF
}
flags() { tr '\n' ' ' <<<"$1"; }
defaults_args=" $(flags "$(sidecar_args_with "$work/defaults.json")")"
otlp_args=" $(flags "$(sidecar_args_with "$work/otlp.json")")"
if [[ $defaults_args == *" --stream story "* && $defaults_args != *--otlp-endpoint* &&
      $otlp_args == *" --stream all "* && $otlp_args == *" --otlp-endpoint http://otel.monitoring:4318/v1/logs "* ]]; then
  echo "ok   sidecar.stream and sidecar.otlpEndpoint reach the injected sidecar's args"
else
  echo "FAIL: sidecar.stream / sidecar.otlpEndpoint not in the sidecar's args: defaults [$defaults_args] otlp [$otlp_args]"
  exit 1
fi

python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["sidecar"]["imagePullPolcy"]="Always"; json.dump(c,open(sys.argv[2],"w"))' \
  "$work/defaults.json" "$work/typo.json"
if ready_with "$work/typo.json" 1; then
  echo "FAIL: webhook became ready with an unknown config key (the check cannot fail)"; exit 1
fi
echo "ok   webhook stays unready with an unknown key: $(head -1 "$work/typo.json.log")"
