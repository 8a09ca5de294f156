#!/usr/bin/env python3
"""Structural checks of charts/jobtrail without a helm binary.

What it checks: every template's {{ }} actions balance (if/range/with/define ... end); once
actions are stubbed (control lines dropped, every branch kept, output actions replaced by
tokens) each template parses as YAML with the expected kinds/apiVersions; resource names and
namespaces come from _helpers.tpl; every include names a defined helper; every .Values path a
template reads exists in values.yaml and every leaf of values.yaml is read somewhere; every
values.yaml key is commented; the webhook configuration selects jobtrail.io/inject=enabled and
never the release namespace; the Deployment is hardened; the webhook flags and config keys the
chart uses are the ones the webhook documents (docs/webhook.md) when that exists.
What it cannot check: real rendering (sprig functions, lookup, genCA), the output of helpers,
and the result of a real install. Usage: check_chart.py CHART_DIR [REPO_DIR]
"""
import json, re, sys
from pathlib import Path
import yaml

failures = []
def fail(msg): failures.append(msg)

chart = Path(sys.argv[1])
repo = Path(sys.argv[2]) if len(sys.argv) > 2 else chart.parent.parent
tdir = chart / "templates"
ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)
BLOCK_OPEN = ("if ", "range ", "with ", "define ", "block ")

