/* Prints, as JSON, what libwebp's own VP8Transform (the x86-64 SSE2 version Pillow runs) makes of coefficient
   blocks whose sums overflow 16 bits, as only damaged streams produce: [[16 coefficients], [16 predicted
   samples], [16 results]] per block. Built by make-yuv-reference.py against Debian's static libwebp.a (the
   symbols are internal). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#define BPS 32
extern void (*VP8Transform)(const int16_t* in, uint8_t* dst, int do_two);
extern void VP8DspInit(void);

int main(void) {
  VP8DspInit();
  srand(20240605);
  printf("[\n");
  for (int t = 0; t < 150; t++) {
    int16_t in[16];
    uint8_t dst[4 * BPS];
    for (int i = 0; i < 16; i++) {
      /* a few large values among small ones, as a bit flip in a token gives */
      in[i] = (rand() % 3 == 0) ? (int16_t)(rand() & 0xffff) : (int16_t)(rand() % 601 - 300);
    }
    for (int i = 0; i < 4 * BPS; i++) dst[i] = (uint8_t)rand();
    printf("[[");
    for (int i = 0; i < 16; i++) printf(i ? ",%d" : "%d", in[i]);
    printf("],[");
    for (int i = 0; i < 16; i++) printf(i ? ",%d" : "%d", dst[(i / 4) * BPS + i % 4]);
    VP8Transform(in, dst, 0);
    printf("],[");
    for (int i = 0; i < 16; i++) printf(i ? ",%d" : "%d", dst[(i / 4) * BPS + i % 4]);
    printf(t < 149 ? "]],\n" : "]]\n");
  }
  printf("]\n");
  return 0;
}
