#!/usr/bin/env bash
# Builds helm, kubeconform and actionlint from the Go module proxy and generates offline JSON schemas
# for kubeconform (core kinds of a pinned Kubernetes + KEDA, KEDA HTTP add-on, Dapr and External Secrets CRDs).
#   ${TODO_FN_CACHE:-~/.cache/todo-fn}/k8s-tools-helm<v>-kubeconform<v>-actionlint<v>/bin/{helm,kubeconform,actionlint}
#   ${TODO_FN_CACHE:-~/.cache/todo-fn}/k8s-schemas-<k8s>-keda<v>-httpaddon<v>-dapr<v>-eso<v>/{core,crds/<group>}/*.json
# Idempotent. Prints K8S_TOOLS_BIN=<dir> and K8S_SCHEMAS=<dir> on stdout (eval-able).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
cache="${TODO_FN_CACHE:-$HOME/.cache/todo-fn}"
tools="$cache/k8s-tools-helm$HELM_VERSION-kubeconform$KUBECONFORM_VERSION-actionlint$ACTIONLINT_VERSION"
schemas="$cache/k8s-schemas-$K8S_VERSION-keda$KEDA_VERSION-httpaddon$KEDA_HTTP_ADDON_VERSION-dapr$DAPR_VERSION-eso$EXTERNAL_SECRETS_VERSION"
bin="$tools/bin"
log() { echo "[get-k8s-tools] $*" >&2; }

done_tools() { [ -x "$bin/helm" ] && [ -x "$bin/kubeconform" ] && [ -x "$bin/actionlint" ]; }
done_schemas() { [ -f "$schemas/.complete" ]; }
report() { echo "K8S_TOOLS_BIN=$bin"; echo "K8S_SCHEMAS=$schemas"; }
if done_tools && done_schemas; then report; exit 0; fi

mkdir -p "$cache"
exec 9>"$cache/.k8s-tools.lock"
flock 9
if done_tools && done_schemas; then report; exit 0; fi
command -v go >/dev/null || { log "go is not installed (need Go >= 1.26)"; exit 1; }

work="$(mktemp -d "$cache/k8s-tools-build.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$bin"

# Each binary is built into $work and moved into place only when complete.
install_tool() { # name pkg@version [ldflags]
  local name="$1" pkg="$2" ldflags="${3:-}"
  [ -x "$bin/$name" ] && return 0
  local t0; t0=$(date +%s)
  log "building $name ($pkg)"
  (cd "$work" && GOBIN="$work/gobin" CGO_ENABLED=0 nice -n 10 go install -trimpath -ldflags "-s -w $ldflags" "$pkg")
  mv "$work/gobin/$name" "$bin/$name"
  log "$name built in $(( $(date +%s) - t0 ))s"
}
k8s_minor="$(echo "$K8S_VERSION" | cut -d. -f2)"
install_tool kubeconform "github.com/yannh/kubeconform/cmd/kubeconform@v$KUBECONFORM_VERSION"
install_tool actionlint "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION"
# Without these ldflags helm assumes Kubernetes 1.20 for .Capabilities in `helm template`.
install_tool helm "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION" \
  "-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION \
   -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$k8s_minor \
   -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$k8s_minor"

if ! done_schemas; then
  t0=$(date +%s)
  moddir() { # module@version -> extracted module dir in GOMODCACHE
    (cd "$work" && go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  }
  log "fetching OpenAPI + CRD sources (k8s.io/kubernetes@v$K8S_VERSION is ~70 MB)"
  k8s="$(moddir "k8s.io/kubernetes@v$K8S_VERSION")"
  keda="$(moddir "github.com/kedacore/keda/v2@v$KEDA_VERSION")"
  http="$(moddir "github.com/kedacore/http-add-on@v$KEDA_HTTP_ADDON_VERSION")"
  dapr="$(moddir "github.com/dapr/dapr@v$DAPR_VERSION")"
  eso="$(moddir "github.com/external-secrets/external-secrets@v$EXTERNAL_SECRETS_VERSION")"
  for d in "$k8s" "$keda" "$http" "$dapr" "$eso"; do [ -n "$d" ] && [ -d "$d" ] || { log "module download failed"; exit 1; }; done
  out="$work/schemas"
  (cd "$here/schemagen" && nice -n 10 go run . -swagger "$k8s/api/openapi-spec/swagger.json" -out "$out" \
    "$keda"/config/crd/bases/*.yaml "$http"/config/crd/bases/*.yaml "$dapr"/charts/dapr/crds/*.yaml \
    "$eso"/config/crds/bases/external-secrets.io_externalsecrets.yaml)
  for f in core/deployment-apps-v1.json crds/keda.sh/scaledobject_v1alpha1.json \
           crds/http.keda.sh/httpscaledobject_v1alpha1.json crds/dapr.io/component_v1alpha1.json \
           crds/external-secrets.io/externalsecret_v1.json; do
    [ -s "$out/$f" ] || { log "schema $f was not generated"; exit 1; }
  done
  printf 'kubernetes=%s keda=%s http-add-on=%s dapr=%s external-secrets=%s\n' "$K8S_VERSION" "$KEDA_VERSION" \
    "$KEDA_HTTP_ADDON_VERSION" "$DAPR_VERSION" "$EXTERNAL_SECRETS_VERSION" > "$out/.complete"
  rm -rf "$schemas"
  mv "$out" "$schemas"
  log "schemas generated in $(( $(date +%s) - t0 ))s -> $schemas"
fi
done_tools || { log "tools missing after build"; exit 1; }
report
