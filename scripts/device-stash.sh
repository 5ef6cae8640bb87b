#!/usr/bin/env bash
# Moves the large files that the GPU check of cpp/ does not need (fixture checkpoints, the bundled model)
# out of the working tree and back, so that a device run (64 MiB of carried files) can take the tree.
#   scripts/device-stash.sh stash     # before the device run
#   scripts/device-stash.sh restore   # right after it; `git status` is clean again
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STASH="${CLIP4J_STASH:-$ROOT/../clip4j-device-stash}"
cd "$ROOT"
case "${1:-}" in
  stash)
    mkdir -p "$STASH"
    find testdata/models models -type f \( -name '*.pt' -o -name '*.safetensors' \) -print0 |
      while IFS= read -r -d '' f; do
        mkdir -p "$STASH/$(dirname "$f")"
        mv "$f" "$STASH/$f"
      done
    echo "stashed into $STASH; tracked files left: $(git ls-files | xargs -d '\n' du -cb 2>/dev/null | tail -1 | cut -f1) bytes"
    ;;
  restore)
    [ -d "$STASH" ] || { echo "nothing stashed in $STASH" >&2; exit 1; }
    (cd "$STASH" && find . -type f -print0) | while IFS= read -r -d '' f; do
      mkdir -p "$(dirname "$f")"
      mv "$STASH/$f" "$f"
    done
    find "$STASH" -depth -type d -empty -delete
    git diff --quiet --stat && echo "restored; working tree clean" || { echo "restored, but git status is not clean" >&2; git status --short >&2; exit 1; }
    ;;
  *)
    echo "usage: $0 stash|restore" >&2
    exit 2
    ;;
esac
