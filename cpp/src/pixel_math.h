// Scalar arithmetic shared by the CPU and CUDA preprocessing so both give identical bits.
#ifndef CLIP4J_PIXEL_MATH_H
#define CLIP4J_PIXEL_MATH_H

#include <stdint.h>
#include <string.h>

#if defined(__CUDACC__)
#  define CLIP4J_HD __host__ __device__
#else
#  define CLIP4J_HD
#endif

namespace clip4j {

/** Fractional bits of Pillow's fixed-point resampling weights (PRECISION_BITS in Resample.c). */
constexpr int kPrecisionBits = 22;

/** Pillow's clip8: rounds the fixed-point accumulator (which starts at 2^21) and clamps to a byte. */
CLIP4J_HD inline uint8_t clip8(int32_t acc) {
    int32_t v = acc >> kPrecisionBits;  // arithmetic shift, as in Pillow
    return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
}

/** ToTensor + Normalize for one channel value, with the reference's two float32 divisions. */
CLIP4J_HD inline float normalize_u8(uint8_t u, float mean, float std) {
    float v = (float)u / 255.0f;
    return (v - mean) / std;
}

/** float32 -> IEEE binary16 bits, round to nearest even (overflow -> inf, NaN stays NaN). */
CLIP4J_HD inline uint16_t float_to_half_bits(float f) {
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t abs = x & 0x7fffffffu;
    if (abs >= 0x7f800000u) {  // inf or NaN
        return (uint16_t)(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
    }
    if (abs >= 0x477ff000u) {  // rounds to >= 65520: overflow to inf
        return (uint16_t)(sign | 0x7c00u);
    }
    if (abs < 0x38800000u) {  // below the smallest normal half (2^-14): subnormal or zero
        if (abs < 0x33000000u) return (uint16_t)sign;  // < 2^-25 rounds to zero
        const uint32_t exp = abs >> 23;
        const uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
        const uint32_t shift = 126u - exp;  // result = mant >> (shift) with rounding, in units of 2^-24
        const uint32_t value = mant >> shift;
        const uint32_t rest = mant & ((1u << shift) - 1u);
        const uint32_t half = 1u << (shift - 1u);
        uint32_t r = value + ((rest > half || (rest == half && (value & 1u))) ? 1u : 0u);
        return (uint16_t)(sign | r);
    }
    // Normal: rebias exponent (127 -> 15) and round the 13 dropped mantissa bits to nearest even.
    uint32_t r = abs - 0x38000000u;
    const uint32_t rest = r & 0x1fffu;
    r >>= 13;
    if (rest > 0x1000u || (rest == 0x1000u && (r & 1u))) r += 1u;  // carry into the exponent is correct
    return (uint16_t)(sign | r);
}

/**
 * Top-k order: true if (a, ia) comes before (b, ib). Larger values first, NaN before every number
 * (torch.topk's order), equal values by lower index.
 */
CLIP4J_HD inline bool ranks_before(float a, int32_t ia, float b, int32_t ib) {
    const bool na = a != a;
    const bool nb = b != b;
    if (na || nb) return na && (!nb || ia < ib);
    return a > b || (a == b && ia < ib);
}

}  // namespace clip4j

#endif
