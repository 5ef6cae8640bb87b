#!/usr/bin/env bash
# Measures the numbers of models/default/MODEL_CARD.md with `clip eval` (run after train-default-model.sh, which
# writes the Open Clip Art held-out captions to $WORK). Results: $WORK/eval/*.json and *.txt.
# MODEL overrides the model file (default models/default/model.safetensors).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${WORK:-$root/runs/default-model}"
model="${MODEL:-$root/models/default/model.safetensors}"
out="$work/eval"
mkdir -p "$out"
clip="$root/clip"
fm=/usr/share/datasets/fashion-mnist
fm_train="idx:$fm/train-images-idx3-ubyte.gz,$fm/train-labels-idx1-ubyte.gz,fashion-mnist"
fm_test="idx:$fm/t10k-images-idx3-ubyte.gz,$fm/t10k-labels-idx1-ubyte.gz,fashion-mnist"
sub="$root/clip-native/src/test/resources/fashion-mnist-subset"
fm_sub="idx:$sub/t10k-images-idx3-ubyte.gz,$sub/t10k-labels-idx1-ubyte.gz,fashion-mnist"
# The seven training templates (the ensemble).
tpl=(--template "a photo of a {}." --template "a {}." --template "a black and white photo of a {}."
     --template "a picture of a {}." --template "a photo of the {}." --template "a low resolution photo of a {}."
     --template "a close-up photo of a {}.")
# One LibTorch thread: with two on a busy 2-core machine OpenMP threads wait for each other.
run() { local name=$1; shift; echo "== $name" >&2; "$clip" "$@" --model "$model" --threads 1 | tee "$out/$name"; }

run zero-shot-single.json eval zero-shot --test "$fm_test" --json
run zero-shot-ensemble.json eval zero-shot --test "$fm_test" "${tpl[@]}" --json
run zero-shot-subset1500.json eval zero-shot --test "$fm_sub" --json
# Linear probe: features of the first 10,000 training images (20% of each class held out for the C sweep).
run linear-probe.json eval linear-probe --train "$fm_train" --train-limit 10000 --test "$fm_test" --json
# Few-shot: shots drawn from the first 10,000 training images.
run few-shot.json eval few-shot --train "$fm_train" --train-limit 10000 --test "$fm_test" --k 1,2,4,8,16 --seeds 3 --json
# Retrieval on the held-out Open Clip Art images, minus those beyond the decoder's 89-megapixel limit.
python3 - "$work/openclipart-heldout.csv" "$work/openclipart-heldout-usable.csv" <<'PY'
import struct, sys
src, dst = sys.argv[1:3]
kept = dropped = 0
with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as g:
    g.write(f.readline())
    for line in f:
        path = line.split(",", 1)[0]
        with open(path, "rb") as im:
            head = im.read(24)
        w, h = struct.unpack(">II", head[16:24])
        if w * h > 89478485:
            dropped += 1
        else:
            g.write(line); kept += 1
print(f"held-out open clip art: {kept} usable, {dropped} beyond the pixel limit", file=sys.stderr)
PY
run retrieval.json eval retrieval --captions "$work/openclipart-heldout-usable.csv" --json
labels=(--label cat --label dog --label "cup of coffee" --label squirrel --label "aloe plant" --label sneaker
        --label bag --label rocket --label bird --label flower)
run photos.txt zero-shot --image "$root"/samples/chelsea.png "$root"/samples/coffee.png "$root"/samples/squirrel.jpg \
  "$root"/samples/aloe_1024x768.jpg "$root"/samples/fashion-mnist-ankle-boot.png "${labels[@]}" --label "ankle boot" \
  --top-k 3
