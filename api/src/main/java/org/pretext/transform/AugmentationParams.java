package org.pretext.transform;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.pretext.PretextException;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * The augmentation parameters shared by view-based objectives, and the augmentation they give for
 * an example shape: {@link DigitAugmentation} for images (C, H, W), {@link VectorAugmentation} for
 * vectors (d). Defaults follow the 28×28 digit recipe of the reference SimCLR runs.
 */
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

    /** All of the above, for a provider's parameter list. */
    public static final List<Param<?>> ALL = List.of(CROP_MIN_SCALE, ROTATION, SHEAR, BRIGHTNESS, NOISE, ERASE,
            VECTOR_DROP, VECTOR_NOISE);

    private AugmentationParams() {}

    /** The augmentation for examples of a shape. */
    public static Augmentation build(ParamValues p, Shape exampleShape) {
        if (exampleShape.dimension() == 3) {
            return new DigitAugmentation((int) exampleShape.get(0), (int) exampleShape.get(1),
                    (int) exampleShape.get(2), p.get(CROP_MIN_SCALE), p.get(ROTATION), p.get(SHEAR), p.get(BRIGHTNESS),
                    p.get(NOISE), p.get(ERASE));
        }
        if (exampleShape.dimension() == 1) {
            return new VectorAugmentation(p.get(VECTOR_DROP), p.get(VECTOR_NOISE));
        }
        throw new PretextException(p.owner() + " augments images (channels, height, width) or vectors (d), but the"
                + " data has examples of shape " + exampleShape);
    }
}
