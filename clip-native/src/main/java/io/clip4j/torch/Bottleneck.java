package io.clip4j.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The anti-aliased Bottleneck block of the reference's {@code ModifiedResNet} (expansion 4):
 * {@code relu(bn1(conv1 1x1))}, {@code relu(bn2(conv2 3x3 pad 1))}, {@code AvgPool(stride)} when stride &gt; 1,
 * {@code bn3(conv3 1x1 -> 4*planes)}; identity = {@code downsample.1(downsample.0(AvgPool(stride)(x)))} when
 * stride &gt; 1 or the channel count changes, else x; result {@code relu(out + identity)}. Thread-safe.
 */
final class Bottleneck {
    static final int EXPANSION = 4;

    private final long stride;
    private final Tensor conv1;
    private final BatchNorm2d bn1;
    private final Tensor conv2;
    private final BatchNorm2d bn2;
    private final Tensor conv3;
    private final BatchNorm2d bn3;
    private final Tensor downsampleConv;
    private final BatchNorm2d downsampleBn;

    /**
     * @param w        the model's weights
     * @param prefix   e.g. {@code visual.layer2.0}
     * @param inplanes input channels
     * @param planes   bottleneck channels (output is {@code 4 * planes})
     * @param stride   1 or 2
     */
    Bottleneck(Weights w, String prefix, long inplanes, long planes, long stride) {
        this.stride = stride;
        conv1 = w.get(prefix + ".conv1.weight", planes, inplanes, 1, 1);
        bn1 = new BatchNorm2d(w, prefix + ".bn1", planes);
        conv2 = w.get(prefix + ".conv2.weight", planes, planes, 3, 3);
        bn2 = new BatchNorm2d(w, prefix + ".bn2", planes);
        conv3 = w.get(prefix + ".conv3.weight", planes * EXPANSION, planes, 1, 1);
        bn3 = new BatchNorm2d(w, prefix + ".bn3", planes * EXPANSION);
        if (stride > 1 || inplanes != planes * EXPANSION) {
            downsampleConv = w.get(prefix + ".downsample.0.weight", planes * EXPANSION, inplanes, 1, 1);
            downsampleBn = new BatchNorm2d(w, prefix + ".downsample.1", planes * EXPANSION);
        } else {
            downsampleConv = null;
            downsampleBn = null;
        }
    }

    /**
     * @param x {@code [N, inplanes, H, W]}
     * @return {@code [N, 4*planes, H/stride, W/stride]}
     */
    Tensor apply(Tensor x) {
        Tensor out = torch.relu(bn1.apply(Ops.conv2d(x, conv1, 1, 0)));
        out = torch.relu(bn2.apply(Ops.conv2d(out, conv2, 1, 1)));
        out = bn3.apply(Ops.conv2d(Ops.avgPool(out, stride), conv3, 1, 0));
        Tensor identity = downsampleConv == null ? x
                : downsampleBn.apply(Ops.conv2d(Ops.avgPool(x, stride), downsampleConv, 1, 0));
        return torch.relu(out.add(identity));
    }
}
