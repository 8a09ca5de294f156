#!/usr/bin/env python3
"""Checks the objects `helm template` rendered (real Helm, not stubs): the structural rules of
check_chart.py on the real output, plus what each documented variant must produce.
Usage: helm template ... | check_rendered.py VARIANT RELEASE_NAMESPACE
VARIANT: default | cert-manager | web-identity | network-policy | failure-fail"""
import json, sys
import yaml

variant, release_ns = sys.argv[1], sys.argv[2]
docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
failures = []
def fail(msg): failures.append(f"{variant}: {msg}")
def objects(kind): return [d for d in docs if d.get("kind") == kind]
def one(kind):
    found = objects(kind)
    if len(found) != 1: fail(f"expected one {kind}, got {len(found)}")
    return found[0] if found else {}

kinds = sorted({d["kind"] for d in docs})
for d in docs:
    meta = d.get("metadata", {})
    if d["kind"] != "MutatingWebhookConfiguration" and d["kind"] not in ("Secret", "ServiceAccount", "Pod") \
            and meta.get("namespace") != release_ns:
        fail(f"{d['kind']} {meta.get('name')} not in the release namespace")
    if meta.get("labels", {}).get("app.kubernetes.io/managed-by") != "Helm":
        fail(f"{d['kind']} {meta.get('name')} lacks the common labels")

mwc = one("MutatingWebhookConfiguration")
(hook,) = mwc.get("webhooks", [{}])
exprs = hook.get("namespaceSelector", {}).get("matchExpressions", [])
if {"key": "jobtrail.io/inject", "operator": "In", "values": ["enabled"]} not in exprs:
    fail("MWC does not require jobtrail.io/inject=enabled")
if {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": [release_ns]} not in exprs:
    fail("MWC does not exclude the release namespace")
if hook.get("sideEffects") != "None" or hook.get("admissionReviewVersions") != ["v1"]:
    fail("MWC sideEffects/admissionReviewVersions")
if hook.get("rules") != [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                          "resources": ["pods"], "scope": "Namespaced"}]:
    fail(f"MWC rules {hook.get('rules')}")
svc = one("Service")
if hook.get("clientConfig", {}).get("service", {}).get("name") != svc.get("metadata", {}).get("name"):
    fail("MWC does not call the chart's Service")

dep = one("Deployment")
pod = dep.get("spec", {}).get("template", {}).get("spec", {})
c = (pod.get("containers") or [{}])[0]
sc = c.get("securityContext", {})
if sc.get("readOnlyRootFilesystem") is not True or sc.get("allowPrivilegeEscalation") is not False \
        or sc.get("runAsNonRoot") is not True:
    fail("Deployment container not hardened")
for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
    if probe not in c: fail(f"Deployment has no {probe}")
if not c.get("resources", {}).get("limits", {}).get("memory"): fail("Deployment has no memory limit")
# the connection cap and request slots reach the webhook's flags (values.yaml defaults, or the limits variant's)
want_limits = ("16", "4", "2000") if variant == "limits" else ("128", "8", "10000")
for flag, value in zip(("--max-connections", "--max-requests-in-flight", "--slot-wait-ms"), want_limits):
    if f"{flag}={value}" not in c.get("args", []): fail(f"Deployment args lack {flag}={value}")
labels = dep.get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {})
config = json.loads(one("ConfigMap").get("data", {}).get("config.json", "{}"))

pdbs = objects("PodDisruptionBudget")
if variant == "default":
    if hook.get("failurePolicy") != "Ignore": fail("default failurePolicy is not Ignore")
    if "caBundle" not in hook.get("clientConfig", {}): fail("no generated caBundle")
    if not any(s.get("type") == "kubernetes.io/tls" for s in objects("Secret")): fail("no generated TLS Secret")
    if objects("NetworkPolicy"): fail("NetworkPolicy rendered although off by default")
    if config.get("storage", {}).get("credentials", {}).get("mode") != "secret": fail("credentials mode")
elif variant == "cert-manager":
    if "cert-manager.io/inject-ca-from" not in mwc.get("metadata", {}).get("annotations", {}):
        fail("no cainjector annotation")
    if "caBundle" in hook.get("clientConfig", {}): fail("caBundle rendered as well as cert-manager's")
    if not objects("Certificate"): fail("no Certificate")
    if any(s.get("type") == "kubernetes.io/tls" for s in objects("Secret")): fail("chart-generated TLS Secret too")
elif variant == "web-identity":
    creds = config.get("storage", {}).get("credentials", {})
    if creds.get("mode") != "webIdentity" or not creds.get("roleArn"): fail(f"credentials {creds}")
    sas = [s for s in objects("ServiceAccount") if s["metadata"].get("namespace") == "arc-runners"]
    if not sas: fail("no runner ServiceAccount in the runner namespace")
    # An IRSA annotation would make EKS give the role to every container of the pod, the job's too:
    # only the sidecar may get a token for it (the webhook's projected volume).
    for sa in objects("ServiceAccount"):
        if any(k.startswith("eks.amazonaws.com/") for k in sa["metadata"].get("annotations", {})):
            fail(f"ServiceAccount {sa['metadata'].get('name')} carries the role for every container of the pod")
    if not creds.get("audience"): fail(f"no token audience in the webhook config: {creds}")
elif variant == "network-policy":
    np = one("NetworkPolicy")
    spec = np.get("spec", {})
    if spec.get("policyTypes") != ["Ingress"]: fail("NetworkPolicy policyTypes")
    if any(labels.get(k) != v for k, v in spec.get("podSelector", {}).get("matchLabels", {}).items()) \
            or not spec.get("podSelector", {}).get("matchLabels"):
        fail("NetworkPolicy does not select the webhook pods")
    (rule,) = spec.get("ingress", [{}])
    if rule.get("ports") != [{"protocol": "TCP", "port": c.get("ports", [{}])[0].get("containerPort")}]:
        fail(f"NetworkPolicy ports {rule.get('ports')} are not the webhook's")
    if rule.get("from") != [{"ipBlock": {"cidr": "10.0.0.0/24"}}]:
        fail(f"NetworkPolicy admits {rule.get('from')}, not only the API server's CIDR")
elif variant == "failure-fail":
    if hook.get("failurePolicy") != "Fail": fail("failurePolicy is not Fail")
    if dep.get("spec", {}).get("replicas", 0) < 2: fail("Fail with fewer than two replicas")
    if len(pdbs) != 1 or pdbs[0]["spec"].get("minAvailable", 0) < 1: fail("Fail without a PodDisruptionBudget")
elif variant == "limits":
    pass  # its flags are checked with the Deployment above
else:
    fail("unknown variant")
print(f"{variant}: {len(docs)} objects ({', '.join(kinds)})")
for f in failures: print("FAIL:", f)
sys.exit(1 if failures else 0)
