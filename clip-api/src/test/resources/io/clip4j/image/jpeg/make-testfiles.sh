#!/bin/sh
# Regenerates the JPEG test files of this folder and their reference decodings.
# Tools: cjpeg / djpeg / jpegtran of libjpeg-turbo 2.1.5 (Debian bookworm package libjpeg-turbo-progs
# 1:2.1.5-2, the same library build Pillow 9.4 uses in the fixtures), python3 (no extra modules).
# References are `djpeg -dct int` output (ISLOW IDCT and fancy upsampling, libjpeg-turbo's defaults,
# i.e. what Pillow decodes); on the fixtures of testdata/preprocess djpeg reproduces Pillow's pixels exactly.
# The arithmetic-coded files with non-default conditioning (DAC) are written by a small C program, built with gcc
# against libjpeg-turbo's headers (Debian package libjpeg62-turbo-dev 1:2.1.5-2).
# Run from this folder: sh make-testfiles.sh <repository root>
set -eu
root=${1:-../../../../../../../..}
djpeg -dct int -pnm "$root/testdata/preprocess/images/jpeg_q90.jpg" > /tmp/clip4j_src.ppm
# crop(x, y, w, h): a small region of the fixture as source image (odd sizes exercise partial MCUs)
crop() {
  python3 - "$@" <<'PY'
import sys
x, y, w, h, dst = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
b = open('/tmp/clip4j_src.ppm', 'rb').read()
hdr = b.split(b'\n', 3)
W = int(hdr[1].split()[0])
px = hdr[3]
rows = [px[((y + r) * W + x) * 3:((y + r) * W + x + w) * 3] for r in range(h)]
open(dst, 'wb').write(b'P6\n%d %d\n255\n' % (w, h) + b''.join(rows))
PY
}
crop 200 100 61 43 /tmp/clip4j_61x43.ppm
crop 230 120 5 3 /tmp/clip4j_5x3.ppm
crop 230 120 4 4 /tmp/clip4j_4x4.ppm
crop 230 120 1 1 /tmp/clip4j_1x1.ppm
src=/tmp/clip4j_61x43.ppm
cjpeg -quality 85 -grayscale "$src" > gray.jpg
jpegtran -progressive gray.jpg > gray_progressive.jpg
cjpeg -quality 80 -sample 2x2 "$src" > s420.jpg
cjpeg -quality 80 -sample 2x2 -progressive "$src" > s420_progressive.jpg
cjpeg -quality 80 -sample 2x1 "$src" > s422.jpg
cjpeg -quality 80 -sample 1x2 "$src" > s440.jpg
cjpeg -quality 80 -sample 1x1 "$src" > s444.jpg
cjpeg -quality 80 -sample 4x1 "$src" > s411.jpg
cjpeg -quality 80 -sample 3x2 "$src" > s3x2.jpg
cjpeg -quality 80 -sample 2x2,2x1,1x1 "$src" > mixed_h1v2_h2v2.jpg
cjpeg -quality 80 -sample 2x2,1x2,1x1 "$src" > mixed_h2v1_h2v2.jpg
cjpeg -quality 80 -restart 3B "$src" > restart.jpg
cjpeg -quality 80 -progressive -restart 2B "$src" > restart_progressive.jpg
# Progressive scan scripts that leave the first AC coefficients incomplete, so libjpeg block-smooths:
# partly refined (unrefined), and DC only (smoothing re-estimates the DC too).
printf '0,1,2: 0-0, 0, 1;\n0: 1-5, 0, 2;\n2: 1-63, 0, 1;\n1: 1-63, 0, 1;\n0: 6-63, 0, 2;\n' > /tmp/clip4j_unrefined.txt
cjpeg -quality 80 -scans /tmp/clip4j_unrefined.txt "$src" > progressive_unrefined.jpg
printf '0,1,2: 0-0, 0, 0;\n' > /tmp/clip4j_dc_only.txt
cjpeg -quality 80 -scans /tmp/clip4j_dc_only.txt "$src" > progressive_dc_only.jpg
cjpeg -quality 100 -optimize "$src" > q100_optimized.jpg
cjpeg -quality 80 -rgb "$src" > rgb.jpg
cjpeg -quality 80 /tmp/clip4j_5x3.ppm > tiny_5x3.jpg
cjpeg -quality 80 /tmp/clip4j_4x4.ppm > tiny_4x4.jpg
cjpeg -quality 80 -sample 2x1 /tmp/clip4j_4x4.ppm > tiny_4x4_s422.jpg
cjpeg -quality 80 /tmp/clip4j_1x1.ppm > tiny_1x1.jpg
# Arithmetic coding (SOF9 sequential, SOF10 progressive): sampling variants, restart intervals, jpegtran
# transcodes of Huffman files, three sequential scans, a scan script that leaves AC partly refined (block
# smoothing), and conditioning values other than the defaults L=0, U=1, Kx=5 (DAC).
cjpeg -quality 80 -arithmetic "$src" > arithmetic.jpg
cjpeg -quality 85 -grayscale -arithmetic "$src" > arith_gray.jpg
cjpeg -quality 80 -sample 1x1 -arithmetic "$src" > arith_s444.jpg
cjpeg -quality 80 -sample 2x1 -arithmetic -restart 3B "$src" > arith_s422_restart.jpg
cjpeg -quality 80 -sample 2x2,1x1,1x1 -arithmetic -progressive "$src" > arith_progressive.jpg
jpegtran -arithmetic -progressive -restart 2B s420.jpg > arith_progressive_restart.jpg
jpegtran -arithmetic -progressive gray.jpg > arith_gray_progressive.jpg
jpegtran -arithmetic s3x2.jpg > arith_s3x2.jpg
printf '0;\n1;\n2;\n' > /tmp/clip4j_seq3.txt
cjpeg -quality 80 -arithmetic -scans /tmp/clip4j_seq3.txt "$src" > arith_three_scans.jpg
cjpeg -quality 80 -arithmetic -scans /tmp/clip4j_unrefined.txt "$src" > arith_unrefined.jpg
cat > /tmp/clip4j_arith_dac.c <<'EOF'
/* Arithmetic-coded 4:2:0 JPEG (progressive with a 2nd argument) with non-default conditioning values. */
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb");
  int w, h, max;
  if (!f || fscanf(f, "P6 %d %d %d", &w, &h, &max) != 3) return 1;
  fgetc(f);
  unsigned char *px = malloc((size_t)w * h * 3);
  if (fread(px, 3, (size_t)w * h, f) != (size_t)w * h) return 1;
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr e;
  c.err = jpeg_std_error(&e);
  jpeg_create_compress(&c);
  jpeg_stdio_dest(&c, stdout);
  c.image_width = w; c.image_height = h; c.input_components = 3; c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 80, TRUE);
  c.arith_code = TRUE;
  if (argc > 2) jpeg_simple_progression(&c);
  c.arith_dc_L[0] = 2; c.arith_dc_U[0] = 6;
  c.arith_dc_L[1] = 1; c.arith_dc_U[1] = 3;
  c.arith_ac_K[0] = 2; c.arith_ac_K[1] = 30;
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = px + (size_t)c.next_scanline * w * 3;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  return 0;
}
EOF
gcc -O1 -o /tmp/clip4j_arith_dac /tmp/clip4j_arith_dac.c -ljpeg
/tmp/clip4j_arith_dac "$src" > arith_dac.jpg
/tmp/clip4j_arith_dac "$src" progressive > arith_dac_progressive.jpg
# Adobe CMYK (transform 0): lossless crop of the CMYK fixture; YCCK: the same file with the Adobe
# transform byte set to 2 (its first three components are then read as YCC). djpeg writes both as
# RGB PPM with r = round(c * k / 255) (cmyk_to_rgb), which the test applies to the decoded CMYK.
jpegtran -crop 61x43+200+96 "$root/testdata/preprocess/images/cmyk.jpg" > cmyk.jpg
python3 - <<'PY'
b = bytearray(open('cmyk.jpg', 'rb').read())
i = b.find(b'Adobe')
assert i > 0 and b[i + 11] == 0
b[i + 11] = 2
open('ycck.jpg', 'wb').write(b)
PY
# Out-of-range IDCT output: s444.jpg with its first 10 quantization values (zig-zag order) raised
# to 255, so that the decoded coefficients no longer fit the samples. Its reference is libjpeg-turbo's
# x86-64 SIMD code, which Pillow runs (the AVX2 and SSE2 code give the same file): it saturates where the
# C code's range-limit table (JSIMD_FORCENONE=1) wraps modulo 1024; only such inconsistent data tells
# them apart.
python3 - <<'PY'
import struct
b = bytearray(open('s444.jpg', 'rb').read())
i = 2
while b[i + 1] != 0xDA:
    n = struct.unpack('>H', b[i + 2:i + 4])[0]
    if b[i + 1] == 0xDB:
        p = i + 4
        while p < i + 2 + n:
            p += 1
            b[p:p + 10] = bytes([255] * 10)
            p += 64
    i += 2 + n
