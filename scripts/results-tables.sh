#!/usr/bin/env bash
# Rebuilds the README's results tables: one `pretext run` per (objective, dataset) cell, then
# docs/results-SUITE.md and docs/results-SUITE.json assembled from the cells' report.json files.
#
#   scripts/results-tables.sh contrastive|selfpredict [options]
#   scripts/results-tables.sh contrastive|selfpredict --measure [--steps N]
#
# Options (each also an environment variable; flags win):
#   --steps N            pretraining steps of every cell (STEPS; default: each cell's own budget, below)
#   --labels K           labels per class of the few-label probe (LABELS; default 10); all labels are always probed
#   --draws N            seeded draws of the K-per-class labelled subset (DRAWS; default 10)
#   --datasets A,B       image datasets, folders under DATA (DATASETS; default mnist,fashion-mnist)
#   --only A,B           cells to run, by name (ONLY; default all); the tables list every cell that has a report
#   --robust-epsilon E   L∞ radius of the PGD attack on the probes of the cells marked robust
#                        (ROBUST_EPSILON; default 8/255 = 0.0314, the adversarial objective's training radius)
#   --robust-examples N  test examples attacked (ROBUST_EXAMPLES; default 0: the whole test split)
#   --seed N             run seed (SEED; default 42)
#   --threads N          engine intra-op threads per run (THREADS; default 1, 0: one per core). On the shared
#                        2-core machine, with other jobs running, two OpenMP threads per run were 10-30x
#                        slower (MoCo: 1.7 steps/s with 2 threads, 17 with 1); on an idle machine 2 threads
#                        are 1.4-1.75x faster (../shared/notes/djl.md)
#   --no-all-labels      probe at K labels per class only (ALL_LABELS=no; for quick trials: the tables'
#                        all-labels column stays empty, the attack still fits its all-labels probe)
#   --extra "ARGS"       more runner arguments for every cell, e.g. "--set dataset.test-limit=1000" (EXTRA)
#   --assemble-only      do not run anything: rebuild the tables from the reports present
#   --merge              keep the rows of the committed docs/results-SUITE.json that no report in OUT
#                        replaces (MERGE=1): rerunning a few cells (--only) updates their rows and leaves
#                        the others as they were, instead of writing tables of the cells present only
#   --dry-run            print the commands, run nothing
#   --measure            pretrain each objective of the suite for --steps (default 60) steps on the first
#                        dataset without probes, print steps/s (from step N/2 on, after start-up) and the
#                        step budget that fits TARGET_MINUTES (default 30) given PER_CELL_SECONDS (default 40:
#                        JVM start, data, probes at K and all labels), BASELINE_SECONDS (default 13: the
#                        random-encoder probes, once per group and dataset) and ROBUST_SECONDS (default 10:
#                        PGD-20 on 10,000 test digits through the MLP) — measured here with --threads 1
# Paths: JAR (runner/target/pretext.jar), DATA (../shared/data), OUT (runs/tables/SUITE), DOCS (docs),
# JAVA (java). Build the jar first: mvn -o -q install -DskipTests
#
# The tables end with DOCS/results-SUITE.notes.md when it exists (hand-written notes on how rows were made).
#
# Each cell runs in its own JVM into OUT/CELL-DATASET (log: OUT/CELL-DATASET.log). A cell whose
# folder holds report.json is skipped, one with checkpoints is resumed (`run --resume`), so an
# interrupted suite continues where it stopped. A cell's arguments are kept in OUT/CELL-DATASET.args:
# rerunning with other settings (steps, labels, ...) stops instead of mixing results; delete the
# cell's folder or choose another OUT. A failed cell is reported and the others still run.
#
# JSON is read and written with jq (1.6 here); nothing else beyond bash and coreutils.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { echo "results-tables: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

[[ $# -ge 1 ]] || usage
SUITE="$1"; shift
case "$SUITE" in
  contrastive|selfpredict) ;;
  -h|--help) usage ;;
  *) die "unknown suite '$SUITE': expected contrastive or selfpredict" ;;
esac

