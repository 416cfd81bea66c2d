package org.pretext.transform;

import org.apiguardian.api.API;
import java.util.SplittableRandom;

/**
 * Augmentations for feature vectors (no spatial structure): each coordinate is dropped to zero
 * with probability {@code dropProbability}, then Gaussian noise of standard deviation
 * {@code noise} is added.
 *
 * @param dropProbability chance of zeroing each coordinate
 * @param noise standard deviation of the added noise
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record VectorAugmentation(double dropProbability, double noise) implements Augmentation {
    @Override
    public void apply(float[] src, float[] dst, SplittableRandom r) {
        for (int i = 0; i < src.length; i++) {
            float v = r.nextDouble() < dropProbability ? 0f : src[i];
            dst[i] = noise > 0 ? v + (float) (noise * r.nextGaussian()) : v;
        }
    }
}
