package org.pretext.transform;

import org.apiguardian.api.API;
import java.util.List;
import java.util.SplittableRandom;

/**
 * SimCLR's augmentation recipe for natural colour images (Chen et al. 2020, Appendix A): random
 * resized crop (area [minScale, 1], ratio [3/4, 4/3]) → horizontal flip (p = 0.5) → colour jitter
 * of strength s (brightness, contrast, saturation 0.8 s, hue 0.2 s, random order) with
 * probability {@code jitterProbability} (0.8) → random greyscale (p = 0.2) → Gaussian blur (kernel
 * 10% of the side, σ ∈ [0.1, 2]) with probability {@code blurProbability} (0.5 in the ImageNet
 * recipe; SimCLR's CIFAR-10 runs use s = 0.5 and no blur). Works on (C, H, W) for any C; colour
 * steps do nothing to one-channel images.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class NaturalImageAugmentation implements Augmentation {
    private final AugmentationChain chain;

    /**
     * @param minScale smallest crop area fraction (SimCLR: 0.08)
     * @param flipProbability chance of a horizontal flip (0.5)
     * @param jitterStrength colour jitter strength s (1.0 ImageNet, 0.5 CIFAR-10)
     * @param jitterProbability chance of jittering (0.8)
     * @param greyProbability chance of greyscale (0.2)
     * @param blurProbability chance of blurring (0.5)
     */
    public NaturalImageAugmentation(int channels, int height, int width, double minScale, double flipProbability,
            double jitterStrength, double jitterProbability, double greyProbability, double blurProbability) {
        this.chain = new AugmentationChain(List.of(
                RandomResizedCrop.simclr(channels, height, width, minScale),
                new HorizontalFlip(channels, height, width, flipProbability),
                ColourJitter.simclr(channels, height, width, jitterStrength, jitterProbability),
                new RandomGreyscale(channels, height, width, greyProbability),
                GaussianBlur.simclr(channels, height, width, blurProbability)));
    }

    /** The steps in order. */
    public AugmentationChain chain() {
        return chain;
    }

    @Override
    public void apply(float[] src, float[] dst, SplittableRandom random) {
        chain.apply(src, dst, random);
    }

    @Override
    public String toString() {
        return "NaturalImageAugmentation[" + chain.describe() + "]";
    }
}
