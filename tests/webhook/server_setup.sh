# Sourced by the webhook scripts that start the real HTTPS server:
#   source "$(dirname "$0")/server_setup.sh" NAME path/to/jobtrail-webhook
# Sets bin, src, shared, review (the default AdmissionReview) and work (a scratch folder, the
# current directory from here on, removed at exit with the server started as $pid), defines
# fail MESSAGE, and writes a self-signed tls.crt/tls.key for 127.0.0.1 and a minimal config.json.
bin=$(realpath "$2")
src=${JOBTRAIL_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
shared=${SHARED_DIR:-$src/../shared}
review=$shared/testdata/k8s/admissionreview-request-default.json
work=$(mktemp -d "/tmp/jobtrail-webhook-$1.XXXXXX")
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [[ -f $work/log ]] && tail -20 "$work/log" >&2; exit 1; }
cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -keyout tls.key -out tls.crt -days 1 -subj "/CN=jobtrail-webhook" \
  -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
echo '{"sidecar":{"image":"registry.example/jobtrail:0.1.0"},"storage":{"url":"s3://trails/jobtrail"}}' > config.json
