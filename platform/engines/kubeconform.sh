#!/usr/bin/env bash
# kubeconform -strict -summary against the local schemas from get-k8s-tools.sh only (never the internet).
# Usage: platform/engines/kubeconform.sh [extra kubeconform flags] <files or dirs...>   (use - for stdin)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
eval "$("$here/get-k8s-tools.sh")"
[ $# -gt 0 ] || { echo "usage: $0 [kubeconform flags] <files|dirs|->" >&2; exit 2; }
exec "$K8S_TOOLS_BIN/kubeconform" -strict -summary \
  -schema-location "$K8S_SCHEMAS/core/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
  -schema-location "$K8S_SCHEMAS/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
  "$@"
