package org.pretext.selfpredict;

import org.pretext.transform.Augmentation;

/**
 * The input corruptions of the denoising autoencoder (Vincent et al. 2008, 2010), each applied
 * to one example with its own random stream.
 */
public final class Corruptions {
    private Corruptions() {}

    /**
     * Masking noise: each value is set to 0 independently with probability {@code fraction}
     * (Vincent et al. 2008's "destruction" of a fraction ν of the input).
     */
    public static Augmentation masking(double fraction) {
        return (src, dst, r) -> {
            for (int i = 0; i < src.length; i++) {
                dst[i] = r.nextDouble() < fraction ? 0f : src[i];
            }
        };
    }

    /** Additive isotropic Gaussian noise: x̃ = x + σ·ε, ε ~ N(0, I). */
    public static Augmentation gaussian(double sigma) {
        return (src, dst, r) -> {
            for (int i = 0; i < src.length; i++) {
                dst[i] = src[i] + (float) (sigma * r.nextGaussian());
            }
        };
    }
}
