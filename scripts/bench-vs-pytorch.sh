#!/usr/bin/env bash
# clip4j's towers next to the reference's (PyTorch, CPU) on one random-weight OpenAI configuration, same
# machine, same batch and threads. Needs Debian's python3-torch with an optimised BLAS (apt-get install
# libopenblas0-pthread: the default reference BLAS makes PyTorch ~30x slower); writes a ~600 MB checkpoint to a
# temp folder.
# Usage: scripts/bench-vs-pytorch.sh [ViT-B/32|ViT-B/16|ViT-L/14] [threads] [batch]
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:-ViT-B/32}; threads=${2:-1}; batch=${3:-8}
export OMP_WAIT_POLICY=PASSIVE
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 scripts/bench_vs_pytorch.py --config "$config" --write "$tmp/random.pt"
/usr/bin/python3 scripts/bench_vs_pytorch.py --config "$config" --threads "$threads" --batch "$batch"
mkdir "$tmp/images"
photos=(samples/*.jpg samples/*.png)
for i in $(seq 0 $((batch - 1))); do  # exactly one batch of the sample photos, as PyTorch gets
    f=${photos[$((i % ${#photos[@]}))]}; cp "$f" "$tmp/images/$i-$(basename "$f")"
done
./clip bench --model "$tmp/random.pt" --images "$tmp/images" --batch "$batch" --threads "$threads" --rounds 3
