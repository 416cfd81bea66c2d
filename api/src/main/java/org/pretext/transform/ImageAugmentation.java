package org.pretext.transform;

import org.apiguardian.api.API;

/**
 * An {@link Augmentation} of images (C, H, W) with a stable name, so recipes can be listed and
 * reported. Every implementation accepts {@code src == dst} (in place), keeps values in [0, 1]
 * when they start there, and draws all its randomness from the stream it is given, in a fixed
 * order, so the same seed gives the same output on any thread.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public interface ImageAugmentation extends Augmentation {
    /** The transform's name, e.g. {@code horizontal-flip}. */
    String name();
}
