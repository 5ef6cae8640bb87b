// clip4j_similarity_cpu / clip4j_softmax_topk_cpu / clip4j_zero_shot_topk_cpu against the tiny model
// fixtures (image_features, text_features -> logits_per_image, probs) and double-precision references.
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"
#include "clip4j/kernels.h"
#include "npy.h"
#include "reference_scores.h"

namespace {

std::string testdata;

double meta_logit_scale_exp(const std::string& model_dir) {
    std::ifstream in(model_dir + "/meta.json");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string json = ss.str();
    const size_t at = json.find("\"logit_scale_exp\"");
    CHECK_MSG(at != std::string::npos, model_dir + "/meta.json has logit_scale_exp");
    return std::stod(json.substr(json.find(':', at) + 1));
}

std::vector<float> random_matrix(int rows, int cols, uint32_t seed) {
    std::vector<float> v((size_t)rows * cols);
    for (float& x : v) {
        seed = seed * 1664525u + 1013904223u;
        x = (float)((seed >> 8) * (1.0 / 16777216.0) - 0.5);
    }
    return v;
}

// README tolerance: |actual - expected| <= 1e-4 * max(1, max|expected|) for logits, 1e-5 for probabilities.
void model_fixture(const std::string& model) {
    const std::string dir = testdata + "/models/" + model;
    const npy::Array img = npy::load(dir + "/image_features.npy");
    const npy::Array txt = npy::load(dir + "/text_features.npy");
    const npy::Array logits_ref = npy::load(dir + "/logits_per_image.npy");
    const npy::Array probs_ref = npy::load(dir + "/probs.npy");
    const int n = (int)img.shape[0], m = (int)txt.shape[0], d = (int)img.shape[1];
    const float scale = (float)meta_logit_scale_exp(dir);

    std::vector<float> logits((size_t)n * m);
    CHECK(clip4j_similarity_cpu(img.as<float>(), n, txt.as<float>(), m, d, scale, logits.data()) == CLIP4J_OK);
    double max_abs = 0, worst = 0;
    for (int64_t i = 0; i < logits_ref.size(); ++i) max_abs = std::max(max_abs, (double)std::fabs(logits_ref.as<float>()[i]));
    for (int64_t i = 0; i < logits_ref.size(); ++i) worst = std::max(worst, (double)std::fabs(logits[i] - logits_ref.as<float>()[i]));
    CHECK_MSG(worst <= 1e-4 * std::max(1.0, max_abs), model + " logits max diff " + std::to_string(worst));

    const int k = 3;
    std::vector<float> probs((size_t)n * m), top_p((size_t)n * k);
    std::vector<int32_t> top_i((size_t)n * k);
    CHECK(clip4j_softmax_topk_cpu(logits.data(), n, m, k, probs.data(), top_p.data(), top_i.data()) == CLIP4J_OK);
    worst = 0;
    for (int64_t i = 0; i < probs_ref.size(); ++i) worst = std::max(worst, (double)std::fabs(probs[i] - probs_ref.as<float>()[i]));
    CHECK_MSG(worst <= 1e-5, model + " probs max diff " + std::to_string(worst));
    for (int i = 0; i < n; ++i) {
        const std::vector<int32_t> want = reference::ranking(probs_ref.as<float>() + (size_t)i * m, m);
        for (int r = 0; r < k; ++r) {
            CHECK_MSG(top_i[(size_t)i * k + r] == want[r], model + " top-k index");
            CHECK(std::fabs(top_p[(size_t)i * k + r] - probs_ref.as<float>()[(size_t)i * m + want[r]]) <= 1e-5);
        }
    }
    std::vector<float> zs_p((size_t)n * k), zs_l((size_t)n * k);
    std::vector<int32_t> zs_i((size_t)n * k);
    CHECK(clip4j_zero_shot_topk_cpu(img.as<float>(), n, txt.as<float>(), m, d, scale, k, zs_p.data(), zs_i.data(),
                                    zs_l.data()) == CLIP4J_OK);
    CHECK_MSG(zs_i == top_i, model + " zero-shot indices");
    CHECK_MSG(zs_p == top_p, model + " zero-shot probabilities");
    for (int i = 0; i < n; ++i)
        for (int r = 0; r < k; ++r)
            CHECK_MSG(zs_l[(size_t)i * k + r] == logits[(size_t)i * m + top_i[(size_t)i * k + r]],
                      model + " zero-shot logit of a pick");
}

// Larger random problem vs the double reference (several row blocks of 64 text rows).
void random_problem() {
    const int n = 67, m = 131, d = 96, k = 7;
    const float scale = 100.0f;
    const std::vector<float> img = random_matrix(n, d, 11), txt = random_matrix(m, d, 12);
    std::vector<float> logits((size_t)n * m);
    CHECK(clip4j_similarity_cpu(img.data(), n, txt.data(), m, d, scale, logits.data()) == CLIP4J_OK);
    const std::vector<double> want = reference::logits(img.data(), n, txt.data(), m, d, scale);
    double worst = 0;
    for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::fabs(logits[i] - want[i]));
    CHECK_MSG(worst <= 1e-4 * scale, "random logits max diff " + std::to_string(worst));

