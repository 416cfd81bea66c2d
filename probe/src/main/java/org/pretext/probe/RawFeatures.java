package org.pretext.probe;

import java.util.Iterator;
import ai.djl.ndarray.types.DataType;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.Split;
import org.pretext.encoder.Features;

/**
 * The raw-input baseline: a split's examples flattened into feature rows (e.g. 784 pixel values
 * per 28×28 image), with the split's labels, read once in order.
 */
public final class RawFeatures {
    private RawFeatures() {}

    /** The flattened float examples of a split; fails for int (token) data. */
    public static Features.Matrix of(Split split) {
        int n = Math.toIntExact(split.size());
        long width = split.exampleShape().size();
        if ((long) n * width > Integer.MAX_VALUE - 8) {
            throw new PretextException("The split of " + n + " examples of shape " + split.exampleShape()
                    + " is too large for one raw-feature matrix");
        }
        int d = (int) width;
        float[] out = new float[n * d];
        int row = 0;
        Iterator<Batch> it = split.batches(BatchPlan.sequential(256)); // batches under a G1 region: no burst of humongous arrays
        while (it.hasNext()) {
            Batch b = it.next();
            if (b.inputs().dataType() != DataType.FLOAT32) {
                throw new PretextException("Raw-input features need float examples; this split holds "
                        + b.inputs().dataType() + " values (e.g. token ids)");
            }
            float[] v = b.inputs().floats();
            System.arraycopy(v, 0, out, row * d, v.length);
            row += b.size();
        }
        return new Features.Matrix(out, n, d, split.hasLabels() ? split.labels() : null, split.numClasses());
    }
}