def strip_comments(text):
    return re.sub(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", "", text, flags=re.S)

def check_balance(name, text):
    stack = []
    for m in ACTION.finditer(strip_comments(text)):
        body = m.group(2)
        if body.startswith(BLOCK_OPEN):
            stack.append(body.split()[0])
        elif body.startswith("else"):
            if not stack or stack[-1] not in ("if", "with", "range"):
                fail(f"{name}: 'else' outside if/with/range")
        elif body == "end":
            if not stack:
                fail(f"{name}: 'end' without an opening block"); return
            stack.pop()
    if stack:
        fail(f"{name}: unclosed blocks {stack}")

def stub(text, actions):
    """Replaces actions by tokens (__A<n>__), keeping every branch, so YAML structure shows."""
    text = strip_comments(text)
    out = []
    for line in text.split("\n"):
        acts = list(ACTION.finditer(line))
        rest = ACTION.sub("", line).strip()
        bodies = [a.group(2) for a in acts]
        control = lambda b: (b.startswith(BLOCK_OPEN) or b.startswith("else") or b == "end" or b.startswith("fail ")
                             or re.match(r"^\$\w+\s*:?=", b))
        if acts and not rest and all(control(b) for b in bodies):
            continue                                  # a control-only line
        if len(acts) == 1 and not rest and "nindent" in bodies[0]:
            n = int(re.search(r"nindent\s+(\d+)", bodies[0]).group(1))
            actions.append(bodies[0])
            prev = next((l for l in reversed(out)
                         if l.strip() and len(l) - len(l.lstrip()) <= n), "")
            item = prev.startswith(" " * n + "- ")              # inside a list: a list fragment
            out.append(" " * n + (f"- __A{len(actions)-1}__" if item else f"__A{len(actions)-1}__: stub"))
            continue
        def repl(m):
            actions.append(m.group(2))
            return f"__A{len(actions)-1}__"
        out.append(ACTION.sub(repl, line))
    joined = "\n".join(out)
    # multi-line actions (e.g. a dict literal) left over: drop them
    return re.sub(r"\{\{-?.*?-?\}\}", "", joined, flags=re.S)

def token_action(value, actions):
    m = re.fullmatch(r"__A(\d+)__", str(value)) if value is not None else None
    return actions[int(m.group(1))] if m else None

helpers = (tdir / "_helpers.tpl").read_text()
check_balance("_helpers.tpl", helpers)
defined = set(re.findall(r'define\s+"([^"]+)"', helpers))

values_text = (chart / "values.yaml").read_text()
values = yaml.safe_load(values_text)

def leaves(d, prefix=()):
    for k, v in d.items():
        p = prefix + (k,)
        if isinstance(v, dict) and v and k not in ("resources",):
            yield from leaves(v, p)
        else:
            yield p

schema = json.loads((chart / "values.schema.json").read_text())

def schema_has(path):
    node = schema
    for k in path:
        while "$ref" in node:
            node = schema["definitions"][node["$ref"].split("/")[-1]]
        props = node.get("properties", {})
        if k not in props:
            return False
        node = props[k]
    return True

def has_path(path):
    """In values.yaml, or an optional key below an empty map that the schema defines."""
    d = values
    for k in path:
        if isinstance(d, dict) and not d:
            return schema_has(path)
        if not isinstance(d, dict) or k not in d:
            return False
        d = d[k]
    return True

# kinds and apiVersions each template may produce
EXPECTED = {
    "webhook-deployment.yaml": {("apps/v1", "Deployment")},
    "webhook-service.yaml": {("v1", "Service")},
    "webhook-serviceaccount.yaml": {("v1", "ServiceAccount")},
    "webhook-configmap.yaml": {("v1", "ConfigMap")},
    "webhook-pdb.yaml": {("policy/v1", "PodDisruptionBudget")},
    "webhook-networkpolicy.yaml": {("networking.k8s.io/v1", "NetworkPolicy")},
    "webhook-tls-secret.yaml": {("v1", "Secret")},
    "webhook-certificate.yaml": {("cert-manager.io/v1", "Issuer"), ("cert-manager.io/v1", "Certificate")},
    "webhook-mutatingwebhookconfiguration.yaml": {("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration")},
    "storage-credentials.yaml": {("v1", "Secret"), ("v1", "ServiceAccount")},
    "tests/webhook-test-readiness.yaml": {("v1", "Pod")},
}
found = {str(p.relative_to(tdir)) for p in tdir.rglob("*.yaml")}
for missing in set(EXPECTED) - found:
    fail(f"missing template {missing}")
for extra in found - set(EXPECTED):
    fail(f"template {extra} has no expectation in check_chart.py")

values_used = set()
docs = {}
all_text = {"_helpers.tpl": helpers, "NOTES.txt": (tdir / "NOTES.txt").read_text()}
for rel in sorted(found & set(EXPECTED)):
    text = (tdir / rel).read_text()
    all_text[rel] = text
    check_balance(rel, text)
    actions = []
    try:
        parsed = [d for d in yaml.safe_load_all(stub(text, actions)) if d]
    except yaml.YAMLError as e:
        fail(f"{rel}: does not parse as YAML once actions are stubbed: {e}".replace("\n", " "))
        continue
    docs[rel] = (parsed, actions)
    kinds = {(d.get("apiVersion"), d.get("kind")) for d in parsed}
    if kinds != EXPECTED[rel]:
        fail(f"{rel}: produces {sorted(kinds)}, expected {sorted(EXPECTED[rel])}")
    for d in parsed:
        meta = d.get("metadata", {})
        name_act = token_action(meta.get("name"), actions) or ""
        raw_name = str(meta.get("name"))
        if rel == "storage-credentials.yaml":
            pass   # per-namespace Secret/ServiceAccount: the name is the one runner pods reference (a value)
        elif not re.search(r'include "jobtrail\.', name_act) and not re.match(r"__A\d+__-", raw_name):
            fail(f"{rel}: {d.get('kind')} name {raw_name!r} does not come from _helpers.tpl")
        elif re.match(r"__A(\d+)__-", raw_name) and 'include "jobtrail.' not in actions[int(re.match(r"__A(\d+)__", raw_name).group(1))]:
            fail(f"{rel}: {d.get('kind')} name prefix does not come from _helpers.tpl")
        ns_act = token_action(meta.get("namespace"), actions)
        if d.get("kind") == "MutatingWebhookConfiguration":
            if "namespace" in meta: fail(f"{rel}: cluster-scoped object with a namespace")
        elif rel == "storage-credentials.yaml":
            if ns_act != "$ns": fail(f"{rel}: namespace should be each listed namespace")
        elif ns_act != ".Release.Namespace":
            fail(f"{rel}: {d.get('kind')} namespace is {meta.get('namespace')!r}, not .Release.Namespace")
        labels = meta.get("labels") or {}
        if not any('include "jobtrail.labels"' in (token_action(k, actions) or "") for k in labels):
            fail(f"{rel}: {d.get('kind')} lacks the common labels")

# includes name defined helpers; .Values paths exist (following $x := .Values.a aliases)
for rel, text in all_text.items():
    for inc in re.findall(r'include\s+"([^"]+)"', text):
        if inc not in defined:
            fail(f"{rel}: include of undefined helper {inc!r}")
    aliases = {m.group(1): m.group(2) for m in re.finditer(r"(\$\w+)\s*:=\s*\.Values((?:\.\w+)+)", text)}
    refs = [m.group(1) for m in re.finditer(r"(?<!:= )\.Values((?:\.\w+)+)", text)]
    for var, base in aliases.items():
        refs += [base + m.group(1) for m in re.finditer(re.escape(var) + r"((?:\.\w+)+)", text)]
    for ref in refs:
        path = tuple(ref.strip(".").split("."))
        if path == ("__generatedTLS",):
            continue
        if not has_path(path):
            fail(f"{rel}: reads .Values.{'.'.join(path)}, which values.yaml does not define")
        values_used.add(path)
for leaf in leaves(values):
    if not any(leaf[:len(u)] == u or u[:len(leaf)] == leaf for u in values_used):
        fail(f"values.yaml: {'.'.join(leaf)} is never read by a template")

# every key of values.yaml is commented (children of resources blocks follow the Kubernetes API)
lines = values_text.split("\n")
in_resources = None
for i, line in enumerate(lines):
    m = re.match(r"^(\s*)([A-Za-z][\w-]*):", line)
    if not m:
        continue
    indent = len(m.group(1))
    if in_resources is not None and indent > in_resources:
        continue
    in_resources = indent if m.group(2) == "resources" else None
    j = i - 1
    if j < 0 or not lines[j].strip().startswith("#"):
        fail(f"values.yaml:{i+1}: key {m.group(2)!r} has no comment above it")

# the webhook configuration
if "webhook-mutatingwebhookconfiguration.yaml" in docs:
    (mwc,), acts = docs["webhook-mutatingwebhookconfiguration.yaml"]
    text = all_text["webhook-mutatingwebhookconfiguration.yaml"]
    for w in mwc.get("webhooks", []):
        exprs = [e for e in w.get("namespaceSelector", {}).get("matchExpressions", []) if isinstance(e, dict)]
        if {"key": "jobtrail.io/inject", "operator": "In", "values": ["enabled"]} not in exprs:
            fail("MWC: namespaceSelector does not require jobtrail.io/inject=enabled")
        own = [e for e in exprs if e.get("key") == "kubernetes.io/metadata.name" and e.get("operator") == "NotIn"]
        if not own or "Release.Namespace" not in (token_action(own[0]["values"][0], acts) or ""):
            fail("MWC: the release namespace is not excluded")
        if w.get("sideEffects") != "None": fail("MWC: sideEffects must be None")
        if w.get("admissionReviewVersions") != ["v1"]: fail("MWC: admissionReviewVersions must be [v1]")
        for key, val in (("failurePolicy", "failurePolicy"), ("timeoutSeconds", "timeoutSeconds"),
                         ("reinvocationPolicy", "reinvocationPolicy")):
            if token_action(w.get(key), acts) != f"$w.{val}":
                fail(f"MWC: {key} is not taken from values (webhook.{val})")
        svc = w.get("clientConfig", {}).get("service", {})
        if 'include "jobtrail.webhook.name"' not in (token_action(svc.get("name"), acts) or ""):
            fail("MWC: clientConfig.service.name is not the webhook Service's helper")
        if svc.get("path") != "/mutate": fail("MWC: path is not /mutate")
        if w.get("rules") != [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                               "resources": ["pods"], "scope": "Namespaced"}]:
            fail(f"MWC: unexpected rules {w.get('rules')}")
    if "cert-manager.io/inject-ca-from" not in text or "caBundle:" not in text:
        fail("MWC: needs both the cainjector annotation and a generated caBundle (one per TLS mode)")
    if not re.search(r"failurePolicy.*\n(.*#.*\n)*", text) or "outage" not in text:
        fail("MWC: failurePolicy has no comment on the trade-off")

