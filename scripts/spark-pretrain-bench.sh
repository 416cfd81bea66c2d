#!/usr/bin/env bash
# Pretraining on Spark by periodic model averaging: steps/s and examples/s with 1 and 2 workers at
# K = 1, 10 and 50 local steps per round, and each round's time split into broadcast and restore,
# local steps, and averaging and checkpoint. Prints a Markdown table for BENCHMARKS.md.
#
#   mvn -B -q package -DskipTests
#   scripts/spark-pretrain-bench.sh [MASTER]      (default local[2]; e.g. spark://127.0.0.1:7077)
#
# Environment: STEPS (local steps per worker in a run, default 100), BATCH (each worker's batch,
# default 64), OUT (scratch folder, default target/spark-pretrain-bench). Every run is SimCLR with the
# 784-512-128 MLP on the bundled MNIST subset, one engine thread per worker. The first round of each
# run (Spark's and the engine's start on the executors) is left out of the per-round means.
# Run it on a quiet machine: with other jobs on the 2 cores the numbers say nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
MASTER=${1:-local[2]}
STEPS=${STEPS:-100}
BATCH=${BATCH:-64}
OUT=${OUT:-target/spark-pretrain-bench}
JAR=spark/target/pretext-spark.jar
[ -f "$JAR" ] || { echo "no $JAR: run mvn -B -q package -DskipTests first" >&2; exit 2; }
EXTRA=()
case "$MASTER" in spark://*) EXTRA=(--conf spark.executor.memory=1g) ;; esac
rm -rf "$OUT"
mkdir -p "$OUT"
echo "| workers | K | rounds | steps/s (per worker) | examples/s (all workers) | broadcast + restore (s/round) | local steps (s/round) | averaging + checkpoint (s/round) |"
echo "|---|---|---|---|---|---|---|---|"
for W in 1 2; do
  for K in 1 10 50; do
    R=$(( STEPS / K ))
    log="$OUT/w$W-k$K.log"
    start=$(date +%s.%N)
    java -jar "$JAR" pretrain --master "$MASTER" "${EXTRA[@]}" --workers "$W" --rounds "$R" --local-steps "$K" \
      --set training.batch-size="$BATCH" --set threads=1 --set probe.monitor-every=0 \
      --out "$OUT/w$W-k$K" > "$log" 2>&1
    end=$(date +%s.%N)
    awk -v W="$W" -v K="$K" -v R="$R" -v B="$BATCH" -v t0="$start" -v t1="$end" '
      /^round / {
        n++
        if (n == 1) next
        gsub(/[(),]/, " ")
        for (i = 1; i <= NF; i++) {
          if ($i == "restore") b += $(i+1)
          if ($i == "local" && $(i+1) == "steps") l += $(i+2)
          if ($i == "averaging") a += $(i+3)
        }
        m++
      }
      /^pretrained / { for (i = 1; i <= NF; i++) if ($i == "in") secs = $(i+1) }
      END {
        if (m == 0) m = 1
        printf "| %d | %d | %d | %.1f | %.0f | %.3f | %.3f | %.3f |\n", W, K, R, R * K / secs, W * B * R * K / secs, b / m, l / m, a / m
      }' "$log"
  done
done
