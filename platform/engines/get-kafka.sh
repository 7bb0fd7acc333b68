#!/usr/bin/env bash
# Resolves the Apache Kafka broker (kafka_2.13 + log4j2 backend) from Maven Central into
#   ${TODO_FN_CACHE:-~/.cache/todo-fn}/kafka-<ver>/libs
# Idempotent: a complete cached classpath is reused. Prints the libs dir on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
cache="${TODO_FN_CACHE:-$HOME/.cache/todo-fn}"
dest="$cache/kafka-$KAFKA_VERSION"
libs="$dest/libs"
log() { echo "[get-kafka] $*" >&2; }

# .complete is written only after every jar landed, so a half download is never taken as cached.
if [ -f "$libs/.complete" ]; then echo "$libs"; exit 0; fi

mkdir -p "$dest"
exec 9>"$dest/.lock"
flock 9
if [ -f "$libs/.complete" ]; then echo "$libs"; exit 0; fi

command -v mvn >/dev/null || { log "mvn is not installed (need Maven + Java 17)"; exit 1; }
start=$(date +%s)
tmp="$(mktemp -d "$dest/libs.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
log "resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION from Maven Central"
mvn -B -q -Dstyle.color=never -f "$here/kafka/pom.xml" dependency:copy-dependencies \
  -Dkafka.version="$KAFKA_VERSION" -Dlog4j.version="$KAFKA_LOG4J_VERSION" \
  -DincludeScope=runtime -DoutputDirectory="$tmp" >&2
ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null
touch "$tmp/.complete"
rm -rf "$libs"
mv "$tmp" "$libs"
log "fetched in $(( $(date +%s) - start ))s -> $libs"
echo "$libs"
