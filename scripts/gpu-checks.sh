#!/usr/bin/env bash
# The GPU measurements that CPU runs cannot make (about 20 minutes on an H200 in all, random
# weights, no hub): the CUDA-only tests, then each benchmark's figures for docs/benchmarks.md.
#
#   bash scripts/gpu-checks.sh [OUT_DIR [STEP...]]   # one log per step in OUT_DIR (default: gpu-checks/)
#
# With STEPs only those run: where a command may run for 10 minutes at most, four calls
# (`cuda-tests scan`, `fast`, `live-exact live-tuned profile`, `soak`). A step that fails is logged and the next one runs. Steps, in order of
# what the open issues need:
#   cuda-tests  the files holding the CUDA-only tests: graphs (live and scan windows), fused kernels,
#               nvJPEG, each against the eager reference
#   scan        a keyframe's stages on eager, graph and tuned windows, points and Gaussians (issue 10)
#   fast        the live path step by step with the tuned path's accuracy (issue 12)
#   live-exact  eight sessions of points and of giant Gaussians through the app (issue 12)
#   live-tuned  the same with --tuned
#   profile     where a tuned giant batch of four spends its GPU time, by kind of kernel
#   soak        four giant sessions and an HQ capture every 30 s for 7.5 minutes: server memory with
#               the malloc trims, GPU memory, the cache (issue 13)
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-gpu-checks}"
shift || true
wanted=" $* "
mkdir -p "$out"

step() {
  local name=$1 limit=$2
  shift 2
  [[ "$wanted" == "  " || "$wanted" == *" $name "* ]] || return 0
  echo "== $name ($(date -u +%H:%M:%S))"
  timeout "$limit" "$@" >"$out/$name.log" 2>&1
  echo "   exit $? — $out/$name.log"
}

step cuda-tests 600 python -m pytest -q -rs tests/test_fast.py tests/test_frames.py tests/test_budget.py \
  tests/test_camera.py tests/test_pack.py tests/test_batching.py
step scan 600 python bench/bench_scan.py --device cuda --weights random --model giant --keyframes 40 --minutes 0
step fast 540 python bench/bench_fast.py --reps 30
step live-exact 600 python bench/bench_live.py --device cuda --scenarios points:8,gaussians:8 --seconds 15
step live-tuned 600 python bench/bench_live.py --device cuda --scenarios points:8,gaussians:8 --seconds 15 --tuned
step profile 300 python bench/profile_model.py --model giant --path tuned --batch 4
step soak 560 python bench/soak.py --device cuda --model base --gaussian-model giant --mode Gaussians \
  --detail "Full (504×378)" --sessions 4 --capture-every 30 --minutes 7.5
