package org.pretext.datasets.testing;

import java.util.Iterator;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.Split;

/** Reads whole splits in tests. */
public final class Batches {
    private Batches() {}

    /** Every value of a split in order, row-major. */
    public static float[] values(Split s) {
        int e = (int) s.exampleShape().size();
        float[] out = new float[(int) s.size() * e];
        int row = 0;
        Iterator<Batch> it = s.batches(BatchPlan.sequential(97));
        while (it.hasNext()) {
            Batch b = it.next();
            System.arraycopy(b.inputs().floats(), 0, out, row * e, b.size() * e);
            row += b.size();
        }
        return out;
    }

    /** Example {@code i} of a split. */
    public static float[] example(Split s, int i) {
        int e = (int) s.exampleShape().size();
        float[] all = values(s);
        float[] out = new float[e];
        System.arraycopy(all, i * e, out, 0, e);
        return out;
    }
}
