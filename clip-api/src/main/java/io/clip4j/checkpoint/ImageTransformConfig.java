package io.clip4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.clip4j.image.ImagePreprocessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The image preprocessing a checkpoint asks for: normalisation mean and std, and whether images are resized straight
 * to the model's image_resolution ("squash") instead of CLIP's shortest-side resize and center crop. The one place
 * that decides it from a checkpoint's format ({@link #of}): an open_clip directory (or open_clip weights file beside
 * its config, see {@link OpenClipConfig#find}) gives its {@code preprocess_cfg}; a Hugging Face model directory with a
 * {@code preprocessor_config.json} gives that (read by {@link #readHuggingFace}, the one reader of its key names);
 * anything else is CLIP's mean/std with CLIP's resize and crop.
 *
 * <p>clip4j keeps the reference's pixel arithmetic whatever the file: openai/CLIP's torchvision {@code Resize} (long
 * side {@code int(n * long / short)}), {@code CenterCrop} (offset {@code int(round((side - n) / 2.0))}, Python's
 * round-half-to-even) and {@code convert('RGB')} after the crop. transformers' {@code CLIPImageProcessor} computes the
 * same resize size but crops at {@code (side - n) // 2}, one pixel nearer the top/left when {@code side - n} is 3
 * modulo 4 (a 640 x 427 image, resized to 335 x 224, is cropped from x = 55 there, 56 here), and converts to RGB
 * before resizing. For RGB and greyscale images that order changes nothing beyond rounding; not for the modes
 * Pillow resizes specially: the reference resizes palette (P) and 1-bit images with NEAREST whatever filter is asked
 * (Pillow forces it) and RGBA/LA images premultiplied by alpha, then converts, where transformers resizes the
 * converted RGB image bicubically. A {@code preprocessor_config.json} is therefore honoured for what it
 * parameterises (mean, std, sizes, squash), not for those details.
 */
public final class ImageTransformConfig {
    /** Hugging Face transformers' image processor file in a model directory. */
    public static final String HUGGING_FACE_FILE = "preprocessor_config.json";

    /**
     * The processor classes whose computation (and whose defaults for absent keys) are CLIP's. Any other class
     * (SigLIP's, ViT's, Chinese-CLIP's ...) resizes, crops or defaults differently and is refused. The fast variant
     * takes the same configuration; clip4j computes the reference's arithmetic for both.
     */
    private static final Set<String> CLIP_PROCESSORS = new HashSet<>(Arrays.asList("CLIPImageProcessor",
            "CLIPImageProcessorFast", "CLIPFeatureExtractor"));
    private static final ImageTransformConfig CLIP = new ImageTransformConfig(ImagePreprocessor.clipMean(),
            ImagePreprocessor.clipStd(), false, null);

    private final double[] mean;
    private final double[] std;
    private final boolean squash;
    private final Path source;

    private ImageTransformConfig(double[] mean, double[] std, boolean squash, Path source) {
        this.mean = mean.clone();
        this.std = std.clone();
        this.squash = squash;
        this.source = source;
    }

    /** An open_clip {@code preprocess_cfg}'s values, read and checked by {@link OpenClipConfig}. */
    static ImageTransformConfig openClip(double[] mean, double[] std, boolean squash, Path configFile) {
        return new ImageTransformConfig(mean, std, squash, configFile);
    }

    /**
     * CLIP's preprocessing: its mean and std, shortest-side resize and center crop.
     *
     * @return the configuration of every checkpoint without a preprocessing file
     */
    public static ImageTransformConfig clip() {
        return CLIP;
    }

    /**
     * The preprocessing of a checkpoint: an open_clip directory's (or open_clip weights file's, with the
     * {@code open_clip_config.json} beside it) {@code preprocess_cfg}; else, for a directory with a
     * {@code preprocessor_config.json}, that file ({@link #readHuggingFace}); else {@link #clip()}. A weights file
     * named alone is not given the {@code preprocessor_config.json} beside it, just as it is not given the
     * {@code config.json} there: a Hugging Face weights file whose {@code preprocessor_config.json} is not CLIP's
     * preprocessing is refused.
     *
     * @param fileOrDir       the checkpoint file or model directory given to {@link CheckpointReader#read}
     * @param imageResolution the model's image_resolution, which a {@code preprocessor_config.json}'s sizes must equal
     * @return the configuration
     * @throws CheckpointException as {@link OpenClipConfig#read} or {@link #readHuggingFace}, or if
     *                             {@code fileOrDir} is a Hugging Face weights file ({@code model.safetensors},
     *                             {@code pytorch_model.bin}) named alone whose directory's
     *                             {@code preprocessor_config.json} is not CLIP's preprocessing
     */
    public static ImageTransformConfig of(Path fileOrDir, int imageResolution) {
        return of(fileOrDir, OpenClipConfig.find(fileOrDir).orElse(null), imageResolution);
    }

    /**
     * {@link #of(Path, int)} with {@code fileOrDir}'s open_clip configuration already read
     * ({@link OpenClipConfig#find}; null if none defines it), so that one load parses it once.
     */
    static ImageTransformConfig of(Path fileOrDir, OpenClipConfig openClip, int imageResolution) {
        if (openClip != null) {
            return openClip.transform();
        }
        if (Files.isDirectory(fileOrDir)) {
            Path json = fileOrDir.resolve(HUGGING_FACE_FILE);
            if (Files.isRegularFile(json)) {
                return readHuggingFace(json, imageResolution);
            }
        } else {
            HuggingFaceWeightsAlone.requireClipPreprocessing(fileOrDir, imageResolution);
        }
        return CLIP;
    }

    /**
     * Reads a transformers {@code preprocessor_config.json} of {@code CLIPImageProcessor} or
     * {@code CLIPImageProcessorFast} (older repos: {@code CLIPFeatureExtractor}, with {@code size} and
     * {@code crop_size} plain integers). Absent keys take {@code CLIPImageProcessor}'s defaults (resize the shortest
     * edge to 224 with PIL bicubic, center crop 224 x 224, rescale by 1/255, normalise with CLIP's mean/std).
     * Honoured: {@code image_mean} and {@code image_std} (three numbers or one for all channels; null: CLIP's) when
     * {@code do_normalize} is true; {@code do_normalize} false, which transformers computes as pixel / 255 (mean 0,
     * std 1); {@code size} {@code {"height": n, "width": n}} (or {@code use_square_size} with a shortest edge of 224),
     * a straight resize, which is {@link #squash()}. Ignored: keys that do not change the computation
     * ({@code processor_class}, {@code image_processor_type}, {@code _valid_processor_keys} ...), and
     * {@code do_convert_rgb} false or null, since an RGB image is processed the same and transformers cannot
     * normalise any other (its channel count differs from the 3 values of mean and std).
     *
     * @param json            the file
     * @param imageResolution the model's image_resolution (its vision tower's input side)
     * @return its preprocessing
     * @throws CheckpointException naming the file and the key if it cannot be read or is not a JSON object, names a
     *                             processor class other than CLIP's, or asks for what clip4j does not compute, or
     *                             what the slow and fast transformers classes compute differently:
     *                             {@code do_resize} false, {@code resample} other than 3 (PIL bicubic), a
     *                             {@code size} other than a shortest edge or a square of image_resolution, a
     *                             {@code size.longest_edge} (the fast class caps the long side with it),
     *                             {@code default_to_square} true with an integer {@code size} (the fast class
     *                             squares it), {@code use_square_size} with a size other than a shortest edge of 224,
     *                             {@code do_center_crop} false with a shortest-edge resize, a {@code crop_size} other
     *                             than image_resolution, {@code do_rescale} false, a {@code rescale_factor} other than
     *                             1/255, a mean/std that is not 3 finite numbers (std above 0), or an explicit null
     *                             {@code do_resize}, {@code do_center_crop}, {@code do_rescale}, {@code do_normalize}
     *                             (the slow class skips the step, the fast one does it), {@code resample},
     *                             {@code rescale_factor} (the slow class raises), {@code size} or {@code crop_size}
     *                             (the fast class raises)
     */
    public static ImageTransformConfig readHuggingFace(Path json, int imageResolution) {
        return new HuggingFaceReader(json, JsonFiles.readObject(json, "the image processor config"), imageResolution)
                .parse();
    }

    /** {@return the normalisation mean (R, G, B) (a copy)} */
    public double[] mean() {
        return mean.clone();
    }

    /** {@return the normalisation standard deviation (R, G, B) (a copy)} */
    public double[] std() {
        return std.clone();
    }

    /**
     * Returns the resize mode: squash, or resize shortest side and center crop.
     *
     * @return true to resize images straight to image_resolution (open_clip's {@code resize_mode} 'squash', a
     *         Hugging Face {@code size} of height and width), false for CLIP's shortest-side resize and center crop
     */
    public boolean squash() {
        return squash;
    }

    /** {@return the file this configuration was read from, empty for {@link #clip()}} */
    public Optional<Path> source() {
        return Optional.ofNullable(source);
    }

    /**
     * Tells whether this is CLIP's own preprocessing (mean, std and resize mode).
     *
     * @return true when this is CLIP's preprocessing: its mean and std (each within 1e-6), no squash (whatever file
     *         said so). Only this test is tolerant; {@link #mean()} and {@link #std()} stay exactly the file's values
     */
    public boolean isClip() {
        return !squash && near(mean, ImagePreprocessor.clipMean()) && near(std, ImagePreprocessor.clipStd());
    }

    /**
     * Files written from float32 values (open_clip, numpy) carry CLIP's mean/std rounded to float32, e.g.
     * 0.48145467042922974 for 0.48145466: under 3e-8 apart (half a float32 ulp), where a deliberately different
     * mean/std is far more than 1e-6 away.
     */
    private static boolean near(double[] a, double[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < b.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-6)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "ImageTransformConfig{mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ", squash="
                + squash + (source == null ? "" : ", source=" + source) + "}";
    }

    /** One {@code preprocessor_config.json}: every message names the file and the key. */
    private static final class HuggingFaceReader {
        private final Path file;
        private final JsonNode root;
        private final int resolution;

        HuggingFaceReader(Path file, JsonNode root, int resolution) {
            this.file = file;
            this.root = root;
            this.resolution = resolution;
        }

        ImageTransformConfig parse() {
            for (String key : new String[]{"image_processor_type", "feature_extractor_type"}) {
                JsonNode v = root.get(key);
                if (v != null && !v.isNull() && !(v.isTextual() && CLIP_PROCESSORS.contains(v.textValue()))) {
                    throw fail(key + " = " + v + " is not CLIP's image processor (CLIPImageProcessor,"
                            + " CLIPImageProcessorFast, CLIPFeatureExtractor): its steps and defaults differ from what clip4j computes");
                }
            }
            if (!bool("do_resize", true)) {
                throw unsupported("do_resize", "clip4j always resizes to the model's image_resolution");
            }
            // null: CLIPImageProcessor's validate_preprocess_arguments raises, the fast class takes its default
            refuseNull("resample", "transformers' CLIPImageProcessor raises, CLIPImageProcessorFast takes bicubic");
            JsonNode resample = root.get("resample");
            if (resample != null
                    && !(resample.isIntegralNumber() && resample.canConvertToInt() && resample.intValue() == 3)) {
                throw unsupported("resample", "clip4j resizes with PIL's bicubic filter, 3");
            }
            if (!bool("do_rescale", true)) {
                throw unsupported("do_rescale", "clip4j scales pixels by 1/255");
            }
            refuseNull("rescale_factor", "transformers' CLIPImageProcessor raises, CLIPImageProcessorFast takes 1/255");
            JsonNode factor = root.get("rescale_factor");
            if (factor != null && !(factor.isNumber() && Math.abs(factor.doubleValue() * 255.0 - 1.0) <= 1e-9)) {
                throw unsupported("rescale_factor", "clip4j scales pixels by 1/255");
            }
            JsonNode rgb = root.get("do_convert_rgb");
            if (rgb != null && !rgb.isNull() && !rgb.isBoolean()) {
                throw fail("do_convert_rgb is not true or false: " + rgb);
            }
            boolean squash = size();
            crop(squash);
            if (!bool("do_normalize", true)) {
                // transformers then leaves pixel * rescale_factor: mean 0, std 1
                return new ImageTransformConfig(new double[3], new double[]{1, 1, 1}, squash, file);
            }
            return new ImageTransformConfig(rgb("image_mean", ImagePreprocessor.clipMean()),
                    rgb("image_std", ImagePreprocessor.clipStd()), squash, file);
        }

        /**
         * {@code size} as transformers' {@code get_size_dict(size, default_to_square=False)} reads it (an integer is
         * the shortest edge, a pair is height and width) and {@code CLIPImageProcessor.resize} uses it (a dict with
         * {@code shortest_edge} resizes that edge; else height and width). Where the slow and the fast class
         * ({@code BaseImageProcessorFast}) part ways, the file is refused: a non-null {@code longest_edge} (the slow
         * class ignores it, the fast one caps the long side with it), {@code default_to_square} true with an integer
         * size (the fast class then reads it as size x size), {@code use_square_size} with a size other than a
         * shortest edge of 224 (the slow class raises KeyError on a height/width size and squares to the file's
         * shortest edge, the fast one always to its class default 224), and an explicit null size (the slow class
         * takes its default, the fast one keeps None and raises).
         *
         * @return true for a straight resize to height x width (squash)
         */
        private boolean size() {
            JsonNode v = root.get("size");
            int shortest = 224;
            int height = -1;
            int width = -1;
            if (v != null && v.isNull()) {
                throw fail("size = null is not supported (transformers' CLIPImageProcessor takes its default, a"
                        + " shortest edge of 224, CLIPImageProcessorFast keeps no size and raises)");
            }
            if (v == null) {
                height = -1;
            } else if (v.isIntegralNumber()) {
                if (flag("default_to_square")) {
                    throw fail("default_to_square = true is not supported with an integer size (transformers'"
                            + " CLIPImageProcessorFast then resizes to size x size, CLIPImageProcessor resizes the"
                            + " shortest edge)");
                }
                shortest = integer(v, "size");
            } else if (v.isObject() && v.has("longest_edge") && !v.get("longest_edge").isNull()) {
                throw fail("size.longest_edge = " + v.get("longest_edge") + " is not supported (transformers'"
                        + " CLIPImageProcessorFast caps the long side with it, CLIPImageProcessor ignores it; clip4j"
                        + " resizes the shortest edge only)");
            } else if (v.isArray() && v.size() == 2 && v.get(0).isIntegralNumber() && v.get(1).isIntegralNumber()) {
                height = integer(v.get(0), "size");
                width = integer(v.get(1), "size");
            } else if (v.isObject() && v.has("shortest_edge") && v.get("shortest_edge").isIntegralNumber()
                    && (v.size() == 1 || v.size() == 2 && v.has("longest_edge"))) {
                shortest = integer(v.get("shortest_edge"), "size");
            } else if (v.isObject() && v.size() == 2 && v.has("height") && v.has("width")
                    && v.get("height").isIntegralNumber() && v.get("width").isIntegralNumber()) {
                height = integer(v.get("height"), "size");
                width = integer(v.get("width"), "size");
            } else {
                throw fail("size = " + v + " is not supported (clip4j resizes the shortest edge to, or squashes the"
                        + " image to a square of, the model's image_resolution " + resolution + ")");
            }
            if (flag("use_square_size")) { // Kosmos-2's compatibility switch in CLIP's classes
                if (height >= 0) {
                    throw fail("use_square_size = true is not supported with size = " + v + " (transformers'"
                            + " CLIPImageProcessor reads size[\"shortest_edge\"] and raises KeyError)");
                }
                if (shortest != 224) {
                    throw fail("use_square_size = true is not supported with a shortest edge of " + shortest
                            + " (transformers' CLIPImageProcessor squares to it, CLIPImageProcessorFast to its"
                            + " default 224)");
                }
                height = shortest;
                width = shortest;
            }
            if (height >= 0) {
                if (height != resolution || width != resolution) {
                    throw fail("size = " + v + " is not supported (the model's image_resolution is " + resolution
                            + " x " + resolution + ")");
                }
                return true;
            }
            if (shortest != resolution) {
                throw fail("size = " + (v == null ? "absent (224)" : v.toString()) + " is not supported (clip4j"
                        + " resizes the shortest edge to the model's image_resolution " + resolution + ")");
            }
            return false;
        }

        /** {@code do_center_crop} and {@code crop_size} (default 224 x 224; an integer is a square). */
        private void crop(boolean squash) {
            if (!bool("do_center_crop", true)) {
                if (squash) {
                    return; // the squashed image is already image_resolution x image_resolution
                }
                throw unsupported("do_center_crop", "after resizing the shortest edge clip4j center-crops to the"
                        + " model's image_resolution " + resolution);
            }
            JsonNode v = root.get("crop_size");
            if (v != null && v.isNull()) {
                throw fail("crop_size = null is not supported (transformers' CLIPImageProcessor takes its default,"
                        + " 224 x 224, CLIPImageProcessorFast keeps no crop size and raises)");
            }
            int height = 224;
            int width = 224;
            if (v == null) {
                height = 224;
            } else if (v.isIntegralNumber()) {
                height = integer(v, "crop_size");
                width = height;
            } else if (v.isArray() && v.size() == 2 && v.get(0).isIntegralNumber() && v.get(1).isIntegralNumber()) {
                height = integer(v.get(0), "crop_size");
                width = integer(v.get(1), "crop_size");
            } else if (v.isObject() && v.size() == 2 && v.has("height") && v.has("width")
                    && v.get("height").isIntegralNumber() && v.get("width").isIntegralNumber()) {
                height = integer(v.get("height"), "crop_size");
                width = integer(v.get("width"), "crop_size");
            } else {
                height = -1;
            }
            if (height != resolution || width != resolution) {
                throw fail("crop_size = " + (v == null ? "absent (224)" : v.toString()) + " is not supported (clip4j"
                        + " center-crops to the model's image_resolution " + resolution + " x " + resolution + ")");
            }
        }

        /** An integral JSON number as an int; one beyond int's range would otherwise wrap to another value. */
        private int integer(JsonNode n, String key) {
            if (!n.canConvertToInt()) {
                throw fail(key + " = " + root.get(key) + " is not supported (" + n + " is beyond a 32-bit integer)");
            }
            return n.intValue();
        }

        /**
         * image_mean / image_std: three numbers, or one for every channel (as transformers' normalize); std above 0,
         * like open_clip's and the fused kernels' (transformers would also take a negative one).
         */
        private double[] rgb(String key, double[] dflt) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) {
                return dflt.clone();
            }
            double[] out = new double[3];
            for (int c = 0; c < 3; c++) {
                JsonNode n = v.isArray() ? (v.size() == 3 ? v.get(c) : null) : v;
                if (n == null || !n.isNumber() || !Double.isFinite(n.doubleValue())
                        || ("image_std".equals(key) && n.doubleValue() <= 0)) {
                    throw fail(key + " must be 3 finite numbers" + ("image_std".equals(key) ? ", all above 0" : "")
                            + " (R, G, B) or one for all, got " + v);
                }
                out[c] = n.doubleValue();
            }
            return out;
        }

        /**
         * A step switch ({@code do_resize}, {@code do_center_crop}, {@code do_rescale}, {@code do_normalize}): absent
         * is {@code dflt}; null is refused, as transformers' CLIPImageProcessor then skips the step (None is falsy)
         * while CLIPImageProcessorFast takes its default (its __init__ keeps the class value for a None kwarg).
         */
        private boolean bool(String key, boolean dflt) {
            refuseNull(key, "transformers' CLIPImageProcessor then skips the step, CLIPImageProcessorFast does it");
            JsonNode v = root.get(key);
            if (v == null) {
                return dflt;
            }
            if (!v.isBoolean()) {
                throw fail(key + " is not true or false: " + v);
            }
            return v.booleanValue();
        }

        /** A switch both transformers classes read for its truth only ({@code use_square_size} ...): null is false. */
        private boolean flag(String key) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) {
                return false;
            }
            if (!v.isBoolean()) {
                throw fail(key + " is not true or false: " + v);
            }
            return v.booleanValue();
        }

        private void refuseNull(String key, String why) {
            JsonNode v = root.get(key);
            if (v != null && v.isNull()) {
                throw fail(key + " = null is not supported (" + why + ")");
            }
        }

        private CheckpointException unsupported(String key, String why) {
            return fail(key + " = " + root.get(key) + " is not supported (" + why + ")");
        }

        private CheckpointException fail(String what) {
            return new CheckpointException(file + ": " + what);
        }
    }
}
