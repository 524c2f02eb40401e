#!/bin/sh
# Runs N shards of a study as local processes, with the environment a
# Kubernetes Indexed Job gives its pods, then merges them:
#
#   deploy/local.sh 4 sweep scenarios/writer-crash.yaml --seeds 1..200 --out out
#
# The last `--out DIR` is where the partials and the merged result go.
set -eu
here=$(dirname "$0")
n=${1:?"usage: local.sh N AURORA-SIM-ARGS..."}
shift
out=out
prev=
for a in "$@"; do
    [ "$prev" = "--out" ] && out=$a
    prev=$a
done
if [ "$n" -eq 1 ]; then
    # One shard is the whole study.
    exec "${AURORA_SIM:-aurora-sim}" "$@"
fi
pids=
i=0
while [ "$i" -lt "$n" ]; do
    JOB_COMPLETION_INDEX=$i SHARDS=$n "$here/shard.sh" "$@" >/dev/null &
    pids="$pids $!"
    i=$((i + 1))
done
failed=0
for p in $pids; do
    wait "$p" || failed=1
done
if [ "$failed" -ne 0 ]; then
    echo "local.sh: a shard failed" >&2
    exit 1
fi
parts=$(ls "$out"/*.part-*-of-"$n".json)
# shellcheck disable=SC2086
exec "${AURORA_SIM:-aurora-sim}" merge $parts --out "$out"