MEASURE=0; DRY=0; ASSEMBLE_ONLY=0; MERGE="${MERGE:-0}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) STEPS="$2"; shift 2 ;;
    --labels) LABELS="$2"; shift 2 ;;
    --draws) DRAWS="$2"; shift 2 ;;
    --datasets) DATASETS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --robust-epsilon) ROBUST_EPSILON="$2"; shift 2 ;;
    --robust-examples) ROBUST_EXAMPLES="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --no-all-labels) ALL_LABELS=no; shift ;;
    --extra) EXTRA="$2"; shift 2 ;;
    --measure) MEASURE=1; shift ;;
    --dry-run) DRY=1; shift ;;
    --assemble-only) ASSEMBLE_ONLY=1; shift ;;
    --merge) MERGE=1; shift ;;
    -h|--help) usage ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

# Default budgets: measured steps/s on this 2-core machine (see the README's results section).
# A --steps (or STEPS) given by the user applies to every cell; otherwise each cell takes its own
# budget (the STEPS field of its line below), or the suite's default.
STEPS_GIVEN="${STEPS:+yes}"
if [[ $MEASURE -eq 1 ]]; then
  STEPS="${STEPS:-60}"
elif [[ "$SUITE" == contrastive ]]; then
  STEPS="${STEPS:-1000}"
else
  STEPS="${STEPS:-1000}"
fi
LABELS="${LABELS:-10}"
DRAWS="${DRAWS:-10}"
DATASETS="${DATASETS:-mnist,fashion-mnist}"
ONLY="${ONLY:-}"
ROBUST_EPSILON="${ROBUST_EPSILON:-0.0314}"
ROBUST_EXAMPLES="${ROBUST_EXAMPLES:-0}"
SEED="${SEED:-42}"
THREADS="${THREADS:-1}"
ALL_LABELS="${ALL_LABELS:-yes}"
EXTRA="${EXTRA:-}"
JAVA="${JAVA:-java}"
JAR="${JAR:-$ROOT/runner/target/pretext.jar}"
DATA="${DATA:-$(cd "$ROOT/.." && pwd)/shared/data}"
OUT="${OUT:-$ROOT/runs/tables/$SUITE}"
DOCS="${DOCS:-$ROOT/docs}"
TARGET_MINUTES="${TARGET_MINUTES:-30}"
PER_CELL_SECONDS="${PER_CELL_SECONDS:-40}"
BASELINE_SECONDS="${BASELINE_SECONDS:-13}"
ROBUST_SECONDS="${ROBUST_SECONDS:-10}"

for v in STEPS LABELS DRAWS ROBUST_EXAMPLES SEED THREADS; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number, not '${!v}'"
done
[[ "$ROBUST_EPSILON" =~ ^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$ ]] || die "ROBUST_EPSILON must be a number, not '$ROBUST_EPSILON'"
command -v jq >/dev/null || die "jq is needed to read the reports (apt-get install jq)"
[[ $ASSEMBLE_ONLY -eq 1 || $DRY -eq 1 || -f "$JAR" ]] || die "$JAR does not exist: build it with mvn -o -q install -DskipTests"

# ---------------------------------------------------------------------------------------------
# The cells. One line each: NAME|KIND|ROBUST|GROUP|FEATURE|STEPS|ARGS
#   KIND      images (run on every dataset of DATASETS) or sst2 (SST-2 sentences)
#   ROBUST    yes: the all-labels probe is attacked with PGD (probe.robust-epsilon)
#   GROUP     cells of one group share an encoder architecture, its input and the seed, so their
#             randomly initialised encoders are the same network: the first selected cell of a
#             group measures the random-encoder baseline and the others take it from there
#   FEATURE   the report's feature-set name of the pretrained features (text: a feature map)
#   STEPS     the cell's pretraining budget (empty: the suite's default); --steps overrides it
#   ARGS      runner arguments (no spaces inside an argument)
# ---------------------------------------------------------------------------------------------
# the contrastive benchmark's settings (ContrastiveBenchmark): the 784-512-128 MLP, batch 256, AdamW 2e-3
CONTRASTIVE_TRAINING="--encoder mlp --set training.batch-size=256 --set training.learning-rate=2e-3"
CONTRASTIVE_TRAINING+=" --set training.warmup-fraction=0.05 --set training.final-learning-rate-fraction=0.1"
CONTRASTIVE_TRAINING+=" --set training.clip-norm=1"
SELFPREDICT_TRAINING="--set training.learning-rate=2e-3 --set training.warmup-fraction=0.05"
SELFPREDICT_TRAINING+=" --set training.final-learning-rate-fraction=0.1 --set training.clip-norm=1"

