#!/bin/bash
# Times the dataset side on real images: the daemon ingests a folder of images into a temporary library
# (dataset kept current on every file), then `winnow dataset` (a full re-sync + report) and `winnow zip`.
# Usage: scripts/bench-dataset.sh [IMAGE_FOLDER] (default ../shared/data/faces/images); needs `swift build` first.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
images=${1:-$repo/../shared/data/faces/images}
winnow=$repo/.build/debug/winnow
work=$(mktemp -d /tmp/winnow-bench-XXXXXX)
trap 'kill "$daemon" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/drop/bench"
cat > "$work/config.toml" <<TOML
library = "$work/library"
state_dir = "$work/state"
[[drop]]
path = "$work/drop"
[subjects.bench]
trigger = "ohwx"
class = "person"
TOML
count=$(find "$images" -maxdepth 1 -type f | wc -l)
HOME=$work "$winnow" daemon --config "$work/config.toml" > "$work/daemon.log" 2>&1 &
daemon=$!
sleep 1
start=$(date +%s.%N)
cp "$images"/* "$work/drop/bench/"
while [ "$(find "$work/drop/bench" -type f | wc -l)" -gt 0 ]; do sleep 0.2; done
sleep 0.5
end=$(date +%s.%N)
echo "images: $count"
echo "daemon ingest incl. dataset upkeep: $(echo "$end - $start" | bc) s"
t0=$(date +%s.%N); "$winnow" dataset bench --config "$work/config.toml" > /dev/null; t1=$(date +%s.%N)
echo "winnow dataset (full sync + report): $(echo "$t1 - $t0" | bc) s"
t0=$(date +%s.%N); "$winnow" zip bench --config "$work/config.toml" -o "$work/bench.zip"; t1=$(date +%s.%N)
echo "winnow zip: $(echo "$t1 - $t0" | bc) s"
echo "dataset files: $(find "$work/library/bench/dataset" -type f | wc -l)"
