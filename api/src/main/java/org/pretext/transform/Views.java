package org.pretext.transform;

import org.apiguardian.api.API;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.pretext.data.HostTensor;

/** Makes augmented views of a batch of examples. */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class Views {
    private Views() {}

    /**
     * One augmented view of every example of a (B, ...) float tensor; each example gets its own
     * random stream split from {@code random}, so the result does not depend on thread timing.
     */
    public static HostTensor augment(HostTensor batch, Augmentation augmentation, SplittableRandom random) {
        Shape shape = batch.shape();
        int b = (int) shape.get(0);
        int size = (int) (shape.size() / Math.max(1, b));
        float[] in = batch.floats();
        float[] out = new float[in.length];
        float[] src = new float[size];
        float[] dst = new float[size];
        for (int i = 0; i < b; i++) {
            System.arraycopy(in, i * size, src, 0, size);
            augmentation.apply(src, dst, random.split());
            System.arraycopy(dst, 0, out, i * size, size);
        }
        return HostTensor.of(out, shape);
    }
}