    std::vector<float> probs((size_t)n * m), top_p((size_t)n * k);
    std::vector<int32_t> top_i((size_t)n * k);
    CHECK(clip4j_softmax_topk_cpu(logits.data(), n, m, k, probs.data(), top_p.data(), top_i.data()) == CLIP4J_OK);
    const std::vector<double> p = reference::softmax(want.data(), n, m);
    worst = 0;
    for (size_t i = 0; i < p.size(); ++i) worst = std::max(worst, std::fabs(probs[i] - p[i]));
    CHECK_MSG(worst <= 1e-5, "random probs max diff " + std::to_string(worst));
    int wrong = 0;
    for (int i = 0; i < n; ++i) {
        const std::vector<int32_t> order = reference::ranking(p.data() + (size_t)i * m, m);
        for (int r = 0; r < k; ++r) wrong += top_i[(size_t)i * k + r] != order[r];
    }
    CHECK_MSG(wrong == 0, std::to_string(wrong) + " top-k indices differ from the double reference");
}

// Ties go to the lower column; k = m returns the full ranking.
void ties_and_edges() {
    const float logits[2 * 5] = {1.0f, 3.0f, 3.0f, 0.0f, 3.0f,  // three equal maxima
                                 2.0f, 2.0f, 2.0f, 2.0f, 2.0f};  // all equal
    float top_p[10];
    int32_t top_i[10];
    CHECK(clip4j_softmax_topk_cpu(logits, 2, 5, 5, nullptr, top_p, top_i) == CLIP4J_OK);
    const int32_t want[10] = {1, 2, 4, 0, 3, 0, 1, 2, 3, 4};
    for (int i = 0; i < 10; ++i) CHECK_MSG(top_i[i] == want[i], "tie order at " + std::to_string(i));
    for (int i = 5; i < 10; ++i) CHECK(std::fabs(top_p[i] - 0.2f) <= 1e-7f);
    double row_sum = 0;
    for (int i = 0; i < 5; ++i) row_sum += top_p[i];
    CHECK(std::fabs(row_sum - 1.0) <= 1e-6);

    // A single column: probability 1.
    const float one = -1234.5f;
    CHECK(clip4j_softmax_topk_cpu(&one, 1, 1, 1, nullptr, top_p, top_i) == CLIP4J_OK);
    CHECK(top_p[0] == 1.0f && top_i[0] == 0);

    // Very large logits (logit_scale 100 * cos) must not overflow: max-shifted softmax.
    const float big[3] = {1000.0f, 999.0f, -1000.0f};
    CHECK(clip4j_softmax_topk_cpu(big, 1, 3, 2, nullptr, top_p, top_i) == CLIP4J_OK);
    CHECK(top_i[0] == 0 && top_i[1] == 1);
    CHECK(std::fabs(top_p[0] - 1.0 / (1.0 + std::exp(-1.0))) <= 1e-6);

    // Non-finite logits are refused (test_errors), so every probability is finite.
}

// A zero feature row has no direction: it stays zero (as in clip-api's Features.normalized), so its logits are 0
// and its probabilities uniform, where model.py's 0/0 would give NaN.
void zero_rows() {
    const float img[2 * 3] = {0, 0, 0, 1, 2, 2};  // image 0 is zero
    const float txt[3 * 3] = {3, 0, 4, 0, 0, 0, 0, 1, 0};  // class 1 is zero
    float logits[2 * 3];
    CHECK(clip4j_similarity_cpu(img, 2, txt, 3, 3, 100.0f, logits) == CLIP4J_OK);
    const float want[2 * 3] = {0, 0, 0, 100.0f * (0.6f / 3 + 1.6f / 3), 0, 100.0f * 2 / 3};
    for (int i = 0; i < 6; ++i) CHECK_MSG(std::fabs(logits[i] - want[i]) <= 1e-4f, "zero-row logit " + std::to_string(i));
    float top_p[2 * 3], top_l[2 * 3];
    int32_t top_i[2 * 3];
    CHECK(clip4j_zero_shot_topk_cpu(img, 2, txt, 3, 3, 100.0f, 3, top_p, top_i, top_l) == CLIP4J_OK);
    for (int r = 0; r < 3; ++r) {
        CHECK_MSG(top_i[r] == r && std::fabs(top_p[r] - 1.0f / 3) <= 1e-7f && top_l[r] == 0.0f, "zero image row");
    }
    CHECK(top_i[3] == 0 && top_i[4] == 2 && top_i[5] == 1 && top_l[5] == 0.0f);
    for (int r = 3; r < 6; ++r) CHECK(std::isfinite(top_p[r]) && top_p[r] >= 0.0f && top_p[r] <= 1.0f);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <testdata dir>\n", argv[0]);
        return 2;
    }
    testdata = argv[1];
    model_fixture("tiny-vit");
    model_fixture("tiny-rn");
    random_problem();
    ties_and_edges();
    zero_rows();
    return check::finish("test_scores_cpu");
}
