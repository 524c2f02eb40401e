#!/bin/sh
# Runs one shard of an aurora-sim study: the scheduler's task index
# becomes `--shard K/N`, so the same command line runs under Kubernetes,
# Slurm or deploy/local.sh.
#
#   Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based, set by the Job
#   controller) and SHARDS (the manifest sets it to the Job's completions).
#   Slurm job array: SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and
#   SLURM_ARRAY_TASK_COUNT (set by sbatch --array).
#
# The arguments are aurora-sim's: shard.sh sweep s.yaml --seeds 1..200 --out /out
set -eu
if [ -n "${JOB_COMPLETION_INDEX:-}" ]; then
    k=$((JOB_COMPLETION_INDEX + 1))
    n=${SHARDS:?"set SHARDS to the Indexed Job's completions"}
elif [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then
    k=$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0} + 1))
    n=${SLURM_ARRAY_TASK_COUNT:?"run under sbatch --array"}
else
    echo "shard.sh: neither JOB_COMPLETION_INDEX (Kubernetes) nor SLURM_ARRAY_TASK_ID (Slurm) is set" >&2
    exit 2
fi
exec "${AURORA_SIM:-aurora-sim}" "$@" --shard "$k/$n"
