#!/usr/bin/env bash
# The kind job's counterpart of `npm run platform -- images` (which builds inside Minikube): builds every
# image with docker buildx from platform/Dockerfile, tagged todo-<name>:<tag>, and loads them all into a
# kind cluster. The names are the CLI's own list (platform/cli/images.ts imageNames(): every function of
# the chart's catalog projection, then migrate and web). Nothing is pushed anywhere.
#   platform/scripts/kind-images.sh <tag> [kind cluster name, default $KIND_CLUSTER_NAME or kind]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tag="${1:?usage: platform/scripts/kind-images.sh <tag> [kind cluster name]}"
cluster="${2:-${KIND_CLUSTER_NAME:-kind}}"

names_out="$(node --input-type=module -e "
  const { importTs } = await import('./platform/scripts/run-ts.mjs');
  const { imageNames } = await importTs('platform/cli/images.ts');
  console.log(imageNames().join('\n'));
")"
mapfile -t names <<<"$names_out"
[ "${#names[@]}" -gt 2 ] || { echo "kind-images: no image names from platform/cli/images.ts" >&2; exit 1; }

images=()
i=0
for name in "${names[@]}"; do
  i=$((i + 1))
  if [ "$name" = web ]; then target=(--target web); else target=(--build-arg "FUNCTION=$name"); fi
  echo "::group::[$i/${#names[@]}] todo-$name:$tag"
  t0=$(date +%s)
  # --provenance=false: an attestation manifest is left out of `docker save` under Docker's containerd image
  # store (the default since Docker 29), and kind's import then fails with "content digest … not found".
  docker buildx build --load --provenance=false -f platform/Dockerfile "${target[@]}" -t "todo-$name:$tag" .
  echo "::endgroup::"
  echo "[$i/${#names[@]}] built todo-$name:$tag in $(($(date +%s) - t0))s"
  images+=("todo-$name:$tag")
done

# One `kind load` for all of them: the shared layers (distroless base) are saved and imported once.
t0=$(date +%s)
kind load docker-image --name "$cluster" "${images[@]}"
echo "loaded ${#images[@]} images into kind cluster $cluster in $(($(date +%s) - t0))s"
