package io.clip4j;

/**
 * The activation between the two linear layers of every transformer MLP (text tower and ViT). Checkpoints in
 * OpenAI's format do not record it; Hugging Face configs do ({@code hidden_act}).
 */
public enum Activation {
    /**
     * {@code x * sigmoid(1.702 x)}: OpenAI's {@code QuickGELU} (model.py), used by every OpenAI model and by
     * open_clip models named {@code -quickgelu}; Hugging Face {@code hidden_act: "quick_gelu"}.
     */
    QUICK_GELU,
    /**
     * The exact GELU {@code x * (1 + erf(x / sqrt 2)) / 2} ({@code torch.nn.GELU()}): open_clip models trained
     * on LAION or DataComp without QuickGELU; Hugging Face {@code hidden_act: "gelu"}.
     */
    GELU
}
