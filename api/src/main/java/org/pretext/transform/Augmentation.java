package org.pretext.transform;

import org.apiguardian.api.API;
import java.util.SplittableRandom;

/**
 * A random transform of one example, in place on a float array of a known shape. All randomness
 * comes from the stream passed in, so a seed fixes the result on any thread.
 */
@FunctionalInterface
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public interface Augmentation {
    /**
     * Transforms one example.
     *
     * @param src the example, row-major
     * @param dst where to write the transformed example (same length; may be {@code src})
     */
    void apply(float[] src, float[] dst, SplittableRandom random);
}
