"""Reference features of tiny-vit with GELU in place of QuickGELU (open_clip's LAION models).

openai/CLIP's model.py forward (ViT visual + text tower, float32, CPU) written out with torch.nn.functional,
with the MLP activation selectable. With quick_gelu it reproduces ../tiny-vit/image_features.npy and
text_features.npy (the reference's own outputs) within 2.4e-6, which checks the transcription; with gelu
(torch's exact erf GELU, open_clip's nn.GELU) it writes the reference for the GELU path.

Run: /usr/bin/python3 make_reference.py ../tiny-vit gelu .   (Debian bookworm python3-torch 1.13)

Options (used for ../tiny-openclip, an open_clip config over the same weights):
  --heads V T          vision and text heads instead of meta.json's (open_clip's width // head_width, text heads)
  --mean R G B --std R G B
                       normalise the images with this mean/std instead of reading pixel_values.npy: torchvision's
                       ToTensor + Normalize in float32 over the Pillow Resize + CenterCrop + convert('RGB') output
                       of each meta.json image (testdata/preprocess/ref/<name>.rgb_u8.npy, Pillow 9.4). With CLIP's
                       mean/std this reproduces pixel_values.npy exactly (printed), which checks it.
  --weights FILE       the weights instead of <dir>/state_dict.pt: a torch.save state dict or a safetensors file
                       (read with numpy; used for ../tiny-mlp). The inputs stay <dir>'s pixel_values.npy and
                       input_ids.npy, and the comparison with <dir>'s features is skipped. The MLP widths are
                       whatever the weights hold (mlp.c_fc rows): the forward takes every size from the tensors
  --squash             with --mean/--std: open_clip's resize_mode 'squash' instead: Pillow's
                       img.resize((224, 224), BICUBIC).convert('RGB') of each meta.json image file (what
                       torchvision's Resize((224, 224)) does to a PIL image), then ToTensor + Normalize; writes
                       squash_image_features.npy only
"""
import sys, json, os, struct
import numpy as np
import torch
import torch.nn.functional as F

args = sys.argv[1:]
def option(name, n):
    if name not in args:
        return None
    i = args.index(name)
    vals = args[i + 1:i + 1 + n]
    del args[i:i + 1 + n]
    return vals
squash = option('--squash', 0) is not None
heads = option('--heads', 2)
mean = option('--mean', 3)
std = option('--std', 3)
weights = option('--weights', 1)
d = args[0]
act_name = args[1]

def load_safetensors(path):
    """A safetensors file (F16/F32/F64 only) as torch tensors, without the safetensors package."""
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    dtypes = {'F16': '<f2', 'F32': '<f4', 'F64': '<f8'}
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        a, b = v['data_offsets']
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype=dtypes[v['dtype']]).reshape(v['shape']).copy())
    return out

if weights and weights[0].endswith('.safetensors'):
    raw = load_safetensors(weights[0])
else:
    raw = torch.load(weights[0] if weights else d + '/state_dict.pt', map_location='cpu')
sd = {k: v.float() for k, v in raw.items()}
meta = json.load(open(d + '/meta.json'))
act = {'quick_gelu': lambda x: x * torch.sigmoid(1.702 * x), 'gelu': F.gelu}[act_name]
vision_heads = int(heads[0]) if heads else meta['vision_heads']
text_heads = int(heads[1]) if heads else meta['dims']['transformer_heads']
testdata = os.path.join(d, '..', '..')

def pixels(mean, std):
    """ToTensor + Normalize (float32, as torchvision) of the reference's resized and cropped RGB images."""
    out = []
    for img in meta['images']:
        if squash:
            from PIL import Image
            im = Image.open(os.path.join(testdata, img['image_file']))
            rgb = np.array(im.resize((224, 224), Image.BICUBIC).convert('RGB'), dtype=np.uint8)
        else:
            rgb = np.load(os.path.join(testdata, img['pixel_values_file'].replace('.pixel_values.', '.rgb_u8.')))
        x = torch.from_numpy(rgb).permute(2, 0, 1).float().div(255)
        m = torch.tensor([float(v) for v in mean], dtype=torch.float32)[:, None, None]
        s = torch.tensor([float(v) for v in std], dtype=torch.float32)[:, None, None]
        out.append(x.sub(m).div(s))
    return torch.stack(out)

