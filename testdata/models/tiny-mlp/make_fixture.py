"""Writes tiny-mlp: an open_clip directory whose transformer MLPs are not 4 x width wide (as ViT-g / ViT-bigG).

Random weights (torch.manual_seed(20261207), float16) under OpenAI/open_clip names, and the open_clip_config.json
that declares them. Sizes (chosen small: the 49408-row token embedding dominates the 3.7 MB):
  vision: ViT, image 224, patch 32, width 64, 2 layers, head_width 16 (4 heads; width / 64 would say 1),
          mlp_ratio 4.9231 (ViT-bigG's): mlp_width = int(64 * 4.9231) = int(315.0784) = 315
  text:   context 77, vocab 49408, width 32, 2 layers, heads 2, mlp_ratio 4.3637 (ViT-g's vision ratio):
          int(32 * 4.3637) = int(139.6384) = 139
  embed_dim 32, quick_gelu false (GELU)
The safetensors file is written by hand (8-byte little-endian header length, JSON header, data) because the
safetensors package is not installed next to Debian's python3-torch.

Run: /usr/bin/python3 make_fixture.py .   then the reference features (see README.md).
"""
import json
import struct
import sys

import numpy as np
import torch

VISION_WIDTH, VISION_LAYERS, HEAD_WIDTH, VISION_RATIO = 64, 2, 16, 4.9231
TEXT_WIDTH, TEXT_LAYERS, TEXT_HEADS, TEXT_RATIO = 32, 2, 2, 4.3637
EMBED, PATCH, IMAGE, CONTEXT, VOCAB = 32, 32, 224, 77, 49408


def mlp_width(width, ratio):
    return int(width * ratio)  # open_clip's VisionTransformer / TextTransformer


def normal(*shape, std):
    return torch.randn(*shape) * std


def block(sd, prefix, w, mlp):
    sd[prefix + '.ln_1.weight'] = 1 + normal(w, std=0.1)
    sd[prefix + '.ln_1.bias'] = normal(w, std=0.1)
    sd[prefix + '.attn.in_proj_weight'] = normal(3 * w, w, std=w ** -0.5)
    sd[prefix + '.attn.in_proj_bias'] = normal(3 * w, std=0.02)
    sd[prefix + '.attn.out_proj.weight'] = normal(w, w, std=w ** -0.5)
    sd[prefix + '.attn.out_proj.bias'] = normal(w, std=0.02)
    sd[prefix + '.ln_2.weight'] = 1 + normal(w, std=0.1)
    sd[prefix + '.ln_2.bias'] = normal(w, std=0.1)
    sd[prefix + '.mlp.c_fc.weight'] = normal(mlp, w, std=w ** -0.5)
    sd[prefix + '.mlp.c_fc.bias'] = normal(mlp, std=0.02)
    sd[prefix + '.mlp.c_proj.weight'] = normal(w, mlp, std=mlp ** -0.5)
    sd[prefix + '.mlp.c_proj.bias'] = normal(w, std=0.02)


def weights():
    torch.manual_seed(20261207)
    sd = {}
    vw, tw = VISION_WIDTH, TEXT_WIDTH
    grid = IMAGE // PATCH
    sd['visual.conv1.weight'] = normal(vw, 3, PATCH, PATCH, std=(3 * PATCH * PATCH) ** -0.5)
    sd['visual.class_embedding'] = normal(vw, std=vw ** -0.5)
    sd['visual.positional_embedding'] = normal(grid * grid + 1, vw, std=vw ** -0.5)
    sd['visual.ln_pre.weight'] = 1 + normal(vw, std=0.1)
    sd['visual.ln_pre.bias'] = normal(vw, std=0.1)
    for i in range(VISION_LAYERS):
        block(sd, 'visual.transformer.resblocks.%d' % i, vw, mlp_width(vw, VISION_RATIO))
    sd['visual.ln_post.weight'] = 1 + normal(vw, std=0.1)
    sd['visual.ln_post.bias'] = normal(vw, std=0.1)
    sd['visual.proj'] = normal(vw, EMBED, std=vw ** -0.5)
    sd['token_embedding.weight'] = normal(VOCAB, tw, std=0.5)
    sd['positional_embedding'] = normal(CONTEXT, tw, std=0.1)
    for i in range(TEXT_LAYERS):
        block(sd, 'transformer.resblocks.%d' % i, tw, mlp_width(tw, TEXT_RATIO))
    sd['ln_final.weight'] = 1 + normal(tw, std=0.1)
    sd['ln_final.bias'] = normal(tw, std=0.1)
    sd['text_projection'] = normal(tw, EMBED, std=tw ** -0.5)
    sd['logit_scale'] = torch.tensor(np.log(1 / 0.07), dtype=torch.float32)
    return {k: v.half() for k, v in sd.items()}


def write_safetensors(path, sd):
    header, blobs, offset = {}, [], 0
    for name in sorted(sd):
        data = sd[name].numpy().astype('<f2').tobytes()
        header[name] = {'dtype': 'F16', 'shape': list(sd[name].shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(',', ':')).encode()
    head += b' ' * (-len(head) % 8)  # the format pads the header with spaces to 8-byte alignment
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


def config():
    return {
        'model_cfg': {
            'embed_dim': EMBED,
            'quick_gelu': False,
            'vision_cfg': {'image_size': IMAGE, 'layers': VISION_LAYERS, 'width': VISION_WIDTH,
                           'head_width': HEAD_WIDTH, 'mlp_ratio': VISION_RATIO, 'patch_size': PATCH},
            'text_cfg': {'context_length': CONTEXT, 'vocab_size': VOCAB, 'width': TEXT_WIDTH, 'heads': TEXT_HEADS,
                         'layers': TEXT_LAYERS, 'mlp_ratio': TEXT_RATIO},
        },
        'preprocess_cfg': {'interpolation': 'bicubic', 'resize_mode': 'shortest'},
    }


if __name__ == '__main__':
    out = sys.argv[1]
    write_safetensors(out + '/open_clip_model.safetensors', weights())
    with open(out + '/open_clip_config.json', 'w') as f:
        json.dump(config(), f, indent=2)
        f.write('\n')
    print('vision mlp_width', mlp_width(VISION_WIDTH, VISION_RATIO), 'text mlp_width', mlp_width(TEXT_WIDTH, TEXT_RATIO))
