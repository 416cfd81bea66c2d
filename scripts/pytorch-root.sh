#!/usr/bin/env bash
# Finds or builds a Debian trixie root holding PyTorch 2.6 (Debian's python3-torch), beside the
# system and outside the repository, and runs Python scripts of the project inside it.
#
#   scripts/pytorch-root.sh [setup]            build the root if it is missing or incomplete (idempotent)
#   scripts/pytorch-root.sh check              exit 0 if the root is complete, 1 if not (builds nothing)
#   scripts/pytorch-root.sh run SCRIPT [ARGS]  set up if needed, then run `python3 SCRIPT ARGS` inside the
#                                              root, in the project folder, and unmount afterwards
#   scripts/pytorch-root.sh path               print the root's location
#
# Environment:
#   PRETEXT_TORCH_ROOT   where the root lives (default /var/tmp/pretext-torch-root; ~1.8 GB)
#   DEBIAN_MIRROR        Debian mirror (default http://deb.debian.org/debian)
#   THREADS              OPENBLAS_NUM_THREADS / OMP_NUM_THREADS inside the root (default 1)
#   BLAS                 OpenBLAS build for `run`: openblas-pthread or openblas-openmp (through
#                        LD_LIBRARY_PATH, which python3-torch's libblas.so.3 and libopenblas.so.0 both
#                        follow), or default: the root's alternatives (Debian's default: pthread)
#   GLIBC_TUNABLES       passed into the root when set (the bench gives every side glibc's allocator
#                        settings: MallocTuning.GLIBC_TUNABLES)
#
# Needs root (debootstrap, chroot and bind mounts). Setup installs `debootstrap` on the host with
# apt-get if it is missing, runs `debootstrap --variant=minbase trixie`, then inside the root
# python3-torch (2.6.0) and python3-numpy, plus g++, python3-dev, python3-setuptools and
# libtorch-dev, which torch.compile's C++ backend needs (the headers under torch/include are links
# into libtorch-dev), and both OpenBLAS builds (pthread, openmp; the root's libblas.so.3 alternative
# is left at Debian's default, reported by `check`). A finished setup leaves a stamp file
# ROOT/.pretext-root-complete; an interrupted debootstrap is resumed from scratch.
#
# `run` pins the environment: env -i with PATH, HOME, LANG, OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=
# THREADS, PRETEXT_BLAS=BLAS (and LD_LIBRARY_PATH for it), GLIBC_TUNABLES when set, and no OPENBLAS_CORETYPE (the host sets Haswell = AVX2 kernels; without it OpenBLAS picks
# its AVX-512 kernels), PYTHONHASHSEED=0, PYTHONDONTWRITEBYTECODE=1 (no root-owned caches in the
# project). /proc, /sys, /dev and the project folder (mounted at the same path inside the root) are
# bind-mounted for the run and unmounted on exit, even on failure; the script runs in the current
# folder, which must be inside the project.
set -euo pipefail

ROOT="${PRETEXT_TORCH_ROOT:-/var/tmp/pretext-torch-root}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
THREADS="${THREADS:-1}"
PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STAMP="$ROOT/.pretext-root-complete"
PACKAGES=(python3-torch python3-numpy g++ python3-dev python3-setuptools libtorch-dev
          libopenblas0-pthread libopenblas0-openmp)

die() { echo "pytorch-root.sh: $*" >&2; exit 2; }

need_root() {
  [ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount); run it with sudo"
}

# Cheap: files only (importing torch takes seconds); `check` imports it. A root made before the
# torch.compile packages were added lacks g++ or the headers: setup then installs what is missing.
complete() {
  [ -f "$STAMP" ] && [ -x "$ROOT/usr/bin/python3" ] \
    && [ -f "$ROOT/usr/lib/python3/dist-packages/torch/__init__.py" ] \
    && [ -f "$ROOT/usr/lib/python3/dist-packages/numpy/__init__.py" ] \
    && [ -x "$ROOT/usr/bin/g++" ] && [ -d "$ROOT/usr/lib/python3/dist-packages/setuptools" ] \
    && [ -d "$ROOT/usr/include/torch" ] && compgen -G "$ROOT/usr/include/python3*/Python.h" >/dev/null \
    && [ -d "$ROOT/usr/lib/x86_64-linux-gnu/openblas-pthread" ] && [ -d "$ROOT/usr/lib/x86_64-linux-gnu/openblas-openmp" ]
}