cells() {
  case "$SUITE" in
    contrastive)
      local o
      for o in simclr contrastive-k moco byol simsiam barlow-twins vicreg spectral nnclr dcl dclw tico lejepa moco-v3 mmcr; do
        local robust=no
        [[ $o == simclr || $o == byol ]] && robust=yes
        echo "$o|images|$robust|mlp|pretrained||--objective $o $CONTRASTIVE_TRAINING"
      done
      # issue 19's distillation and clustering objectives on the same MLP: two global views, no local crops
      # (the MLP takes one input size); DINO's teacher temperature as in examples/configs/mnist-dino.yaml
      echo "dino|images|no|mlp|pretrained||--objective dino --set objective.local-crops=0 --set objective.teacher-temperature=0.01 --set objective.warmup-teacher-temperature=0.01 $CONTRASTIVE_TRAINING"
      echo "swav|images|no|mlp|pretrained||--objective swav --set objective.local-crops=0 $CONTRASTIVE_TRAINING"
      echo "adversarial-simclr|images|yes|mlp|pretrained||--objective adversarial --set objective.objective=simclr $CONTRASTIVE_TRAINING"
      echo "adversarial-byol|images|yes|mlp|pretrained||--objective adversarial --set objective.objective=byol $CONTRASTIVE_TRAINING"
      ;;
    selfpredict)
      # encoders and batch sizes of the self-prediction measurements (SelfPredictMeasurements)
      echo "mae|images|no|vit|pretrained|1000|--objective mae --encoder vit-tiny --set encoder.width=64 --set encoder.depth=2 --set training.batch-size=64 $SELFPREDICT_TRAINING --set training.final-learning-rate-fraction=1.0"
      # issue 19's masked prediction on the same ViT (so the same random encoder as mae), at the settings of
      # examples/configs/mnist-ijepa.yaml and mnist-simmim.yaml
      echo "ijepa|images|no|vit|pretrained|1000|--objective ijepa --set objective.predictor-width=32 --encoder vit-tiny --set encoder.width=64 --set encoder.depth=2 --set training.batch-size=64 $SELFPREDICT_TRAINING"
      echo "simmim|images|no|vit|pretrained|4000|--objective simmim --set objective.loss=l2 --encoder vit-tiny --set encoder.width=64 --set encoder.depth=2 --set training.batch-size=64 $SELFPREDICT_TRAINING"
      # MSN (issue 19) lives in objectives-contrastive but needs the ViT: here, in the vit group, it shares the
      # random ViT of mae, ijepa and simmim; the settings of examples/configs/mnist-msn.yaml
      echo "msn|images|no|vit|pretrained|1000|--objective msn --set objective.target-temperature=0.01 --encoder vit-tiny --set encoder.width=64 --set encoder.depth=2 --set training.batch-size=64 $SELFPREDICT_TRAINING"
      echo "denoising|images|no|mlp784|pretrained|10000|--objective denoising --set objective.mask-fraction=0.5 --encoder mlp --set training.batch-size=128 $SELFPREDICT_TRAINING"
      echo "part-prediction|images|no|mlp392|pretrained|10000|--objective part-prediction --encoder mlp --set training.batch-size=128 $SELFPREDICT_TRAINING"
      echo "rotation|images|no|cnn8|pretrained|3000|--objective rotation --set objective.head-hidden=512 --encoder cnn-small --set encoder.width=8 --set training.batch-size=32 $SELFPREDICT_TRAINING"
      # the language-modelling benchmark's transformer, bidirectional (examples/configs/sst2-lm.yaml)
      echo "mlm|sst2|no|transformer|pretrained/mean|1500|--objective mlm --dataset sst2 --set dataset.path=$DATA/sst2 --set dataset.tokenizer=bpe --set dataset.vocabulary=2048 --encoder transformer --set encoder.causal=false --set encoder.layers=4 --set encoder.heads=4 --set encoder.width=128 --set encoder.context=64 --set encoder.dropout=0.1 --set training.batch-size=32 --set training.learning-rate=1e-3 --set training.warmup-fraction=0.05 --set training.final-learning-rate-fraction=0.1 --set training.weight-decay=0.1 --set training.clip-norm=1"
      ;;
  esac
}

