#!/usr/bin/env bash
# Builds the GVE-Leiden driver of `ringlens bench leiden --gve-leiden PATH`
# (driver.cxx, beside this script) against GVE-Leiden's headers at a pinned
# commit of puzzlef/leiden-communities-openmp (Sahu, arXiv:2312.13936),
# fetched into OUT and never into the repository. Prints the driver's path.
#   OUT:         where the source and the binary go
#                (default ${XDG_CACHE_HOME:-$HOME/.cache}/ringlens/gve-leiden)
#   GVE_GIT_DIR: a git directory of that repository to read instead of
#                cloning it from GitHub
# Needs git and g++ with OpenMP (Debian: g++).
set -euo pipefail
COMMIT=f741a40717a1b207d53289c5cdda36ce858477a7
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-${XDG_CACHE_HOME:-$HOME/.cache}/ringlens/gve-leiden}
SRC=$OUT/src-$COMMIT
mkdir -p "$OUT"
if [[ ! -d $SRC ]]; then
  git_dir=${GVE_GIT_DIR:-}
  if [[ -z $git_dir ]]; then
    [[ -d $OUT/repo.git ]] || git clone --bare https://github.com/puzzlef/leiden-communities-openmp "$OUT/repo.git"
    git_dir=$OUT/repo.git
  fi
  rm -rf "$SRC.tmp" && mkdir -p "$SRC.tmp"
  git --git-dir="$git_dir" archive "$COMMIT" | tar -x -C "$SRC.tmp"
  mv "$SRC.tmp" "$SRC"
fi
g++ -std=c++17 -O3 -fopenmp -DGVE_COMMIT="\"${COMMIT:0:12}\"" -I "$SRC" \
  -o "$OUT/gve-leiden" "$HERE/driver.cxx"
echo "$OUT/gve-leiden"
