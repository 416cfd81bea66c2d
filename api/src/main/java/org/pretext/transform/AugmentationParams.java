package org.pretext.transform;

import org.apiguardian.api.API;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.pretext.PretextException;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * The augmentation parameters shared by view-based objectives, and the augmentation they give for
 * an example shape. The recipe is picked by the data, or by the {@code recipe} parameter:
 * <ul>
 *   <li>{@code digits} — {@link DigitAugmentation}, the 28×28 grey recipe of the reference SimCLR
 *       runs; the default for images (C, H, W) with C ≠ 3 (grey images);
 *   <li>{@code natural} — {@link NaturalImageAugmentation}, SimCLR's colour recipe (random resized
 *       crop, flip, colour jitter, random greyscale, Gaussian blur); the default for (3, H, W);
 *   <li>{@code vector} — {@link VectorAugmentation}; the default for vectors (d).
 * </ul>
 * An objective whose parameter list predates the {@code natural} parameters still works: missing
 * values take their defaults.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class AugmentationParams {
    public static final Param<Double> CROP_MIN_SCALE = Param.ofDouble("crop-min-scale", 0.35,
            "random resized crop: smallest area fraction kept").above(0).atMost(1);
    public static final Param<Double> ROTATION = Param.ofDouble("rotation", 15,
            "random rotation in ± this many degrees").atLeast(0).atMost(180);
    public static final Param<Double> SHEAR = Param.ofDouble("shear", 10, "random shear in ± this many degrees")
            .atLeast(0).below(90);
    public static final Param<Double> BRIGHTNESS = Param.ofDouble("brightness", 0.4,
            "multiply intensities by a factor in [1-b, 1+b]").atLeast(0).atMost(1);
    public static final Param<Double> NOISE = Param.ofDouble("noise", 0.1,
            "add Gaussian noise with standard deviation drawn from [0, noise]").atLeast(0);
    public static final Param<Double> ERASE = Param.ofDouble("erase", 0.5,
            "probability of erasing a random rectangle (2-20% of the area)").atLeast(0).atMost(1);
    public static final Param<Double> VECTOR_DROP = Param.ofDouble("vector-drop", 0.2,
            "vector inputs: probability of zeroing each coordinate").atLeast(0).below(1);
    public static final Param<Double> VECTOR_NOISE = Param.ofDouble("vector-noise", 0.5,
            "vector inputs: standard deviation of added Gaussian noise").atLeast(0);

    /** Which recipe. */
    public static final Param<String> RECIPE = Param.ofChoice("recipe", "auto",
            List.of("auto", "digits", "natural", "vector"),
            "augmentation recipe: digits (grey 28x28 recipe), natural (SimCLR colour recipe), vector; auto: natural"
                    + " for 3-channel images, digits for other images, vector for vectors");
    public static final Param<Double> NATURAL_CROP_MIN_SCALE = Param.ofDouble("natural-crop-min-scale", 0.08,
            "natural recipe: random resized crop's smallest area fraction (SimCLR: 0.08)").above(0).atMost(1);
    public static final Param<Double> FLIP = Param.ofDouble("flip", 0.5,
            "natural recipe: probability of a horizontal flip").atLeast(0).atMost(1);
    public static final Param<Double> JITTER_STRENGTH = Param.ofDouble("jitter-strength", 1.0,
            "natural recipe: colour jitter strength s (brightness, contrast, saturation 0.8s, hue 0.2s);"
                    + " SimCLR: 1.0 on ImageNet, 0.5 on CIFAR-10").atLeast(0).atMost(2.5);
    public static final Param<Double> JITTER_PROBABILITY = Param.ofDouble("jitter-probability", 0.8,
            "natural recipe: probability of colour jitter").atLeast(0).atMost(1);
    public static final Param<Double> GREYSCALE_PROBABILITY = Param.ofDouble("greyscale-probability", 0.2,
            "natural recipe: probability of turning the image grey").atLeast(0).atMost(1);
    public static final Param<Double> BLUR_PROBABILITY = Param.ofDouble("blur-probability", 0.5,
            "natural recipe: probability of a Gaussian blur (kernel 10% of the side, sigma 0.1-2); SimCLR's"
                    + " CIFAR-10 runs use 0").atLeast(0).atMost(1);

    /** The natural-image parameters (with {@link #RECIPE}). */
    public static final List<Param<?>> NATURAL = List.of(RECIPE, NATURAL_CROP_MIN_SCALE, FLIP, JITTER_STRENGTH,
            JITTER_PROBABILITY, GREYSCALE_PROBABILITY, BLUR_PROBABILITY);

    /** All of the above, for a provider's parameter list. */
    public static final List<Param<?>> ALL = List.of(CROP_MIN_SCALE, ROTATION, SHEAR, BRIGHTNESS, NOISE, ERASE,
            VECTOR_DROP, VECTOR_NOISE, RECIPE, NATURAL_CROP_MIN_SCALE, FLIP, JITTER_STRENGTH, JITTER_PROBABILITY,
            GREYSCALE_PROBABILITY, BLUR_PROBABILITY);

    private AugmentationParams() {}

    /** The augmentation for examples of a shape, by the {@code recipe} parameter or the shape. */
    public static Augmentation build(ParamValues p, Shape exampleShape) {
        return build(p, exampleShape, false);
    }

    /**
     * The same recipe without its random resized crop (crop scale fixed at 1): what follows the
     * crop of a multi-crop local view ({@link MultiCrop}), which is cropped and resized already.
     *
     * @since 0.4
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.4")
    public static Augmentation buildUncropped(ParamValues p, Shape exampleShape) {
        return build(p, exampleShape, true);
    }

    private static Augmentation build(ParamValues p, Shape exampleShape, boolean uncropped) {
        String recipe = recipe(p, exampleShape);
        if (recipe.equals("vector")) {
            if (exampleShape.dimension() != 1) {
                throw new PretextException(p.owner() + ": recipe 'vector' augments vectors (d), but the data has"
                        + " examples of shape " + exampleShape);
            }
            return new VectorAugmentation(p.get(VECTOR_DROP), p.get(VECTOR_NOISE));
        }
        if (exampleShape.dimension() != 3) {
            throw new PretextException(p.owner() + " augments images (channels, height, width) or vectors (d), but"
                    + " the data has examples of shape " + exampleShape + (recipe.equals("auto") ? ""
                            : " (recipe '" + recipe + "' needs images)"));
        }
        int c = (int) exampleShape.get(0);
        int h = (int) exampleShape.get(1);
        int w = (int) exampleShape.get(2);
        if (recipe.equals("natural")) {
            return new NaturalImageAugmentation(c, h, w, uncropped ? 1.0 : value(p, NATURAL_CROP_MIN_SCALE), value(p, FLIP),
                    value(p, JITTER_STRENGTH), value(p, JITTER_PROBABILITY), value(p, GREYSCALE_PROBABILITY),
                    value(p, BLUR_PROBABILITY));
        }
        return new DigitAugmentation(c, h, w, uncropped ? 1.0 : p.get(CROP_MIN_SCALE), p.get(ROTATION), p.get(SHEAR), p.get(BRIGHTNESS),
                p.get(NOISE), p.get(ERASE));
    }

    /**
     * The recipe used for a shape: the {@code recipe} parameter, or for {@code auto} natural for
     * (3, H, W), digits for other images, vector for (d) (and "auto" left for other shapes).
     */
    public static String recipe(ParamValues p, Shape exampleShape) {
        String r = value(p, RECIPE);
        if (!r.equals("auto")) {
            return r;
        }
        if (exampleShape.dimension() == 1) {
            return "vector";
        }
        if (exampleShape.dimension() == 3) {
            return exampleShape.get(0) == 3 ? "natural" : "digits";
        }
        return "auto";
    }

    /** A parameter's value, or its default when the owner's parameter list does not declare it. */
    private static <T> T value(ParamValues p, Param<T> param) {
        return p.asMap().containsKey(param.name()) ? p.get(param) : param.defaultValue();
    }
}
