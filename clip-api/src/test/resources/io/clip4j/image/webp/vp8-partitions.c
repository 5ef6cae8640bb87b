/* Encodes raw RGB as a lossy WebP with 2^log2 token partitions (cwebp has no option for it).
   Usage: vp8-partitions WIDTH HEIGHT LOG2_PARTITIONS QUALITY METHOD IN.rgb OUT.webp
   (libwebp's encoder honours the partition count only with methods 0 to 2, which write tokens directly)
   Built and run by make-yuv-reference.py (gcc, libwebp-dev). */
#include <stdio.h>
#include <stdlib.h>
#include <webp/encode.h>

int main(int argc, char** argv) {
    if (argc != 8) return 2;
    int w = atoi(argv[1]), h = atoi(argv[2]);
    size_t n = (size_t)w * h * 3;
    unsigned char* rgb = malloc(n);
    FILE* in = fopen(argv[6], "rb");
    if (!in || fread(rgb, 1, n, in) != n) return 3;
    fclose(in);
    WebPConfig config;
    if (!WebPConfigInit(&config)) return 4;
    config.quality = (float)atof(argv[4]);
    config.partitions = atoi(argv[3]);
    config.method = atoi(argv[5]);
    WebPPicture pic;
    if (!WebPPictureInit(&pic)) return 5;
    pic.width = w;
    pic.height = h;
    if (!WebPPictureImportRGB(&pic, rgb, w * 3)) return 6;
    WebPMemoryWriter writer;
    WebPMemoryWriterInit(&writer);
    pic.writer = WebPMemoryWrite;
    pic.custom_ptr = &writer;
    if (!WebPEncode(&config, &pic)) return 7;
    FILE* out = fopen(argv[7], "wb");
    if (!out || fwrite(writer.mem, 1, writer.size, out) != writer.size) return 8;
    fclose(out);
    return 0;
}
