package io.clip4j.torch;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The tensor operations of the reference {@code clip/model.py}, as whole-batch LibTorch calls. Every call
 * allocates Java peers of native objects; callers run inside a {@link org.bytedeco.javacpp.PointerScope}
 * that frees them.
 */
final class Ops {
    /** LayerNorm and BatchNorm epsilon of the reference ({@code torch.nn} default). */
    static final double EPS = 1e-5;

    private Ops() {
    }

    /** CLIP's {@code QuickGELU}: {@code x * sigmoid(1.702 * x)}. */
    static Tensor quickGelu(Tensor x) {
        return x.mul(torch.sigmoid(x.mul(new Scalar(1.702))));
    }

    /**
     * @param a which activation
     * @param x any tensor
     * @return {@code a} applied element-wise: QuickGELU, or the exact (erf) GELU of {@code torch.nn.GELU()}
     */
    static Tensor activation(io.clip4j.Activation a, Tensor x) {
        return a == io.clip4j.Activation.GELU ? torch.gelu(x) : quickGelu(x);
    }

    /**
     * Fused scaled dot-product attention with the reference scale {@code 1/sqrt(head_dim)}. A NaN or infinity in
     * {@code q} or {@code k} makes the whole batch item's output NaN, as the reference's attention makes it.
     *
     * @param q      {@code [N, heads, Lq, head_dim]}
     * @param k      {@code [N, heads, L, head_dim]}
     * @param v      {@code [N, heads, L, head_dim]}
     * @param causal true: token i attends to j &lt;= i only (CLIP's text mask)
     * @return {@code [N, heads, Lq, head_dim]}
     */
    static Tensor attention(Tensor q, Tensor k, Tensor v, boolean causal) {
        Tensor out = torch.scaled_dot_product_attention(q, k, v, new TensorOptional(), 0.0, causal,
                new DoubleOptional(), false);
        // LibTorch 2.10's CPU kernel gives 0, not NaN, for a head whose q or k holds NaN when the sequence has fewer
        // than 16 tokens (short prompts, a small ResNet's pooling): non-finite weights then gave finite, wrong
        // features instead of a NonFiniteFeaturesException. Adding 0 * x (0, or NaN where x is not finite) restores
        // the reference's NaN without changing a finite result; summing zeros cannot overflow, even in float16.
        return out.add(nonFiniteMarker(q)).add(nonFiniteMarker(k));
    }

    /** {@code [N, 1, 1, 1]}: 0 where item n of {@code x} is finite, NaN where it is not. */
    private static Tensor nonFiniteMarker(Tensor x) {
        return x.mul(new Scalar(0.0)).sum(new long[]{1, 2, 3}, true, new ScalarTypeOptional());
    }

    /** {@code [N, L, heads*hd]} to {@code [N, heads, L, hd]}. */
    static Tensor splitHeads(Tensor x, long heads) {
        long n = x.size(0);
        long l = x.size(1);
        return x.view(n, l, heads, x.size(2) / heads).transpose(1, 2);
    }

    /** {@code [N, heads, L, hd]} to {@code [N, L, heads*hd]} (heads concatenated in order). */
    static Tensor mergeHeads(Tensor x) {
        long n = x.size(0);
        long l = x.size(2);
        return x.transpose(1, 2).reshape(n, l, x.size(1) * x.size(3));
    }

    /** 2-D convolution without bias. */
    static Tensor conv2d(Tensor x, Tensor w, long stride, long padding) {
        long channels = w.size(1);
        if (x.is_cpu() && channels > 16 && channels % 16 != 0 && (w.size(2) > 1 || w.size(3) > 1)) {
            // LibTorch 2.10's oneDNN (avx512_core) gives wrong, run-to-run different results, sometimes NaN, for a
            // convolution with a kernel larger than 1x1 over more than 16 input channels that are not a multiple of
            // 16 (seen in float32 on an AMD EPYC; OpenAI's RN50x4 reads 40 channels in its stem): the tail of its
            // 16-channel blocks is not handled. Zero channels up to the next multiple of 16 add exact zeros to
            // every sum, so the result is the convolution asked for.
            long extra = 16 - channels % 16;
            x = torch.constant_pad_nd(x, new long[]{0, 0, 0, 0, 0, extra}, new Scalar(0.0));
            w = torch.constant_pad_nd(w, new long[]{0, 0, 0, 0, 0, extra}, new Scalar(0.0));
        }
        if (x.is_cpu() && Placement.hasType(x, torch.ScalarType.BFloat16)) {
            // LibTorch 2.10's oneDNN returns wrong bfloat16 NCHW convolutions on some AVX-512 CPUs (seen on an AMD
            // EPYC: off by ~50% when the output channels are not a multiple of 16; cf. pytorch/pytorch#163347).
            // Its channels-last kernel is correct. Only the CPU bfloat16 path (tests) comes here.
            x = x.contiguous(torch.MemoryFormat.ChannelsLast);
        }
        return torch.conv2d(x, w, new TensorOptional(), new long[]{stride, stride}, new long[]{padding, padding},
                new long[]{1, 1}, 1);
    }

    /** {@code nn.AvgPool2d(k)}: kernel = stride = k, no padding; identity for k = 1. */
    static Tensor avgPool(Tensor x, long k) {
        if (k == 1) {
            return x;
        }
        return torch.avg_pool2d(x, new long[]{k, k}, new long[]{k, k}, new long[]{0, 0}, false, true,
                new LongOptional());
    }
}
