// clip4j_preprocess_cpu against the reference fixtures (JPEG decoded pixels, the 1x1 and 224x224 PNGs
// whose pixels are known) and against reference_resize.h on synthetic images of awkward sizes.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "clip4j/kernels.h"
#include "npy.h"
#include "reference_resize.h"

namespace {

const float kMean[3] = {CLIP4J_CLIP_MEAN_R, CLIP4J_CLIP_MEAN_G, CLIP4J_CLIP_MEAN_B};
const float kStd[3] = {CLIP4J_CLIP_STD_R, CLIP4J_CLIP_STD_G, CLIP4J_CLIP_STD_B};
std::string ref_dir;

reference::Image from_npy(const npy::Array& a) {
    reference::Image img;
    img.height = (int)a.shape[0];
    img.width = (int)a.shape[1];
    img.rgb.assign(a.as<uint8_t>(), a.as<uint8_t>() + a.size());
    return img;
}

reference::Image synthetic(int w, int h, uint32_t seed) {
    reference::Image img;
    img.width = w;
    img.height = h;
    img.rgb.resize((size_t)w * h * 3);
    uint32_t s = seed;
    for (size_t i = 0; i < img.rgb.size(); ++i) {
        s = s * 1664525u + 1013904223u;
        // Mix of smooth gradient and noise so both flat areas and sharp edges (over/undershoot) occur.
        const size_t px = i / 3;
        const int gradient = (int)((px % w) * 255 / std::max(1, w - 1));
        img.rgb[i] = (uint8_t)((s >> 24) < 64 ? (s >> 16) & 0xff : (gradient + (int)(i % 3) * 60) & 0xff);
    }
    return img;
}

struct Output {
    std::vector<float> pixel_values;
    std::vector<uint8_t> rgb;
};

Output preprocess(const std::vector<const reference::Image*>& imgs, int n) {
    std::vector<const uint8_t*> ptr;
    std::vector<int32_t> w, h;
    for (const reference::Image* i : imgs) {
        ptr.push_back(i->rgb.data());
        w.push_back(i->width);
        h.push_back(i->height);
    }
    Output out;
    out.pixel_values.assign((size_t)imgs.size() * 3 * n * n, -99.0f);
    out.rgb.assign((size_t)imgs.size() * n * n * 3, 0);
    const clip4j_status st = clip4j_preprocess_cpu(ptr.data(), w.data(), h.data(), (int32_t)imgs.size(), n, kMean, kStd,
                                                   CLIP4J_FLOAT32, out.pixel_values.data(), out.rgb.data());
    CHECK_MSG(st == CLIP4J_OK, clip4j_last_error());
    return out;
}

int count_diff(const uint8_t* a, const uint8_t* b, size_t n) {
    int d = 0;
    for (size_t i = 0; i < n; ++i) d += a[i] != b[i];
    return d;
}

int count_bit_diff(const float* a, const float* b, size_t n) {
    int d = 0;
    for (size_t i = 0; i < n; ++i) d += std::memcmp(&a[i], &b[i], 4) != 0;
    return d;
}

// Fixture images: rgb_u8 equal, pixel_values bit-exact, and the same again with all of them in one batch.
void fixtures() {
    std::vector<std::string> names = {"jpeg_q90", "exif_orientation6", "tiny_1x1", "exact_224x224"};
    std::vector<reference::Image> inputs;
    for (const std::string& name : names) {
        if (name == "tiny_1x1") {  // README: a single RGB pixel (200, 30, 90)
            reference::Image one;
            one.width = one.height = 1;
            one.rgb = {200, 30, 90};
            inputs.push_back(one);
        } else if (name == "exact_224x224") {  // Resize and CenterCrop are identities: its rgb_u8 is the input
            inputs.push_back(from_npy(npy::load(ref_dir + name + ".rgb_u8.npy")));
        } else {
            inputs.push_back(from_npy(npy::load(ref_dir + name + ".decoded_u8.npy")));
        }
    }
    std::vector<const reference::Image*> all;
    for (const reference::Image& i : inputs) all.push_back(&i);
    const Output batch = preprocess(all, 224);
    const size_t per = (size_t)3 * 224 * 224;
    for (size_t i = 0; i < names.size(); ++i) {
        const npy::Array rgb = npy::load(ref_dir + names[i] + ".rgb_u8.npy");
        const npy::Array pv = npy::load(ref_dir + names[i] + ".pixel_values.npy");
        CHECK(rgb.size() == (int64_t)per && pv.size() == (int64_t)per);
        const Output single = preprocess({&inputs[i]}, 224);
        CHECK_MSG(count_diff(single.rgb.data(), rgb.as<uint8_t>(), per) == 0, names[i] + " rgb_u8");
        CHECK_MSG(count_bit_diff(single.pixel_values.data(), pv.as<float>(), per) == 0, names[i] + " pixel_values");
        CHECK_MSG(count_diff(batch.rgb.data() + i * per, rgb.as<uint8_t>(), per) == 0, names[i] + " rgb_u8 in batch");
        CHECK_MSG(count_bit_diff(batch.pixel_values.data() + i * per, pv.as<float>(), per) == 0,
                  names[i] + " pixel_values in batch");
        // The in-test reference must itself reproduce the fixture, or the synthetic checks prove nothing.
        CHECK_MSG(count_diff(reference::resize_crop(inputs[i], 224).data(), rgb.as<uint8_t>(), per) == 0,
                  names[i] + " reference_resize.h");
    }
}

// float16 output: every element is the binary16 value nearest to the fixture's float32 (ties to even).
double half_to_double(uint16_t h) {
    const int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    const double v = exp == 0 ? std::ldexp(mant, -24) : std::ldexp(1024 + mant, exp - 25);
    return (h & 0x8000) ? -v : v;
}

void float16() {
    const reference::Image img = from_npy(npy::load(ref_dir + "jpeg_q90.decoded_u8.npy"));
    const npy::Array pv = npy::load(ref_dir + "jpeg_q90.pixel_values.npy");
    const uint8_t* p = img.rgb.data();
    const int32_t w = img.width, h = img.height;
    std::vector<uint16_t> half((size_t)3 * 224 * 224);
    CHECK(clip4j_preprocess_cpu(&p, &w, &h, 1, 224, kMean, kStd, CLIP4J_FLOAT16, half.data(), nullptr) == CLIP4J_OK);
    int bad = 0;
    for (size_t i = 0; i < half.size(); ++i) {
        const double x = pv.as<float>()[i], v = half_to_double(half[i]);
        const double up = half_to_double((uint16_t)(half[i] + 1)), down = half_to_double((uint16_t)(half[i] - 1));
        // Positive and negative codes: neighbours in code order are the neighbours in magnitude.
        const double err = std::fabs(x - v);
        const bool nearest = err <= std::fabs(x - up) && err <= std::fabs(x - down);
        const bool tie_ok = (err != std::fabs(x - up) && err != std::fabs(x - down)) || (half[i] & 1) == 0;
        bad += !(nearest && tie_ok);
    }
    CHECK_MSG(bad == 0, std::to_string(bad) + " float16 values are not the nearest binary16");
}

// Synthetic images of awkward sizes (upscale, extreme aspect, crop offsets x.5) vs the reference.
void synthetic_sizes() {
    struct Case { int w, h, n; };
    const Case cases[] = {{1, 1, 224}, {7, 5, 224}, {5, 7, 224}, {37, 300, 224}, {1000, 50, 224}, {2, 999, 224},
                          {224, 224, 224}, {225, 224, 224}, {224, 227, 224}, {451, 300, 336}, {1999, 1333, 224},
                          {640, 480, 1}, {3, 2, 5}, {500, 1, 16}};
    uint32_t seed = 1;
    std::vector<reference::Image> imgs;
    for (const Case& c : cases) {
        imgs.push_back(synthetic(c.w, c.h, seed++));
        const reference::Image& img = imgs.back();
        const std::vector<uint8_t> expected = reference::resize_crop(img, c.n);
        const Output out = preprocess({&img}, c.n);
        const std::string name = std::to_string(c.w) + "x" + std::to_string(c.h) + "->" + std::to_string(c.n);
        CHECK_MSG(count_diff(out.rgb.data(), expected.data(), expected.size()) == 0, name + " rgb");
        double worst = 0;
        const size_t plane = (size_t)c.n * c.n;
        for (size_t i = 0; i < plane; ++i)
            for (int ch = 0; ch < 3; ++ch) {
                const double want = reference::normalize(expected[i * 3 + ch], kMean[ch], kStd[ch]);
                worst = std::max(worst, std::fabs(out.pixel_values[ch * plane + i] - want));
            }
        CHECK_MSG(worst < 1e-6, name + " normalised, max diff " + std::to_string(worst));
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <testdata dir>\n", argv[0]);
        return 2;
    }
    ref_dir = std::string(argv[1]) + "/preprocess/ref/";
    fixtures();
    float16();
    synthetic_sizes();
    return check::finish("test_preprocess_cpu");
}
