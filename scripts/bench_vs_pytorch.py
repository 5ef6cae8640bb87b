"""Times the reference CLIP towers in PyTorch on the CPU, to put next to `./clip bench` on the same machine.

It writes a random-weight checkpoint of one of OpenAI's configurations (torch.save state dict with OpenAI's
names, which clip4j loads like any checkpoint) and times openai/CLIP's model.py forward transcribed with
torch.nn.functional (the same ops nn.MultiheadAttention runs; see testdata/models/tiny-vit-gelu/make_reference.py
for the transcription's check against the reference): the vision tower on float32 pixel_values and the text
tower on token ids (no tokenization), after one warm-up call, at the given batch size and thread count.

Run through scripts/bench-vs-pytorch.sh, which also runs clip4j. Needs Debian's python3-torch (1.13).
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

CONFIGS = {  # OpenAI's build_model dims: embed_dim, image_resolution, layers, width, patch, text width/heads/layers
    'ViT-B/32': dict(embed=512, res=224, layers=12, width=768, patch=32, twidth=512, theads=8, tlayers=12),
    'ViT-B/16': dict(embed=512, res=224, layers=12, width=768, patch=16, twidth=512, theads=8, tlayers=12),
    'ViT-L/14': dict(embed=768, res=224, layers=24, width=1024, patch=14, twidth=768, theads=12, tlayers=12),
}
CONTEXT, VOCAB = 77, 49408


def random_state_dict(c, seed):
    g = torch.Generator().manual_seed(seed)
    sd = {}

    def t(name, *shape, std=0.02):
        sd[name] = torch.randn(*shape, generator=g) * std

    def ones(name, n):
        sd[name] = torch.ones(n)

    def zeros(name, n):
        sd[name] = torch.zeros(n)

    def blocks(prefix, width, n):
        for i in range(n):
            p = '%s.%d.' % (prefix, i)
            t(p + 'attn.in_proj_weight', 3 * width, width)
            zeros(p + 'attn.in_proj_bias', 3 * width)
            t(p + 'attn.out_proj.weight', width, width)
            zeros(p + 'attn.out_proj.bias', width)
            for ln in ('ln_1', 'ln_2'):
                ones(p + ln + '.weight', width)
                zeros(p + ln + '.bias', width)
            t(p + 'mlp.c_fc.weight', 4 * width, width)
            zeros(p + 'mlp.c_fc.bias', 4 * width)
            t(p + 'mlp.c_proj.weight', width, 4 * width)
            zeros(p + 'mlp.c_proj.bias', width)

    w, grid = c['width'], c['res'] // c['patch']
    t('visual.class_embedding', w)
    t('visual.positional_embedding', grid * grid + 1, w)
    t('visual.conv1.weight', w, 3, c['patch'], c['patch'])
    for ln in ('visual.ln_pre', 'visual.ln_post', 'ln_final'):
        width = c['twidth'] if ln == 'ln_final' else w
        ones(ln + '.weight', width)
        zeros(ln + '.bias', width)
    t('visual.proj', w, c['embed'])
    blocks('visual.transformer.resblocks', w, c['layers'])
    t('token_embedding.weight', VOCAB, c['twidth'])
    t('positional_embedding', CONTEXT, c['twidth'], std=0.01)
    t('text_projection', c['twidth'], c['embed'])
    blocks('transformer.resblocks', c['twidth'], c['tlayers'])
    sd['logit_scale'] = torch.tensor(4.6052)
    return sd


def forward_fns(sd, c):
    def ln(x, p):
        return F.layer_norm(x, x.shape[-1:], sd[p + '.weight'], sd[p + '.bias'], 1e-5)

    def block(x, p, heads, mask):
        y = ln(x, p + '.ln_1')
        y, _ = F.multi_head_attention_forward(
            y, y, y, x.shape[-1], heads, sd[p + '.attn.in_proj_weight'], sd[p + '.attn.in_proj_bias'],
            None, None, False, 0.0, sd[p + '.attn.out_proj.weight'], sd[p + '.attn.out_proj.bias'],
            training=False, need_weights=False, attn_mask=mask)
        x = x + y
        y = ln(x, p + '.ln_2')
        h = F.linear(y, sd[p + '.mlp.c_fc.weight'], sd[p + '.mlp.c_fc.bias'])
        return x + F.linear(h * torch.sigmoid(1.702 * h), sd[p + '.mlp.c_proj.weight'], sd[p + '.mlp.c_proj.bias'])

    def encode_image(px):
        x = F.conv2d(px, sd['visual.conv1.weight'], stride=c['patch'])
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        cls = sd['visual.class_embedding'] + torch.zeros(x.shape[0], 1, x.shape[-1])
        x = ln(torch.cat([cls, x], dim=1) + sd['visual.positional_embedding'], 'visual.ln_pre').permute(1, 0, 2)
        for i in range(c['layers']):
            x = block(x, 'visual.transformer.resblocks.%d' % i, c['width'] // 64, None)
        return ln(x.permute(1, 0, 2)[:, 0, :], 'visual.ln_post') @ sd['visual.proj']

    def encode_text(ids):
        x = (sd['token_embedding.weight'][ids] + sd['positional_embedding']).permute(1, 0, 2)
        mask = torch.empty(CONTEXT, CONTEXT).fill_(float('-inf')).triu_(1)
        for i in range(c['tlayers']):
            x = block(x, 'transformer.resblocks.%d' % i, c['theads'], mask)
        x = ln(x.permute(1, 0, 2), 'ln_final')
        return x[torch.arange(x.shape[0]), ids.argmax(dim=-1)] @ sd['text_projection']

    return encode_image, encode_text


def rate(fn, arg, items, rounds):
    fn(arg)  # warm-up
    t0 = time.perf_counter()
    for _ in range(rounds):
        fn(arg)
    return items * rounds / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--config', default='ViT-B/32', choices=sorted(CONFIGS))
    ap.add_argument('--write', metavar='FILE.pt', help='write the random checkpoint here and exit')
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    c = CONFIGS[a.config]
    sd = random_state_dict(c, seed=0)
    if a.write:
        torch.save(sd, a.write)
        return
    torch.set_num_threads(a.threads)
    encode_image, encode_text = forward_fns(sd, c)
    px = torch.randn(a.batch, 3, c['res'], c['res'], generator=torch.Generator().manual_seed(1))
    ids = torch.zeros(64, CONTEXT, dtype=torch.long)  # 64 texts of 16 tokens: SOT, 14 words, EOT
    ids[:, 0], ids[:, 1:15], ids[:, 15] = 49406, 320, 49407
    with torch.no_grad():
        images = rate(encode_image, px, a.batch, a.rounds)
        texts = rate(encode_text, ids, 64, a.rounds)
    print(json.dumps({'torch': torch.__version__, 'config': a.config, 'threads': a.threads, 'batch': a.batch,
                      'vision_images_per_s': round(images, 1), 'text_texts_per_s': round(texts, 1)}))


if __name__ == '__main__':
    main()
