package io.clip4j.train;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Random initial values of a CLIP parameter, as the reference gives them: {@code CLIP.initialize_parameters}
 * of {@code clip/model.py} where it sets a tensor, otherwise the PyTorch module default that the reference
 * constructor leaves in place:
 * <ul>
 *   <li>{@code token_embedding} N(0, 0.02); text {@code positional_embedding} N(0, 0.01);</li>
 *   <li>text blocks: {@code in_proj_weight} N(0, W^-0.5), {@code out_proj.weight} and {@code c_proj.weight}
 *       N(0, W^-0.5 (2L)^-0.5), {@code c_fc.weight} N(0, (2W)^-0.5); {@code text_projection} N(0, W^-0.5);</li>
 *   <li>ViT: {@code class_embedding}, {@code positional_embedding} and {@code proj} are {@code width^-0.5 *
 *       randn}; its blocks keep the {@code nn.MultiheadAttention} / {@code nn.Linear} defaults
 *       ({@code in_proj_weight} Xavier-uniform, attention biases 0, Linear weights and biases
 *       U(&plusmn;1/sqrt(fan_in)));</li>
 *   <li>ResNet: convolutions U(&plusmn;1/sqrt(fan_in)) (the Conv2d default), BatchNorm weight 1 bias 0, running
 *       mean 0 var 1, {@code bn3.weight} of every Bottleneck 0; attention pooling {@code positional_embedding}
 *       {@code randn / sqrt(C)}, q/k/v/c_proj weights N(0, C^-0.5), their biases U(&plusmn;1/sqrt(C));</li>
 *   <li>LayerNorm weight 1 bias 0; {@code logit_scale = ln(1/0.07)}.</li>
 * </ul>
 * Draws come from LibTorch's default CPU generator (seed it with {@code torch.manual_seed} first), in the order
 * the names are requested, so a seed fixes every value. The values are not those of PyTorch for the same seed
 * (the draw order differs); the distributions are.
 */
final class ParameterInit {
    /** {@code ln(1 / 0.07)}, the initial temperature of the CLIP paper. */
    static final double INITIAL_LOGIT_SCALE = Math.log(1 / 0.07);

    private static final Pattern TEXT_BLOCK = Pattern.compile("transformer\\.resblocks\\.\\d+\\.(.+)");
    private static final Pattern VISION_BLOCK = Pattern.compile("visual\\.transformer\\.resblocks\\.\\d+\\.(.+)");
    private static final Pattern ATTNPOOL_PROJ = Pattern.compile("visual\\.attnpool\\.([qkvc])_proj\\.(weight|bias)");

    private final ClipConfig config;

    ParameterInit(ClipConfig config) {
        this.config = config;
    }

    /**
     * @param name  OpenAI parameter name
     * @param shape its shape
     * @return a new float32 tensor holding the initial values (caller owns it)
     * @throws ClipException for a name the reference model does not have
     */
    Tensor create(String name, long[] shape) {
        Tensor t;
        try (PointerScope scope = new PointerScope()) {
            t = torch.empty(shape, new TensorOptions(torch.ScalarType.Float), new MemoryFormatOptional());
            fill(name, shape, t);
            t.retainReference(); // survives the scope, which frees the option and scalar objects
        }
        return t;
    }