selected() { # NAME → whether --only selects it
  [[ -z "$ONLY" ]] && return 0
  local n
  IFS=',' read -ra names <<<"$ONLY"
  for n in "${names[@]}"; do [[ "$n" == "$1" ]] && return 0; done
  return 1
}

if [[ -n "$ONLY" ]]; then
  IFS=',' read -ra wanted <<<"$ONLY"
  for w in "${wanted[@]}"; do
    cells | cut -d'|' -f1 | grep -qx -- "$w" || die "no cell '$w' in suite $SUITE: expected any of $(cells | cut -d'|' -f1 | paste -sd, -)"
  done
fi

datasets_of() { # KIND → dataset names
  if [[ "$1" == sst2 ]]; then echo sst2; else tr ',' '\n' <<<"$DATASETS"; fi
}

dataset_args() { # KIND DATASET → runner arguments
  if [[ "$1" != sst2 ]]; then echo "--dataset $DATA/$2"; fi
}

if [[ $ASSEMBLE_ONLY -eq 0 ]]; then
  while IFS='|' read -r name kind rest; do
    selected "$name" || continue
    while read -r ds; do
      [[ -d "$DATA/$ds" ]] || die "dataset folder $DATA/$ds does not exist (set DATA or --datasets)"
    done < <(datasets_of "$kind")
  done < <(cells)
fi

