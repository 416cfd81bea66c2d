#!/usr/bin/env bash
# Spark's embedding throughput and MLlib's probe time against the single-process paths on the same
# data (issue 15's benchmarks; BENCHMARKS.md, "Embedding and probing on Spark"):
#   - bench embed: rows/s of full MNIST's 60,000 training images (the bundled 10,000 when
#     ../shared/data/mnist is absent) through the default MLP and cnn-small, batch 256, on local[1],
#     local[2] and a two-worker standalone cluster on 127.0.0.1 (one core each, started and stopped here);
#   - bench probe: the linear probe on 60,000 x 512 features (a 784-1024-512 MLP's) locally and on MLlib,
#     local[2], all labels (C chosen on a held-out tenth, then the final fit).
#
#   mvn -B -q package -DskipTests
#   scripts/spark-bench.sh            (OUT: scratch folder, default target/spark-bench;
#                                      PRETRAIN=1 also runs spark-pretrain-bench.sh on the cluster;
#                                      PROBE=0 leaves out the probe table)
#
# The encoders are made by short pretraining runs (their weights do not change the time of a forward
# pass). Run it on a quiet machine: with other jobs on the cores the numbers say nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-target/spark-bench}
RUNNER=runner/target/pretext.jar
SPARK=spark/target/pretext-spark.jar
for j in "$RUNNER" "$SPARK"; do
  [ -f "$j" ] || { echo "no $j: run mvn -B -q package -DskipTests first" >&2; exit 2; }
done
DATA=mnist
[ -f ../shared/data/mnist/train-images-idx3-ubyte.gz ] && DATA=$(cd ../shared/data/mnist && pwd)
mkdir -p "$OUT"
cd "$OUT"
R="$ROOT/$RUNNER"
S="$ROOT/$SPARK"

encoder() { # NAME ARGS...: a short run of the default job's objective, exported
  local name=$1; shift
  if [ ! -f "$name.encoder" ]; then
    java -jar "$R" pretrain --steps 20 --force --out "run-$name" --threads 1 --set probe.monitor-every=0 "$@" > "run-$name.log" 2>&1
    java -jar "$R" export --run "run-$name" --out "$name.encoder" >> "run-$name.log" 2>&1
  fi
}
encoder mlp
encoder cnn --encoder cnn-small
encoder mlp512 --set encoder.hidden=1024 --set encoder.features=512

embed() { # MASTER [EXTRA...]
  local master=$1; shift
  java -jar "$S" bench embed --master "$master" "$@" --encoder mlp.encoder --encoder cnn.encoder \
    --dataset "$DATA" --rows 60000 --repeats 10 --out "embed-$(echo "$master" | tr -c 'a-z0-9' '-').json" \
    > "embed-$(echo "$master" | tr -c 'a-z0-9' '-').log" 2>&1
  grep '^| \(local\|spark\)' "embed-$(echo "$master" | tr -c 'a-z0-9' '-').log"
}

echo "| master | encoder (features) | rows | partitions | engine threads (single process / Spark task) | single process (rows/s) | Spark (rows/s) | Spark's first pass (s) | Spark's overhead per row | Spark's fixed cost per pass (ms) | overhead per row beyond the fixed cost |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
# each Spark task runs on spark.task.cpus (1) engine threads: local[1] gives Spark one core, so it is
# compared with the single process on one core too
embed 'local[1]' --local-threads 1
embed 'local[2]'

# the two-worker standalone cluster of the README, on 127.0.0.1 only
export SPARK_HOME=$ROOT/spark/target/spark-home SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
OPENS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT
java "${OPENS[@]}" -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 \
  --webui-port 8080 > master.log 2>&1 &
PIDS+=($!)
for _ in $(seq 60); do (echo > /dev/tcp/127.0.0.1/7077) 2>/dev/null && break; sleep 1; done
for w in 1 2; do
  java "${OPENS[@]}" -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 \
    --memory 2g --webui-port $((8080 + w)) spark://127.0.0.1:7077 > "worker$w.log" 2>&1 &
  PIDS+=($!)
done
for _ in $(seq 60); do [ "$(grep -c 'Registered worker' master.log || true)" -ge 2 ] && break; sleep 1; done
embed spark://127.0.0.1:7077 --conf spark.executor.memory=1g
if [ "${PRETRAIN:-0}" = 1 ]; then # the pretraining table on the same cluster
  echo
  OUT="$ROOT/$OUT/pretrain" "$ROOT/scripts/spark-pretrain-bench.sh" spark://127.0.0.1:7077
fi
kill "${PIDS[@]}" 2>/dev/null || true
PIDS=()

[ "${PROBE:-1}" = 0 ] && exit 0
echo
if [ ! -d f512/train ]; then
  java -jar "$S" embed --master 'local[2]' --encoder mlp512.encoder --dataset "$DATA" --out f512 > f512.log 2>&1
fi
java -jar "$S" bench probe --master 'local[2]' --train f512/train --test f512/test --labels-per-class all \
  --out probe.json > probe.log 2>&1
grep '^| ' probe.log
