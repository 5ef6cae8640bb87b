package io.clip4j.torch;

import io.clip4j.ClipConfig;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The ResNet image encoder of the reference ({@code ModifiedResNet}): a 3-convolution stem (3 to w/2 stride 2,
 * w/2 to w/2, w/2 to w; each with eval BatchNorm and ReLU) then {@code AvgPool 2x2}; four stages of
 * {@link Bottleneck}s with planes w, 2w, 4w, 8w (first block of stages 2-4 has stride 2); then
 * {@link AttentionPool2d} over the {@code image_resolution / 32} square feature map. Thread-safe.
 */
final class ModifiedResNet implements VisionTower {
    private final Tensor conv1;
    private final BatchNorm2d bn1;
    private final Tensor conv2;
    private final BatchNorm2d bn2;
    private final Tensor conv3;
    private final BatchNorm2d bn3;
    private final Bottleneck[][] stages;
    private final AttentionPool2d attnpool;

    ModifiedResNet(Weights w, ClipConfig c) {
        long width = c.visionWidth();
        conv1 = w.get("visual.conv1.weight", width / 2, 3, 3, 3);
        bn1 = new BatchNorm2d(w, "visual.bn1", width / 2);
        conv2 = w.get("visual.conv2.weight", width / 2, width / 2, 3, 3);
        bn2 = new BatchNorm2d(w, "visual.bn2", width / 2);
        conv3 = w.get("visual.conv3.weight", width, width / 2, 3, 3);
        bn3 = new BatchNorm2d(w, "visual.bn3", width);
        int[] layers = c.visionLayers();
        stages = new Bottleneck[layers.length][];
        long inplanes = width;
        for (int s = 0; s < layers.length; s++) {
            long planes = width << s;
            stages[s] = new Bottleneck[layers[s]];
            for (int b = 0; b < layers[s]; b++) {
                long stride = s > 0 && b == 0 ? 2 : 1;
                stages[s][b] = new Bottleneck(w, "visual.layer" + (s + 1) + "." + b, inplanes, planes, stride);
                inplanes = planes * Bottleneck.EXPANSION;
            }
        }
        long embed = width * 32; // the ResNet feature dimension
        attnpool = new AttentionPool2d(w, c.imageResolution() / 32, embed, c.visionHeads(), c.embedDim());
    }

    @Override
    public Tensor apply(Tensor pixels, Taps taps) {
        Tensor x = torch.relu(bn1.apply(Ops.conv2d(pixels, conv1, 2, 1)));
        x = torch.relu(bn2.apply(Ops.conv2d(x, conv2, 1, 1)));
        x = torch.relu(bn3.apply(Ops.conv2d(x, conv3, 1, 1)));
        x = Ops.avgPool(x, 2);
        taps.tap("vision_stem_out", x);
        for (int s = 0; s < stages.length; s++) {
            for (Bottleneck b : stages[s]) {
                x = b.apply(x);
            }
            taps.tap("vision_layer" + (s + 1) + "_out", x);
        }
        return attnpool.apply(x);
    }
}