# the Deployment: hardened, probes, resources, anti-affinity, names shared with other objects
if "webhook-deployment.yaml" in docs:
    (dep,), acts = docs["webhook-deployment.yaml"]
    spec = dep["spec"]["template"]["spec"]
    c = spec["containers"][0]
    sc = c.get("securityContext", {})
    if sc.get("readOnlyRootFilesystem") is not True: fail("Deployment: root fs not read-only")
    if sc.get("runAsNonRoot") is not True or spec.get("securityContext", {}).get("runAsNonRoot") is not True:
        fail("Deployment: not runAsNonRoot")
    if sc.get("allowPrivilegeEscalation") is not False: fail("Deployment: privilege escalation allowed")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        if probe not in c: fail(f"Deployment: no {probe}")
    if token_action(dep["spec"].get("replicas"), acts) != ".Values.webhook.replicas":
        fail("Deployment: replicas not from values")
    if "podAntiAffinity" not in spec.get("affinity", {}): fail("Deployment: no pod anti-affinity")
    if not any("webhook.resources" in (token_action(k, acts) or "") for k in (c.get("resources") or {})):
        fail("Deployment: resources not from values")
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    if 'jobtrail.webhook.tlsSecretName' not in (token_action(vols.get("tls", {}).get("secret", {}).get("secretName"), acts) or ""):
        fail("Deployment: TLS volume does not use the tlsSecretName helper")
    if 'jobtrail.webhook.configMapName' not in (token_action(vols.get("config", {}).get("configMap", {}).get("name"), acts) or ""):
        fail("Deployment: config volume does not use the configMapName helper")
    flags = sorted({re.match(r"(--[\w-]+)", a).group(1) for a in c.get("args", []) if str(a).startswith("--")})
    Path(sys.argv[0]).with_name("webhook_flags.txt") if False else None
    print("webhook flags used by the chart:", " ".join(flags))
    webhook_doc = repo / "docs" / "webhook.md"
    if webhook_doc.exists():
        doc = webhook_doc.read_text()
        for f in flags:
            if f not in doc: fail(f"Deployment: webhook flag {f} is not in docs/webhook.md")
    else:
        print("note: docs/webhook.md does not exist yet; webhook flags not compared with it")
