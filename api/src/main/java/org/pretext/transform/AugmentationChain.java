package org.pretext.transform;

import org.apiguardian.api.API;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Augmentations applied one after the other, each drawing from the same random stream in turn.
 *
 * @param steps the transforms in order (each must accept {@code src == dst})
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record AugmentationChain(List<Augmentation> steps) implements Augmentation {
    public AugmentationChain {
        steps = List.copyOf(steps);
    }

    @Override
    public void apply(float[] src, float[] dst, SplittableRandom random) {
        if (src != dst) {
            System.arraycopy(src, 0, dst, 0, src.length);
        }
        for (Augmentation a : steps) {
            a.apply(dst, dst, random);
        }
    }

    /** The steps' names, e.g. {@code random-resized-crop > horizontal-flip}. */
    public String describe() {
        return steps.stream().map(s -> s instanceof ImageAugmentation n ? n.name() : s.getClass().getSimpleName())
                .collect(Collectors.joining(" > "));
    }
}