setup() {
  if complete; then
    echo "PyTorch root ready at $ROOT"; return 0
  fi
  need_root
  if ! command -v debootstrap >/dev/null 2>&1; then
    echo "installing debootstrap on the host"
    apt-get update -q && apt-get install -y -q debootstrap
  fi
  if [ ! -x "$ROOT/usr/bin/apt-get" ] || [ -d "$ROOT/debootstrap" ]; then
    # No root, or a debootstrap that did not finish (it removes ROOT/debootstrap when done): start over.
    if [ -e "$ROOT" ]; then
      if awk -v r="$ROOT" '$2 == r || index($2, r "/") == 1 {found=1} END {exit !found}' /proc/mounts; then
        die "$ROOT is incomplete but has file systems mounted under it (a run in progress?); unmount them first"
      fi
      echo "removing the incomplete root $ROOT"
      rm -rf --one-file-system "$ROOT"
    fi
    mkdir -p "$(dirname "$ROOT")"
    debootstrap --variant=minbase trixie "$ROOT" "$MIRROR"
  fi
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
  mount_all
  trap unmount_all EXIT
  chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends ${PACKAGES[*]} && apt-get clean"
  chroot "$ROOT" /usr/bin/python3 -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__)'
  unmount_all
  trap - EXIT
  date -u +%FT%TZ > "$STAMP"
  echo "PyTorch root ready at $ROOT"
}

# Mounts are tracked in this list so that unmount_all undoes exactly what mount_all did.
MOUNTED=()
bind() {  # bind SOURCE TARGET_INSIDE_ROOT
  local target="$ROOT$2"
  mkdir -p "$target"
  if ! mountpoint -q "$target"; then
    mount --bind "$1" "$target"
    MOUNTED+=("$target")
  fi
}
mount_all() {
  bind /proc /proc
  bind /sys /sys
  bind /dev /dev
}
unmount_all() {
  local i
  for ((i=${#MOUNTED[@]}-1; i>=0; i--)); do
    umount "${MOUNTED[$i]}" 2>/dev/null || umount -l "${MOUNTED[$i]}" || true
  done
  MOUNTED=()
}

run() {
  [ $# -ge 1 ] || die "run needs a script: scripts/pytorch-root.sh run SCRIPT [ARGS]"
  local script="$1"; shift
  [ -f "$script" ] || die "script '$script' not found (relative to $(pwd))"
  script="$(cd "$(dirname "$script")" && pwd)/$(basename "$script")"
  case "$script" in
    "$PROJECT"/*) ;;
    *) die "script '$script' is outside the project folder $PROJECT (only the project is mounted in the root)";;
  esac
  case "$(pwd)/" in
    "$PROJECT"/*) ;;
    *) die "the current folder $(pwd) is outside the project folder $PROJECT; run from inside it";;
  esac
  [[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || die "THREADS='$THREADS': expected a positive integer"
  local blas="${BLAS:-default}" libpath=""
  case "$blas" in
    default) ;;
    openblas-pthread|openblas-openmp) libpath="/usr/lib/x86_64-linux-gnu/$blas" ;;
    *) die "BLAS='$blas': expected openblas-pthread, openblas-openmp or default";;
  esac
  setup >&2
  need_root
  mount_all
  trap unmount_all EXIT
  bind "$PROJECT" "$PROJECT"
  chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS" PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1 \
    PRETEXT_BLAS="$blas" ${libpath:+LD_LIBRARY_PATH="$libpath"} ${GLIBC_TUNABLES:+GLIBC_TUNABLES="$GLIBC_TUNABLES"} \
    sh -c 'cd "$1" && shift && exec /usr/bin/python3 "$@"' sh "$(pwd)" "$script" "$@"
}

check() {
  if complete; then
    need_root
    mount_all
    trap unmount_all EXIT
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 OPENBLAS_NUM_THREADS="$THREADS" \
      /usr/bin/python3 -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__, "threads", torch.get_num_threads())'
    chroot "$ROOT" /usr/bin/readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 | sed 's/^/libblas.so.3 -> /'
    chroot "$ROOT" /usr/bin/readlink -f /usr/lib/x86_64-linux-gnu/libopenblas.so.0 | sed 's/^/libopenblas.so.0 -> /'
    echo "complete: $ROOT (built $(cat "$STAMP"))"
  else
    echo "not set up: $ROOT"; return 1
  fi
}

cmd="${1:-setup}"; [ $# -gt 0 ] && shift
case "$cmd" in
  setup) setup ;;
  check) check ;;
  run) run "$@" ;;
  path) echo "$ROOT" ;;
  -h|--help|help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$cmd': expected setup, check, run or path";;
esac
