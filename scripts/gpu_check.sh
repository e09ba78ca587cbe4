#!/usr/bin/env bash
# GPU check for ember: runs the GPU tests and the GPU benchmarks, then prints a summary.
#
#   bash scripts/gpu_check.sh            (from the repository root, on a machine with an
#                                         NVIDIA GPU, CuPy 14 and PyTorch with CUDA)
#
# Needs: python3 with numpy, cupy (cupy-cuda12x/13x), torch (the benchmark and test oracle),
# pytest and hypothesis. Nothing is downloaded; ember runs from this checkout (PYTHONPATH).
# Logs and benchmark JSON go to $OUT (default /tmp/ember_gpu_check). Takes under 5 minutes:
# the tests are capped at 180 s and the benchmarks at 100 s.
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
OUT=${OUT:-/tmp/ember_gpu_check}
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
start=$(date +%s)

echo "== environment"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total \
    --format=csv,noheader
if ! "$PY" - <<'PY'
import sys
missing = []
for mod in ("numpy", "cupy", "pytest", "hypothesis"):
    try:
        __import__(mod)
    except ImportError:
        missing.append(mod)
if missing:
    print("missing Python packages:", ", ".join(missing), "(pip install them first)")
    sys.exit(1)
import cupy
import ember
try:
    print("cupy", cupy.__version__, "| devices:", cupy.cuda.runtime.getDeviceCount())
except Exception as e:  # no driver or no GPU
    print("cupy", cupy.__version__, "cannot use the GPU:", e)
    sys.exit(1)
try:
    import torch
    print("torch", torch.__version__, "| cuda:", torch.cuda.is_available())
except ImportError:
    print("torch not installed: oracle tests and benchmark comparisons are skipped")
if not ember.cuda.is_available():
    print("ember.cuda.is_available() is False: CuPy sees no usable GPU")
    sys.exit(1)
print("ember sees", ember.cuda.get_device_name(), "capability", ember.cuda.get_device_capability())
PY
then
    echo "gpu_check: environment not ready (see above)"; exit 2
fi

echo "== GPU tests (tests/cuda and every device-parametrized test file)"
tests=$( (ls tests/cuda/test_*.py; grep -rl --include='test_*.py' "from devices import" tests) \
    | sort -u)
timeout 180 "$PY" -m pytest -q -p no:cacheprovider -rfE $tests 2>&1 | tee "$OUT/tests.log"
test_rc=${PIPESTATUS[0]}

echo "== GPU benchmarks (ember vs PyTorch, same run)"
timeout 100 "$PY" -m benchmarks.bench_gpu --json "$OUT/bench_gpu.json" 2>&1 \
    | tee "$OUT/bench.log"
bench_rc=${PIPESTATUS[0]}

echo "== summary ($(( $(date +%s) - start )) s)"
echo "tests:      $(grep -E '(passed|failed|error)' "$OUT/tests.log" | tail -1) (exit $test_rc)"
echo "benchmarks: exit $bench_rc (table above; JSON in $OUT/bench_gpu.json)"
grep -E '^\| (LeNet|conv2d)' "$OUT/bench.log" || true
if [ "$test_rc" -ne 0 ] || [ "$bench_rc" -ne 0 ]; then
    echo "gpu_check: FAILED"; exit 1
fi
echo "gpu_check: OK"