    private void fill(String name, long[] shape, Tensor t) {
        double tw = config.transformerWidth();
        double vw = config.visionWidth();
        if (name.equals("logit_scale")) {
            t.fill_(new Scalar(INITIAL_LOGIT_SCALE));
        } else if (name.equals("token_embedding.weight")) {
            normal(t, 0.02);
        } else if (name.equals("positional_embedding")) {
            normal(t, 0.01);
        } else if (name.equals("text_projection")) {
            normal(t, Math.pow(tw, -0.5));
        } else if (name.endsWith(".running_mean") || (name.endsWith(".bias") && isNorm(name))) {
            t.zero_();
        } else if (name.endsWith(".running_var")) {
            t.fill_(new Scalar(1.0));
        } else if (name.endsWith(".weight") && isNorm(name)) {
            // The reference zero-initialises the last BatchNorm of every Bottleneck (visual.layerN.M.bn3).
            t.fill_(new Scalar(name.matches("visual\\.layer\\d\\.\\d+\\.bn3\\.weight") ? 0.0 : 1.0));
        } else if (TEXT_BLOCK.matcher(name).matches() && !name.startsWith("visual.")) {
            textBlock(firstGroup(TEXT_BLOCK, name), t, tw, config.transformerMlpWidth());
        } else if (VISION_BLOCK.matcher(name).matches()) {
            defaultBlock(firstGroup(VISION_BLOCK, name), t, vw, config.visionMlpWidth());
        } else if (name.equals("visual.class_embedding") || name.equals("visual.positional_embedding")
                || name.equals("visual.proj")) {
            normal(t, Math.pow(vw, -0.5));
        } else if (name.equals("visual.attnpool.positional_embedding")) {
            normal(t, 1 / Math.sqrt(shape[1]));
        } else if (ATTNPOOL_PROJ.matcher(name).matches()) {
            double c = vw * 32; // the attention-pooling width C = c_proj.in_features
            if (name.endsWith(".weight")) {
                normal(t, Math.pow(c, -0.5));
            } else {
                uniform(t, 1 / Math.sqrt(c));
            }
        } else if (name.startsWith("visual.") && name.endsWith(".weight") && shape.length == 4) {
            // nn.Conv2d default (kaiming_uniform with a = sqrt(5)): U(+-1/sqrt(fan_in))
            uniform(t, 1 / Math.sqrt((double) shape[1] * shape[2] * shape[3]));
        } else {
            throw new ClipException("no initialisation rule for parameter '" + name + "'");
        }
    }

    private static boolean isNorm(String name) {
        return name.matches(".*(\\.|^)(ln_\\w+|ln_final|bn\\d|downsample\\.1)\\.(weight|bias)");
    }

    private void textBlock(String local, Tensor t, double width, double mlpWidth) {
        double projStd = Math.pow(width, -0.5) * Math.pow(2.0 * config.transformerLayers(), -0.5);
        switch (local) {
            case "attn.in_proj_weight": normal(t, Math.pow(width, -0.5)); break;
            case "attn.out_proj.weight": case "mlp.c_proj.weight": normal(t, projStd); break;
            case "mlp.c_fc.weight": normal(t, Math.pow(2 * width, -0.5)); break;
            default: defaultBlock(local, t, width, mlpWidth);
        }
    }

    /**
     * The PyTorch defaults of {@code nn.MultiheadAttention} and {@code nn.Linear} in a block of width W whose MLP is
     * {@code mlpWidth} wide (c_proj's fan_in).
     */
    private static void defaultBlock(String local, Tensor t, double width, double mlpWidth) {
        switch (local) {
            case "attn.in_proj_weight": uniform(t, Math.sqrt(6.0 / (width + 3 * width))); break; // xavier_uniform
            case "attn.in_proj_bias": case "attn.out_proj.bias": t.zero_(); break;
            case "attn.out_proj.weight": case "mlp.c_fc.weight": case "mlp.c_fc.bias": uniform(t, 1 / Math.sqrt(width)); break;
            case "mlp.c_proj.weight": case "mlp.c_proj.bias": uniform(t, 1 / Math.sqrt(mlpWidth)); break;
            default: throw new ClipException("no initialisation rule for block parameter '" + local + "'");
        }
    }

    private static String firstGroup(Pattern p, String name) {
        Matcher m = p.matcher(name);
        if (!m.matches()) {
            throw new IllegalStateException(name);
        }
        return m.group(1);
    }

    private static void normal(Tensor t, double std) {
        t.normal_(0, std, new GeneratorOptional());
    }

    private static void uniform(Tensor t, double bound) {
        t.uniform_(-bound, bound, new GeneratorOptional());
    }
}