# ---------------------------------------------------------------------------------------------
# --measure: steady-state pretraining speed per objective and the budget that fits the target
# ---------------------------------------------------------------------------------------------
if [[ $MEASURE -eq 1 ]]; then
  first_dataset="$(tr ',' '\n' <<<"$DATASETS" | head -1)"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  total_inverse=0; cells_n=0; robust_n=0
  declare -A groups=()
  printf '%-20s %-14s %10s %10s\n' cell dataset steps/s s/100steps
  while IFS='|' read -r name kind robust group feature steps args; do
    selected "$name" || continue
    ds="$first_dataset"; [[ "$kind" == sst2 ]] && ds=sst2
    n_datasets=$(datasets_of "$kind" | wc -l)
    # shellcheck disable=SC2046,SC2086
    cmd=("$JAVA" -jar "$JAR" pretrain $args $(dataset_args "$kind" "$ds") $EXTRA --seed "$SEED" --steps "$STEPS"
      --threads "$THREADS"
      --set training.log-every=10 --set training.checkpoint-every=0 --set probe.monitor-every=0
      --out "$tmp/$name" --force)
    if [[ $DRY -eq 1 ]]; then echo "${cmd[*]}"; continue; fi
    "${cmd[@]}" </dev/null >"$tmp/$name.log" 2>&1 || { echo "$name: failed, see below" >&2; tail -20 "$tmp/$name.log" >&2; continue; }
    rate=$(jq -s --argjson half $((STEPS / 2)) '
      (map(select(.step >= $half)) | first) as $a | last as $b
      | if $a == null or $b.step == $a.step then ($b.step / $b.elapsedSeconds)
        else (($b.step - $a.step) / ($b.elapsedSeconds - $a.elapsedSeconds)) end' "$tmp/$name/metrics.jsonl")
    printf '%-20s %-14s %10.2f %10.1f\n' "$name" "$ds" "$rate" "$(jq -n "100 / $rate")"
    total_inverse=$(jq -n "$total_inverse + $n_datasets / $rate")
    cells_n=$((cells_n + n_datasets))
    [[ $robust == yes ]] && robust_n=$((robust_n + n_datasets))
    groups[$group]=$n_datasets
  done < <(cells)
  [[ $DRY -eq 1 ]] && exit 0
  baselines_n=0
  for g in "${!groups[@]}"; do baselines_n=$((baselines_n + groups[$g])); done
  fixed=$((cells_n * PER_CELL_SECONDS + baselines_n * BASELINE_SECONDS + robust_n * ROBUST_SECONDS))
  budget=$(jq -n "($TARGET_MINUTES * 60 - $fixed) / $total_inverse | floor")
  echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$cells_n cells, $baselines_n random-encoder baselines, $robust_n attacks: $fixed s besides pretraining;"
  echo "pretraining costs $(jq -n "$total_inverse * 1000 | round / 1000") s per step of every cell"
  echo "steps per cell that fit ${TARGET_MINUTES} minutes: $budget"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# Run the cells
# ---------------------------------------------------------------------------------------------
has_baseline() { # REPORT FEATURE → whether the report holds the random-encoder features of FEATURE
  [[ -f "$1" ]] && jq -e --arg f "random-encoder${2#pretrained}" '.probe | any(.features == $f)' "$1" >/dev/null
}

mkdir -p "$OUT"
failed=()
declare -A baseline_taken=()
if [[ $ASSEMBLE_ONLY -eq 0 ]]; then
  # a group's baseline is measured once per dataset: by a finished or started cell that measures it,
  # else by the first selected cell of the group
  while IFS='|' read -r name kind robust group feature steps args; do
    while read -r ds; do
      if has_baseline "$OUT/$name-$ds/report.json" "$feature" \
          || grep -q 'random-encoder' "$OUT/$name-$ds/config.yaml" 2>/dev/null; then
        baseline_taken[$group-$ds]=1
      fi
    done < <(datasets_of "$kind")
  done < <(cells)
  while IFS='|' read -r name kind robust group feature steps args; do
    selected "$name" || continue
    while read -r ds; do
      cell="$name-$ds"
      dir="$OUT/$cell"
      budgets="$LABELS,all"; [[ $ALL_LABELS == no ]] && budgets="$LABELS"
      probe=(--set "probe.labels-per-class=$budgets" --set "probe.draws=$DRAWS" --set probe.monitor-every=0)
      [[ $robust == yes ]] && probe+=(--set "probe.robust-epsilon=$ROBUST_EPSILON" --set "probe.robust-examples=$ROBUST_EXAMPLES")
      # shellcheck disable=SC2206
      cell_steps="$STEPS"
      [[ -z "$STEPS_GIVEN" && -n "$steps" ]] && cell_steps="$steps"
      run_args=($args $(dataset_args "$kind" "$ds") --seed "$SEED" --steps "$cell_steps" "${probe[@]}" $EXTRA)
      [[ $THREADS -gt 0 ]] && run_args+=(--threads "$THREADS")
      if [[ -f "$OUT/$cell.args" ]] && [[ "$(cat "$OUT/$cell.args")" != "${run_args[*]}" ]]; then
        die "$dir was run with other arguments (see $OUT/$cell.args); delete $dir and $OUT/$cell.args, or choose another OUT"
      fi
      features=pretrained
      if [[ -z "${baseline_taken[$group-$ds]:-}" ]]; then
        features=pretrained,random-encoder
        baseline_taken[$group-$ds]=1
      fi
      if [[ -f "$dir/report.json" ]]; then
        echo "== $cell: done before (report.json), skipped"
        continue
      fi
      if [[ -f "$dir/config.yaml" && -d "$dir/checkpoints" ]]; then
        cmd=("$JAVA" -jar "$JAR" run --resume "$dir")
        what="resuming"
      else
        cmd=("$JAVA" -jar "$JAR" run "${run_args[@]}" --set "probe.features=$features" --out "$dir" --force)
        what="running"
      fi
      if [[ $DRY -eq 1 ]]; then echo "${cmd[*]}"; continue; fi
      echo "== $cell: $what ($(date +%H:%M:%S)), log $OUT/$cell.log"
      printf '%s' "${run_args[*]}" >"$OUT/$cell.args"
      start=$(date +%s)
      if "${cmd[@]}" </dev/null >>"$OUT/$cell.log" 2>&1; then
        echo "   done in $(( $(date +%s) - start )) s"
      else
        echo "   FAILED after $(( $(date +%s) - start )) s; last lines of $OUT/$cell.log:"
        tail -5 "$OUT/$cell.log" | sed 's/^/     /'
        failed+=("$cell")
      fi
    done < <(datasets_of "$kind")
  done < <(cells)
  [[ $DRY -eq 1 ]] && exit 0
fi

# ---------------------------------------------------------------------------------------------
# Assemble docs/results-SUITE.json and docs/results-SUITE.md from every cell's report
# ---------------------------------------------------------------------------------------------
mkdir -p "$DOCS"
rows="$(mktemp)"
trap 'rm -f "$rows"' EXIT
while IFS='|' read -r name kind robust group feature steps args; do
  random_feature="random-encoder${feature#pretrained}"
  while read -r ds; do
    cell="$name-$ds"
    report="$OUT/$cell/report.json"
    [[ -f "$report" ]] || continue
    # the group's random-encoder baseline: this cell's own, else the first report of the group that has it
    baseline="$report"
    if ! has_baseline "$report" "$feature"; then
      baseline=""
      while IFS='|' read -r n2 k2 r2 g2 rest; do
        if [[ "$g2" == "$group" ]] && has_baseline "$OUT/$n2-$ds/report.json" "$feature"; then
          baseline="$OUT/$n2-$ds/report.json"; break
        fi
      done < <(cells)
    fi
    jq -c --arg cell "$name" --arg ds "$ds" --arg feature "$feature" --arg random "$random_feature" \
      --arg run "${OUT#"$ROOT"/}/$cell" --arg baseline "${baseline:+${baseline#"$ROOT"/}}" \
      --argjson k "$LABELS" --slurpfile base "${baseline:-/dev/null}" '
      def entry($set; $budget): [.probe[] | select(.features == $set and .probe == "logistic"
        and .labelsPerClass == $budget)] | first
        | if . == null then null else {accuracy, sd: .accuracyStd, draws, drawAccuracies, drawSeeds} end;
      # pretrained minus random encoder on the same labelled draws (same seeds): mean and sd of the
      # per-draw differences, and the number of draws where the pretrained features won
      def paired($p; $r): if $p == null or $r == null or $p.drawSeeds == null or $p.drawSeeds != $r.drawSeeds
          or ($p.draws // 0) < 2 then null
        else [range(0; $p.draws) | $p.drawAccuracies[.] - $r.drawAccuracies[.]] as $d
          | ($d | add / length) as $m
          | {mean: $m, sd: (($d | map((. - $m) * (. - $m)) | add) / (($d | length) - 1) | sqrt),
             wins: ($d | map(select(. > 0)) | length), draws: ($d | length)} end;
      ($base | first // null) as $b
      | {
          objective: $cell,
          objectiveProvider: .objective,
          innerObjective: (.provenance.objectiveParams.objective // null),
          dataset: $ds,
          encoder: .encoder,
          encoderParams: .provenance.encoderParams,
          seed: .seed,
          steps: .pretrain.steps,
          seconds: .pretrain.seconds,
          resumedFromStep: .pretrain.resumedFromStep,
          samplesPerSecond: .pretrain.samplesPerSecond,
          finalLoss: .pretrain.finalLoss,
          features: $feature,
          labelsPerClass: $k,
          fewLabels: entry($feature; $k),
          allLabels: entry($feature; null),
          randomEncoderFewLabels: (if $b == null then null else ($b | entry($random; $k)) end),
          marginOverRandomEncoder: paired(entry($feature; $k);
            (if $b == null then null else ($b | entry($random; $k)) end)),
          randomEncoderFrom: (if $baseline == "" then null else $baseline end),
          robust: .robust,
          run: $run
        }' "$report" >>"$rows"
  done < <(datasets_of "$kind")
done < <(cells)

json="$DOCS/results-$SUITE.json"
md="$DOCS/results-$SUITE.md"
if [[ $MERGE -eq 1 && -f "$json" ]]; then
  # committed rows that no new report replaces, in the suite's cell order (a row's key: objective and dataset)
  order="$(cells | cut -d'|' -f1 | jq -R . | jq -s .)"
  kept="$(jq -c --slurpfile new "$rows" '.rows[] | . as $r
    | select([$new[] | select(.objective == $r.objective and .dataset == $r.dataset)] | length == 0)' "$json")"
  if [[ -n "$kept" ]]; then
    printf '%s\n' "$kept" >>"$rows"
    jq -c -s --argjson order "$order" --argjson datasets "$(printf '%s' "$DATASETS" | jq -R 'split(",")')" '
      sort_by([(.objective as $o | $order | index($o) // 1e9), (.dataset as $d | $datasets | index($d) // 1e9)])
      | .[]' "$rows" >"$rows.sorted" && mv "$rows.sorted" "$rows"
  fi
  echo "merge: kept $(printf '%s' "$kept" | grep -c . || true) committed rows of $json that no report in $OUT replaces"
fi
jq -s --arg suite "$SUITE" --arg generated "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --argjson k "$LABELS" \
  --argjson draws "$DRAWS" --arg eps "$ROBUST_EPSILON" --arg cpus "$(nproc)" --arg merged "$MERGE" '{
    suite: $suite,
    generated: $generated,
    command: ("scripts/results-tables.sh " + $suite + (if $merged == "1" then " --merge" else "" end)),
    labelsPerClass: $k,
    draws: $draws,
    robustEpsilon: ($eps | tonumber),
    processors: ($cpus | tonumber),
    rows: .
  }' "$rows" >"$json.tmp" && mv "$json.tmp" "$json"

jq -r '
  def pct: . * 1000 | round / 10 | tostring | if test("\\.") then . else . + ".0" end;
  def cell: if . == null then "–" elif .draws > 1 then (.accuracy | pct) + " ± " + (.sd | pct) else (.accuracy | pct) end;
  def signed: if . >= 0 then "+" + pct else pct end;
  def margin: if . == null then "–" else (.mean | signed) + " ± " + (.sd | pct) + " (\(.wins)/\(.draws))" end;
  def name: (if .innerObjective != null and .objectiveProvider == "adversarial"
    then "adversarial(" + .innerObjective + ")" else .objective end)
    + (if .features == "pretrained" then "" else " (" + (.features | sub("^pretrained/"; "")) + " features)" end);
  "# Results: \(.suite) objectives",
  "",
  "Generated by `\(.command)` on \(.generated) (\(.processors) processors)\(if (.command | endswith("--merge")) then "; rows that run did not replace are kept from the earlier tables, each with its run folder in the JSON" else "" end). Linear probe: multinomial logistic",
  "regression on the frozen features (the runner'"'"'s `logistic` probe), test accuracy in %; \(.labelsPerClass) labels per class:",
  "mean ± sd over \(.draws) seeded draws. Random encoder: the same architecture at its seeded initial weights, shared by",
  "the cells of one architecture and measured once per dataset (`randomEncoderFrom` in the JSON).",
  "Margin: pretrained minus random encoder on the same labelled draws (both probes see the same \(.labelsPerClass) examples",
  "per class in each draw), mean ± sd of the per-draw differences, and in how many draws the pretrained features won.",
  "Robust: the all-labels probe attacked end to end (encoder → standardiser → linear) by L∞ PGD within ε",
  "(`probe.robust-epsilon`: \(.robustEpsilon); 20 steps of ε/4 from a random start, inputs clamped to [0, 1]) on the test",
  "inputs; clean is the same classifier unattacked.",
  "Seconds are the last session'"'"'s pretraining time (a resumed cell is marked). Machine-readable: `results-\(.suite).json`.",
  "",
  "| objective | dataset | encoder | steps | pretrain s | \(.labelsPerClass) labels/class | all labels | random encoder, \(.labelsPerClass)/class | margin, \(.labelsPerClass)/class | PGD ε | clean | robust |",
  "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  (.rows[] | "| \(name) | \(.dataset) | \(.encoder) | \(.steps) | \(.seconds | round)\(if .resumedFromStep > 0 then " (resumed)" else "" end) | \(.fewLabels | cell) | \(.allLabels | cell) | \(.randomEncoderFewLabels | cell) | \(.marginOverRandomEncoder | margin) | \(.robust | if . == null then "–" else (.epsilon | tostring | .[0:6]) end) | \(.robust | if . == null then "–" else (.clean | pct) end) | \(.robust | if . == null then "–" else (.robust | pct) end) |")
' "$json" >"$md.tmp"
# hand-written notes on how rows were made (which session reran which cells, and under what load) live in
# DOCS/results-SUITE.notes.md and follow the table, so that regenerating the table keeps them
notes="$DOCS/results-$SUITE.notes.md"
if [[ -f "$notes" ]]; then
  { echo; cat "$notes"; } >>"$md.tmp"
fi
mv "$md.tmp" "$md"

echo "tables: $md, $json ($(jq '.rows | length' "$json") rows)"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "failed cells: ${failed[*]} (rerun the script to retry them)" >&2
  exit 1
fi
