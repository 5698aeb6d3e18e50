#!/usr/bin/env bash
# Trains each GAN variant for the same CPU time budget (dcgan preset, batch 32, seed 42),
# scores it with `evaluate` (10,000 samples), draws a grid with `generate --seed 1`, and
# prints the README's comparison table as Markdown. Needs jq. A variant whose run directory
# is already complete is not trained or scored again.
#
#   scripts/compare-variants.sh [SECONDS] [OUT_DIR]     # default: 270 s each, runs/compare
set -euo pipefail
budget="${1:-270}"
out="${2:-runs/compare}"
cd "$(dirname "$0")/.."
command -v jq >/dev/null || { echo "compare-variants: needs jq" >&2; exit 1; }
mkdir -p "$out"

# name|train flags
variants=(
  "standard|--unconditional"
  "lsgan|--unconditional --loss lsgan"
  "hinge|--unconditional --loss hinge"
  "wgan|--unconditional --loss wgan"
  "wgan-gp|--unconditional --loss wgan-gp"
  "conditional|"
  "conditional-ema|--ema 0.999"
)

rows=()
for v in "${variants[@]}"; do
  name="${v%%|*}"
  flags="${v#*|}"
  run="$out/$name"
  if [ ! -f "$run/log.csv" ]; then
    rm -rf "$run"
    # shellcheck disable=SC2086 # the flags are words
    cargo run -q -p train -- $flags --time-limit "$budget" --epochs 100 --seed 42 \
      --batch-size 32 --eval-every 0 --progress-every 60 --out "$run"
  fi
  if [ ! -f "$run/scores.json" ]; then
    cargo run -q -p evaluate -- --run "$run" --json >"$run/scores.json.tmp"
    mv "$run/scores.json.tmp" "$run/scores.json"
  fi
  cargo run -q -p generate -- --run "$run" --count 64 --seed 1 --png "$out/$name.png" >/dev/null
  # The last log line: steps in all, and training seconds in all (each step one real batch).
  log="$(tail -n 1 "$run/log.csv")"
  steps="$(cut -d, -f2 <<<"$log")"
  speed="$(awk -F, '{ print $2 * 32 / $12 }' <<<"$log")"
  rows+=("$(jq -r --arg name "$name" --arg flags "${flags:-(defaults)}" \
    --arg steps "$steps" --arg speed "$speed" '
    .samples as $s |
    "| \($name) | `\($flags)` | \($steps) | \($speed | tonumber | round) | \($s.classifier_score * 100 | round / 100) | \($s.frechet_distance * 10 | round / 10) | \($s.class_kl * 1000 | round / 1000) | \($s.rarest_share * 1000 | round / 1000) | \($s.confidence * 1000 | round / 1000) | \($s.nearest_train_mean * 100 | round / 100) | \(if .agreement then "\(.agreement * 1000 | round / 10) %" else "" end) |"
  ' "$run/scores.json")")
done

floor="$(jq -r '.real as $r |
  "| real data (floor) | | | | \($r.classifier_score * 100 | round / 100) | \($r.frechet_distance * 10 | round / 10) | \($r.class_kl * 1000 | round / 1000) | \($r.rarest_share * 1000 | round / 1000) | \($r.confidence * 1000 | round / 1000) | \($r.nearest_train_mean * 100 | round / 100) | |"
' "$out/standard/scores.json")"

echo
echo "| variant | flags | steps | images/s | classifier score | Fréchet distance | class KL | rarest share | confidence | nearest training image | agrees with the digit asked |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo "$floor"
