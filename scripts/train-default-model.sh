#!/usr/bin/env bash
# Recipe of the bundled default model, models/default/model.safetensors (see models/default/MODEL_CARD.md):
# installs the data, builds clip4j, writes the Open Clip Art train/held-out split and trains from scratch with
# clip4j's own trainer on the CPU. Measured: 46 min 10 s wall time on a 2-core machine shared with light other
# work (training alone 2765 s at ~280 images/s; --threads 1 is faster there than 2).
# Output in $WORK (default runs/default-model); the fp16 model is copied to models/default/.
# Same data, options and LibTorch thread count give bit-identical weights.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${WORK:-$root/runs/default-model}"
fm=/usr/share/datasets/fashion-mnist
oca=/usr/share/openclipart/png
start=$(date +%s)

# 1. Data: Fashion-MNIST (MIT) and the Open Clip Art Library PNG export (public domain), as Debian packages.
if [[ ! -f $fm/train-images-idx3-ubyte.gz || ! -d $oca ]]; then
  sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo apt-get install -y dataset-fashion-mnist openclipart-png
fi

# 2. The tool (clip-examples and what it needs).
(cd "$root" && mvn -B -q -ntp -Dstyle.color=never -DskipTests package -pl clip-examples -am -Dclip4j.cmake.tests=OFF)
cp="$root/clip-examples/target/clip-examples.jar:$(cat "$root/clip-examples/target/classpath.txt")"

# 3. Open Clip Art: captions from paths (as 'clip train --data paths:'), ~10% held out by a hash of the path.
#    The Fashion-MNIST test split (t10k) is never trained on.
mkdir -p "$work"
java -cp "$cp" "$root/scripts/OpenClipArtSplit.java" "$oca" "$work/openclipart-train.csv" "$work/openclipart-heldout.csv"

# 4. Training: 48 px ViT (patch 8, 3 x 128) + 2 x 128 text transformer, context 32, embed_dim 128.
fm_train="idx:$fm/train-images-idx3-ubyte.gz,$fm/train-labels-idx1-ubyte.gz,fashion-mnist"
fm_test="idx:$fm/t10k-images-idx3-ubyte.gz,$fm/t10k-labels-idx1-ubyte.gz,fashion-mnist"
"$root/clip" train --config vit-small --image-resolution 48 --vision-layers 3 --vision-width 128 --patch-size 8 \
  --text-width 128 --text-layers 2 --context-length 32 --embed-dim 128 \
  --data "$fm_train" --data "$work/openclipart-train.csv" \
  --template "a photo of a {}." --template "a {}." --template "a black and white photo of a {}." \
  --template "a picture of a {}." --template "a photo of the {}." --template "a low resolution photo of a {}." \
  --template "a close-up photo of a {}." \
  --skip-bad-images --augment 0.9 --steps 6000 --batch 128 --lr 1e-3 --warmup 300 --wd 0.2 --grad-clip 1.0 \
  --seed 0 --threads 1 --eval "$fm_test" --eval-limit 2000 --eval-every 1000 --checkpoint-every 1000 \
  --precision fp16 --no-progress --out "$work" ${TRAIN_ARGS:-}

mkdir -p "$root/models/default"
cp "$work/model.safetensors" "$root/models/default/model.safetensors"
echo "train-default-model: done in $(( $(date +%s) - start )) s; model: $root/models/default/model.safetensors"