open('range_limit.jpg', 'wb').write(b)
PY
# Motion-JPEG style: s420.jpg without its DHT segments (libjpeg-turbo then uses the standard tables,
# which are the ones cjpeg wrote, so the pixels equal s420's).
python3 - <<'PY'
import struct
b = open('s420.jpg', 'rb').read()
out = bytearray(b[:2])
i = 2
while True:
    n = struct.unpack('>H', b[i + 2:i + 4])[0]
    if b[i + 1] != 0xC4:
        out += b[i:i + 2 + n]
    if b[i + 1] == 0xDA:
        out += b[i + 2 + n:]
        break
    i += 2 + n
open('no_dht.jpg', 'wb').write(out)
PY
for f in *.jpg; do
  djpeg -dct int -pnm "$f" > "${f%.jpg}.pnm"
done
JSIMD_FORCESSE2=1 djpeg -dct int -pnm range_limit.jpg | cmp - range_limit.pnm
# Larger single-scan Huffman-coded files for damaged-eoi.json (make-damaged.py): big enough that libjpeg-turbo
# decodes most of their MCUs with its fast Huffman path and only the last ones with the slow path. No reference
# decodings (Pillow's results are in the corpus).
mkdir -p eoi
crop 100 60 256 192 /tmp/clip4j_256x192.ppm
cjpeg -quality 90 -sample 2x2 /tmp/clip4j_256x192.ppm > eoi/s420_q90.jpg
cjpeg -quality 95 -grayscale /tmp/clip4j_256x192.ppm > eoi/gray_q95.jpg
cjpeg -quality 93 -sample 1x1 -optimize /tmp/clip4j_256x192.ppm > eoi/s444_q93_optimized.jpg
cjpeg -quality 90 -sample 2x1 -restart 1 /tmp/clip4j_256x192.ppm > eoi/s422_q90_restart.jpg
crop 0 0 200 120 /tmp/clip4j_200x120.ppm
cjpeg -quality 75 -sample 2x2 /tmp/clip4j_200x120.ppm > eoi/s420_q75.jpg