def ln(x, p):
    return F.layer_norm(x, x.shape[-1:], sd[p + '.weight'], sd[p + '.bias'], 1e-5)

def block(x, p, heads, mask):
    # x: [L, N, W] like model.py (batch_first=False nn.MultiheadAttention)
    y = ln(x, p + '.ln_1')
    y, _ = F.multi_head_attention_forward(
        y, y, y, x.shape[-1], heads, sd[p + '.attn.in_proj_weight'], sd[p + '.attn.in_proj_bias'],
        None, None, False, 0.0, sd[p + '.attn.out_proj.weight'], sd[p + '.attn.out_proj.bias'],
        training=False, need_weights=False, attn_mask=mask)
    x = x + y
    y = ln(x, p + '.ln_2')
    y = F.linear(act(F.linear(y, sd[p + '.mlp.c_fc.weight'], sd[p + '.mlp.c_fc.bias'])),
                 sd[p + '.mlp.c_proj.weight'], sd[p + '.mlp.c_proj.bias'])
    return x + y

def layers(prefix):
    return sorted({int(k[len(prefix):].split('.')[0]) for k in sd if k.startswith(prefix)})

def encode_image(px):
    w = sd['visual.conv1.weight']
    x = F.conv2d(px, w, stride=w.shape[-1])
    x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
    cls = sd['visual.class_embedding'] + torch.zeros(x.shape[0], 1, x.shape[-1])
    x = torch.cat([cls, x], dim=1) + sd['visual.positional_embedding']
    x = ln(x, 'visual.ln_pre').permute(1, 0, 2)
    for i in layers('visual.transformer.resblocks.'):
        x = block(x, 'visual.transformer.resblocks.%d' % i, vision_heads, None)
    x = ln(x.permute(1, 0, 2)[:, 0, :], 'visual.ln_post')
    return x @ sd['visual.proj']

def encode_text(ids):
    x = sd['token_embedding.weight'][ids] + sd['positional_embedding']
    n = x.shape[1]
    mask = torch.empty(n, n).fill_(float('-inf')).triu_(1)
    x = x.permute(1, 0, 2)
    for i in layers('transformer.resblocks.'):
        x = block(x, 'transformer.resblocks.%d' % i, text_heads, mask)
    x = ln(x.permute(1, 0, 2), 'ln_final')
    return x[torch.arange(x.shape[0]), ids.argmax(dim=-1)] @ sd['text_projection']

with torch.no_grad():
    if mean and not squash:
        clip = pixels([0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711])
        print('CLIP mean/std: max |pixels - pixel_values.npy|',
              np.abs(clip.numpy() - np.load(d + '/pixel_values.npy')).max())
    if mean:
        px = pixels(mean, std)
    else:
        px = torch.from_numpy(np.load(d + '/pixel_values.npy')).float()
    img = encode_image(px)
    txt = encode_text(torch.from_numpy(np.load(d + '/input_ids.npy')).long())
out = args[2] if len(args) > 2 else None
if out and squash:
    np.save(out + '/squash_image_features.npy', img.numpy().astype(np.float32))
elif out:
    np.save(out + '/image_features.npy', img.numpy().astype(np.float32))
    np.save(out + '/text_features.npy', txt.numpy().astype(np.float32))
if weights:
    print(act_name, 'mlp widths: vision', sd['visual.transformer.resblocks.0.mlp.c_fc.weight'].shape[0],
          'text', sd['transformer.resblocks.0.mlp.c_fc.weight'].shape[0])
    sys.exit(0)
ref_i, ref_t = np.load(d + '/image_features.npy'), np.load(d + '/text_features.npy')
print(act_name, 'max |image - tiny-vit ref|', np.abs(img.numpy() - ref_i).max(), 'text', np.abs(txt.numpy() - ref_t).max())
