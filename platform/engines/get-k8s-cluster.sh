#!/usr/bin/env bash
# Builds a real Kubernetes control plane and the KEDA operator from the Go module proxy into
#   ${TODO_FN_CACHE:-~/.cache/todo-fn}/k8s-cluster-<k8s>-etcd<v>-keda<v>/bin/
#     {etcd,kube-apiserver,kube-controller-manager,kube-scheduler,keda-operator,keda-adapter}
#   …/keda-crds/*.yaml  (KEDA's CRDs from the same module)
# Idempotent: a complete cached build of the same recipe is reused (milliseconds). Prints the cache dir.
# Measured cold times (etcd ≈2 min, kube-* ≈14 min, KEDA ≈15 min on a
# busy 2-core machine). Each binary is published on its own, so an interrupted build resumes where it stopped.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
cache="${TODO_FN_CACHE:-$HOME/.cache/todo-fn}"
dest="$cache/k8s-cluster-$K8S_CLUSTER_VERSION-etcd$ETCD_VERSION-keda$KEDA_VERSION"
bin="$dest/bin"
log() { echo "[get-k8s-cluster] $*" >&2; }
recipe="r1"
names=(etcd kube-apiserver kube-controller-manager kube-scheduler keda-operator keda-adapter)

complete() {
  for n in "${names[@]}"; do [ -x "$bin/$n" ] || return 1; done
  [ -f "$dest/keda-crds/.complete" ] && [ "$(cat "$bin/.recipe" 2>/dev/null)" = "$recipe" ]
}
if complete; then echo "$dest"; exit 0; fi

mkdir -p "$bin"
exec 9>"$dest/.lock"
log "waiting for build lock $dest/.lock"
flock 9
if complete; then echo "$dest"; exit 0; fi
command -v go >/dev/null || { log "go is not installed (need Go >= 1.26)"; exit 1; }
[ "$(cat "$bin/.recipe" 2>/dev/null)" = "$recipe" ] || { rm -f "${names[@]/#/$bin/}"; echo "$recipe" > "$bin/.recipe"; }

work="$(mktemp -d "$dest/build.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
moddir() { (cd "$work" && GOFLAGS=-mod=mod go mod download -json "$1" | sed -n 's/^[[:space:]]*"\(Dir\|GoMod\)": "\(.*\)",\{0,1\}$/\1=\2/p'); }
publish() { mv "$work/out/$1" "$bin/$1"; log "$1 built in $(( $(date +%s) - $2 ))s"; }
mkdir -p "$work/out"

# etcd: its go.mod has ../ replaces, so build it through a wrapper module.
if [ ! -x "$bin/etcd" ]; then
  t0=$(date +%s); log "building etcd v$ETCD_VERSION"
  mkdir -p "$work/etcd" && cd "$work/etcd"
  go mod init todo-fn/etcd-wrapper >/dev/null 2>&1
  printf 'package tools\n\nimport _ "go.etcd.io/etcd/server/v3/etcdmain"\n' > tools.go
  go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" >/dev/null 2>&1
  go mod tidy >/dev/null 2>&1
  CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags "-s -w" -o "$work/out/etcd" go.etcd.io/etcd/server/v3
  publish etcd "$t0"
fi

# kube-*: a wrapper module requiring k8s.io/kubernetes and pinning each staging module at its v0.x.
k8s_bins=(kube-apiserver kube-controller-manager kube-scheduler)
need_k8s=0; for n in "${k8s_bins[@]}"; do [ -x "$bin/$n" ] || need_k8s=1; done
if [ "$need_k8s" = 1 ]; then
  t0=$(date +%s); log "building kube-apiserver, kube-controller-manager, kube-scheduler v$K8S_CLUSTER_VERSION"
  gomod="$(moddir "k8s.io/kubernetes@v$K8S_CLUSTER_VERSION" | sed -n 's/^GoMod=//p')"
  [ -f "$gomod" ] || { log "go mod download k8s.io/kubernetes@v$K8S_CLUSTER_VERSION gave no go.mod"; exit 1; }
  minor="$(echo "$K8S_CLUSTER_VERSION" | cut -d. -f2)"
  staging_v="v0.$minor.$(echo "$K8S_CLUSTER_VERSION" | cut -d. -f3)"
  mkdir -p "$work/k8s" && cd "$work/k8s"
  {
    echo "module todo-fn/k8s-wrapper"; echo; echo "go 1.26.0"; echo
    echo "require k8s.io/kubernetes v$K8S_CLUSTER_VERSION"; echo; echo "replace ("
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => \./staging/.*$#\t\1 => \1 '"$staging_v"'#p' "$gomod"
    echo ")"
  } > go.mod
  [ "$(grep -c ' => k8s.io/' go.mod)" -gt 20 ] || { log "found too few staging modules in $gomod"; exit 1; }
  printf 'package tools\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kube-controller-manager"\n\t_ "k8s.io/kubernetes/cmd/kube-scheduler"\n)\n' > tools.go
  go mod tidy >/dev/null
  # Without the version stamp kubectl, helm and KEDA cannot parse the server version.
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=v$K8S_CLUSTER_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  for n in "${k8s_bins[@]}"; do
    [ -x "$bin/$n" ] && continue
    t1=$(date +%s)
    CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags "$ld" -o "$work/out/$n" "k8s.io/kubernetes/cmd/$n"
    publish "$n" "$t1"
  done
fi

# KEDA: operator and metrics adapter from the module dir (copied writable), CRDs from the same module.
if [ ! -x "$bin/keda-operator" ] || [ ! -x "$bin/keda-adapter" ] || [ ! -f "$dest/keda-crds/.complete" ]; then
  log "building the KEDA operator + metrics adapter v$KEDA_VERSION"
  kdir="$(moddir "github.com/kedacore/keda/v2@v$KEDA_VERSION" | sed -n 's/^Dir=//p')"
  [ -d "$kdir" ] || { log "go mod download github.com/kedacore/keda/v2@v$KEDA_VERSION failed"; exit 1; }
  cp -r "$kdir" "$work/keda" && chmod -R u+w "$work/keda"
  rm -rf "$dest/keda-crds" && mkdir -p "$dest/keda-crds" && cp "$work/keda"/config/crd/bases/*.yaml "$dest/keda-crds/"
  touch "$dest/keda-crds/.complete"
  cd "$work/keda"
  kld="-s -w -X github.com/kedacore/keda/v2/version.Version=$KEDA_VERSION"
  for pair in keda-operator:./cmd/operator keda-adapter:./cmd/adapter; do
    n="${pair%%:*}"; [ -x "$bin/$n" ] && continue
    t1=$(date +%s)
    CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags "$kld" -o "$work/out/$n" "${pair#*:}"
    publish "$n" "$t1"
  done
fi
complete || { log "build incomplete"; exit 1; }
echo "$dest"
