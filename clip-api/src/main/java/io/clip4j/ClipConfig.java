package io.clip4j;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The hyper-parameters of a CLIP model, named as in the reference {@code clip/model.py}
 * ({@code CLIP.__init__} / {@code build_model}): everything needed to build both towers.
 *
 * <p>A ViT vision tower has {@link #visionPatchSize()} &gt; 0 and one entry in {@link #visionLayers()};
 * a modified-ResNet tower has {@code visionPatchSize() == 0} and four stage depths. Head counts are given
 * explicitly: the reference's {@code build_model} (and clip4j for a bare state dict) uses
 * {@code transformer_heads = transformer_width / 64} and vision heads {@code vision_width / 64} (ViT) or
 * {@code vision_width * 32 / 64} (ResNet attention pooling), while Hugging Face and open_clip configurations declare
 * their own (e.g. open_clip's ViT-H has heads 80 wide). The transformer
 * MLPs are {@code 4 * width} wide in the reference; open_clip's ViT-g and ViT-bigG use other widths
 * ({@code mlp_width = int(width * mlp_ratio)}), set with {@link #withMlpWidths(int, int)}.
 * Immutable.
 */
public final class ClipConfig {
    private static final Map<String, ClipConfig> OPENAI;

    static {
        Map<String, ClipConfig> m = new LinkedHashMap<>();
        m.put("RN50", resnet(1024, 224, new int[]{3, 4, 6, 3}, 64, 512, 12));
        m.put("RN101", resnet(512, 224, new int[]{3, 4, 23, 3}, 64, 512, 12));
        m.put("RN50x4", resnet(640, 288, new int[]{4, 6, 10, 6}, 80, 640, 12));
        m.put("RN50x16", resnet(768, 384, new int[]{6, 8, 18, 8}, 96, 768, 12));
        m.put("RN50x64", resnet(1024, 448, new int[]{3, 15, 36, 10}, 128, 1024, 12));
        m.put("ViT-B/32", vit(512, 224, 12, 768, 32, 512, 12));
        m.put("ViT-B/16", vit(512, 224, 12, 768, 16, 512, 12));
        m.put("ViT-L/14", vit(768, 224, 24, 1024, 14, 768, 12));
        m.put("ViT-L/14@336px", vit(768, 336, 24, 1024, 14, 768, 12));
        OPENAI = Collections.unmodifiableMap(m);
    }

    private final int embedDim;
    private final int imageResolution;
    private final int[] visionLayers;
    private final int visionWidth;
    private final int visionPatchSize;
    private final int contextLength;
    private final int vocabSize;
    private final int transformerWidth;
    private final int transformerHeads;
    private final int transformerLayers;
    private final int visionHeads;
    private final Activation activation;
    /** The ViT's MLP hidden width; 0 for a ResNet, which has no vision transformer. */
    private final int visionMlpWidth;
    private final int transformerMlpWidth;

    /**
     * Creates a configuration with the reference's {@link Activation#QUICK_GELU} and MLPs of 4 x width (the
     * hyper-parameters {@code clip.model.build_model} reads from a state dict).
     *
     * @param embedDim          {@code embed_dim}: size of image_features / text_features
     * @param imageResolution   {@code image_resolution}: input side in pixels
     * @param visionLayers      ViT: {layers}; ResNet: four stage depths
     * @param visionWidth       {@code vision_width}: ViT width, or ResNet stem width
     * @param visionPatchSize   {@code vision_patch_size}; 0 for a ResNet
     * @param contextLength     {@code context_length} (77 for OpenAI models)
     * @param vocabSize         {@code vocab_size} (49408)
     * @param transformerWidth  text transformer width
     * @param transformerHeads  text transformer heads
     * @param transformerLayers text transformer depth
     * @param visionHeads       ViT heads, or attention-pooling heads for a ResNet; the MLPs are 4 x width wide (see
     *                          {@link #withMlpWidths(int, int)})
     * @throws IllegalArgumentException if a size is not positive (vision_patch_size may be 0), visionLayers does not
     *                                  have 1 entry (ViT) or 4 (ResNet), transformer_width is not divisible by
     *                                  transformer_heads, image_resolution is not a multiple of a ViT's patch size,
     *                                  or the text width or a ViT's width is 2^29 or more (its default MLP width,
     *                                  4 x width, would not fit an int; a ResNet has no vision MLP width). The
     *                                  vision width is not checked against the vision heads here; the engine
     *                                  refuses to build such a tower
     * @throws NullPointerException     if {@code visionLayers} is null
     */
    public ClipConfig(int embedDim, int imageResolution, int[] visionLayers, int visionWidth, int visionPatchSize,
                      int contextLength, int vocabSize, int transformerWidth, int transformerHeads,
                      int transformerLayers, int visionHeads) {
        this(embedDim, imageResolution, visionLayers, visionWidth, visionPatchSize, contextLength, vocabSize,
                transformerWidth, transformerHeads, transformerLayers, visionHeads, Activation.QUICK_GELU);
    }

    /**
     * Creates a configuration with the given MLP activation and MLPs of 4 x width.
     *
     * @param embedDim          {@code embed_dim}: size of image_features / text_features
     * @param imageResolution   {@code image_resolution}: input side in pixels
     * @param visionLayers      ViT: {layers}; ResNet: four stage depths
     * @param visionWidth       {@code vision_width}: ViT width, or ResNet stem width
     * @param visionPatchSize   {@code vision_patch_size}; 0 for a ResNet
     * @param contextLength     {@code context_length} (77 for OpenAI models)
     * @param vocabSize         {@code vocab_size} (49408)
     * @param transformerWidth  text transformer width
     * @param transformerHeads  text transformer heads
     * @param transformerLayers text transformer depth
     * @param visionHeads       ViT heads, or attention-pooling heads for a ResNet
     * @param activation        the transformer MLPs' activation (OpenAI: {@link Activation#QUICK_GELU}); the MLPs are
     *                          4 x width wide (see {@link #withMlpWidths(int, int)})
     * @throws IllegalArgumentException if a size is not positive (vision_patch_size may be 0), visionLayers does not
     *                                  have 1 entry (ViT) or 4 (ResNet), transformer_width is not divisible by
     *                                  transformer_heads, image_resolution is not a multiple of a ViT's patch size,
     *                                  or the text width or a ViT's width is 2^29 or more (its default MLP width,
     *                                  4 x width, would not fit an int; a ResNet has no vision MLP width). The
     *                                  vision width is not checked against the vision heads here; the engine
     *                                  refuses to build such a tower
     * @throws NullPointerException     if {@code visionLayers} or {@code activation} is null
     */
    public ClipConfig(int embedDim, int imageResolution, int[] visionLayers, int visionWidth, int visionPatchSize,
                      int contextLength, int vocabSize, int transformerWidth, int transformerHeads,
                      int transformerLayers, int visionHeads, Activation activation) {
        this(embedDim, imageResolution, visionLayers, visionWidth, visionPatchSize, contextLength, vocabSize,
                transformerWidth, transformerHeads, transformerLayers, visionHeads, activation,
                visionPatchSize > 0 ? 4L * visionWidth : 0, 4L * transformerWidth);
    }

    /** The full constructor; MLP widths in long so that a default {@code 4 * width} cannot overflow unnoticed. */
    private ClipConfig(int embedDim, int imageResolution, int[] visionLayers, int visionWidth, int visionPatchSize,
                       int contextLength, int vocabSize, int transformerWidth, int transformerHeads,
                       int transformerLayers, int visionHeads, Activation activation, long visionMlpWidth,
                       long transformerMlpWidth) {
        Objects.requireNonNull(visionLayers, "visionLayers");
        Objects.requireNonNull(activation, "activation");
        positive("embed_dim", embedDim);
        positive("image_resolution", imageResolution);
        positive("vision_width", visionWidth);
        positive("context_length", contextLength);
        positive("vocab_size", vocabSize);
        positive("transformer_width", transformerWidth);
        positive("transformer_heads", transformerHeads);
        positive("transformer_layers", transformerLayers);
        positive("vision_heads", visionHeads);
        if (visionPatchSize < 0) {
            throw new IllegalArgumentException("vision_patch_size must be >= 0, got " + visionPatchSize);
        }
        if (visionPatchSize > 0 ? visionLayers.length != 1 : visionLayers.length != 4) {
            throw new IllegalArgumentException("vision_layers must have 1 entry (ViT) or 4 (ResNet), got "
                    + Arrays.toString(visionLayers));
        }
        for (int l : visionLayers) {
            positive("vision_layers", l);
        }
        if (transformerWidth % transformerHeads != 0) {
            throw new IllegalArgumentException("transformer_width " + transformerWidth
                    + " is not divisible by transformer_heads " + transformerHeads);
        }
        if (visionPatchSize > 0 && imageResolution % visionPatchSize != 0) {
            throw new IllegalArgumentException("image_resolution " + imageResolution
                    + " is not a multiple of patch_size " + visionPatchSize);
        }
        this.embedDim = embedDim;
        this.imageResolution = imageResolution;
        this.visionLayers = visionLayers.clone();
        this.visionWidth = visionWidth;
        this.visionPatchSize = visionPatchSize;
        this.contextLength = contextLength;
        this.vocabSize = vocabSize;
        this.transformerWidth = transformerWidth;
        this.transformerHeads = transformerHeads;
        this.transformerLayers = transformerLayers;
        this.visionHeads = visionHeads;
        this.activation = activation;
        if (visionPatchSize > 0) {
            this.visionMlpWidth = mlpWidth("vision_mlp_width", visionMlpWidth);
        } else if (visionMlpWidth != 0) {
            throw new IllegalArgumentException("a ResNet vision tower has no transformer MLP; vision_mlp_width must"
                    + " be 0, got " + visionMlpWidth);
        } else {
            this.visionMlpWidth = 0;
        }
        this.transformerMlpWidth = mlpWidth("transformer_mlp_width", transformerMlpWidth);
    }

    /**
     * An MLP width: positive and an int (the default {@code 4 * width} is computed in long, so that a width of 2^29
     * or more is refused rather than overflowing). Ratios are not bounded: Hugging Face configs may pair a small width
     * with transformers' default intermediate_size 3072.
     */
    private static int mlpWidth(String name, long mlpWidth) {
        if (mlpWidth <= 0 || mlpWidth > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be in 1.." + Integer.MAX_VALUE + ", got " + mlpWidth);
        }
        return (int) mlpWidth;
    }

    /**
     * Returns a copy with other MLP hidden widths (open_clip's {@code mlp_ratio}, Hugging Face's
     * {@code intermediate_size}).
     *
     * @param visionMlpWidth the ViT's MLP hidden width ({@code mlp.c_fc} rows); must be 0 for a ResNet
     * @param textMlpWidth   the text transformer's MLP hidden width
     * @return this configuration with those MLP widths
     * @throws IllegalArgumentException if a width is not positive (ViT, text) or not 0 (ResNet)
     */
    public ClipConfig withMlpWidths(int visionMlpWidth, int textMlpWidth) {
        return new ClipConfig(embedDim, imageResolution, visionLayers, visionWidth, visionPatchSize, contextLength,
                vocabSize, transformerWidth, transformerHeads, transformerLayers, visionHeads, activation,
                visionMlpWidth, textMlpWidth);
    }

    /**
     * Returns the vision transformer's MLP hidden width.
     *
     * @return the ViT's MLP hidden width ({@code mlp.c_fc} output, open_clip's {@code int(width * mlp_ratio)},
     *         Hugging Face's {@code intermediate_size}): {@code 4 * visionWidth()} unless set otherwise; 0 for a
     *         ResNet
     */
    public int visionMlpWidth() {
        return visionMlpWidth;
    }

    /**
     * Returns the text transformer's MLP hidden width.
     *
     * @return the text transformer's MLP hidden width: {@code 4 * transformerWidth()} unless set otherwise
     */
    public int transformerMlpWidth() {
        return transformerMlpWidth;
    }

    /** {@return true when both towers' MLPs are the reference's {@code 4 * width} (a ResNet's vision has none)} */
    public boolean hasReferenceMlpWidths() {
        return (!isVit() || visionMlpWidth == 4L * visionWidth) && transformerMlpWidth == 4L * transformerWidth;
    }

    /**
     * Returns a copy with another MLP activation.
     *
     * @param a the transformer MLPs' activation
     * @return this configuration with that activation
     * @throws NullPointerException if {@code a} is null
     */
    public ClipConfig withActivation(Activation a) {
        return new ClipConfig(embedDim, imageResolution, visionLayers, visionWidth, visionPatchSize, contextLength,
                vocabSize, transformerWidth, transformerHeads, transformerLayers, visionHeads, a, visionMlpWidth,
                transformerMlpWidth);
    }

    /** {@return the activation of the text and vision transformers' MLPs} */
    public Activation activation() {
        return activation;
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }

    private static ClipConfig vit(int embed, int res, int layers, int width, int patch, int tw, int tl) {
        return new ClipConfig(embed, res, new int[]{layers}, width, patch, 77, 49408, tw, tw / 64, tl, width / 64);
    }

    private static ClipConfig resnet(int embed, int res, int[] layers, int width, int tw, int tl) {
        return new ClipConfig(embed, res, layers, width, 0, 77, 49408, tw, tw / 64, tl, width * 32 / 64);
    }

    /**
     * The configuration of one of the nine models published by OpenAI.
     *
     * @param name {@code RN50}, {@code RN101}, {@code RN50x4}, {@code RN50x16}, {@code RN50x64},
     *             {@code ViT-B/32}, {@code ViT-B/16}, {@code ViT-L/14} or {@code ViT-L/14@336px}
     * @return its configuration
     * @throws IllegalArgumentException for any other name
     */
    public static ClipConfig openai(String name) {
        ClipConfig c = OPENAI.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown OpenAI model '" + name + "'; known: " + OPENAI.keySet());
        }
        return c;
    }

    /** {@return the names accepted by {@link #openai(String)}, in publication order} */
    public static java.util.Set<String> openaiNames() {
        return OPENAI.keySet();
    }

    /** {@return true for a vision transformer, false for a modified ResNet} */
    public boolean isVit() {
        return visionPatchSize > 0;
    }

    /** {@return {@code embed_dim}, the size of image_features and text_features} */
    public int embedDim() {
        return embedDim;
    }

    /** {@return {@code image_resolution}, the square input side in pixels} */
    public int imageResolution() {
        return imageResolution;
    }

    /** {@return the vision tower's depths: ViT {depth}; ResNet the four stage depths (a copy)} */
    public int[] visionLayers() {
        return visionLayers.clone();
    }

    /** {@return {@code vision_width}: ViT width, or the ResNet stem width} */
    public int visionWidth() {
        return visionWidth;
    }

    /** {@return {@code vision_patch_size} ({@code patch_size}), 0 for a ResNet} */
    public int visionPatchSize() {
        return visionPatchSize;
    }

    /** {@return the vision attention heads: ViT heads, or the ResNet attention-pooling heads} */
    public int visionHeads() {
        return visionHeads;
    }

    /** {@return {@code context_length}, tokens per text} */
    public int contextLength() {
        return contextLength;
    }

    /** {@return {@code vocab_size}, the number of rows of the token embedding} */
    public int vocabSize() {
        return vocabSize;
    }

    /** {@return {@code transformer_width}, the text transformer's width} */
    public int transformerWidth() {
        return transformerWidth;
    }

    /** {@return {@code transformer_heads}, the text transformer's attention heads} */
    public int transformerHeads() {
        return transformerHeads;
    }

    /** {@return {@code transformer_layers}, the text transformer's depth} */
    public int transformerLayers() {
        return transformerLayers;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ClipConfig)) {
            return false;
        }
        ClipConfig c = (ClipConfig) o;
        return embedDim == c.embedDim && imageResolution == c.imageResolution
                && Arrays.equals(visionLayers, c.visionLayers) && visionWidth == c.visionWidth
                && visionPatchSize == c.visionPatchSize && contextLength == c.contextLength
                && vocabSize == c.vocabSize && transformerWidth == c.transformerWidth
                && transformerHeads == c.transformerHeads && transformerLayers == c.transformerLayers
                && visionHeads == c.visionHeads && activation == c.activation && visionMlpWidth == c.visionMlpWidth
                && transformerMlpWidth == c.transformerMlpWidth;
    }

    @Override
    public int hashCode() {
        return Objects.hash(embedDim, imageResolution, Arrays.hashCode(visionLayers), visionWidth, visionPatchSize,
                contextLength, vocabSize, transformerWidth, transformerHeads, transformerLayers, visionHeads,
                activation, visionMlpWidth, transformerMlpWidth);
    }

    @Override
    public String toString() {
        return "ClipConfig{embed_dim=" + embedDim + ", image_resolution=" + imageResolution
                + ", vision_layers=" + Arrays.toString(visionLayers) + ", vision_width=" + visionWidth
                + ", vision_patch_size=" + visionPatchSize + ", vision_heads=" + visionHeads
                + ", context_length=" + contextLength + ", vocab_size=" + vocabSize
                + ", transformer_width=" + transformerWidth + ", transformer_heads=" + transformerHeads
                + ", transformer_layers=" + transformerLayers
                + (activation == Activation.QUICK_GELU ? "" : ", activation=" + activation)
                + (hasReferenceMlpWidths() ? "" : ", vision_mlp_width=" + visionMlpWidth
                + ", transformer_mlp_width=" + transformerMlpWidth) + "}";
    }
}