for rel, name in (("webhook-pdb.yaml", "PDB"), ("webhook-service.yaml", "Service")):
    if rel in docs:
        (d,), acts = docs[rel]
        sel = d["spec"].get("selector", {})
        sel = sel.get("matchLabels", sel)
        if not any("jobtrail.webhook.selectorLabels" in (token_action(k, acts) or "") for k in sel):
            fail(f"{name}: selector does not use jobtrail.webhook.selectorLabels")

# keys of the webhook config file rendered by the chart
cm = all_text.get("webhook-configmap.yaml", "")
config_keys = sorted(set(re.findall(r'^\s*(?:"\w+"\s+\(dict\s+)?"(\w+)"\s', cm, re.M)) |
                     set(re.findall(r'\(dict\s*\n?\s*"(\w+)"', cm)) | set(re.findall(r'set \$creds "(\w+)"', cm)))
print("webhook config keys rendered by the chart:", " ".join(config_keys))
webhook_doc = repo / "docs" / "webhook.md"
if webhook_doc.exists():
    doc = webhook_doc.read_text()
    for k in config_keys:
        if not re.search(r"\b" + re.escape(k) + r"\b", doc):
            fail(f"webhook-configmap.yaml: config key {k!r} is not documented in docs/webhook.md")

print(f"checked {len(docs)} templates, {len(defined)} helpers, {len(values_used)} values paths")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
