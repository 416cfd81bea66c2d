package org.pretext.selfpredict;

import ai.djl.ndarray.types.Shape;
import org.pretext.PretextException;
import org.pretext.data.HostTensor;

/**
 * Cuts examples into two halves along one axis: images (C, H, W) into top and bottom (rows) or
 * left and right (columns), vectors (d) into their first and second halves. With an odd length
 * the first half is the shorter one (⌊n/2⌋). One half is the context the encoder sees, the
 * other the target it predicts.
 *
 * @param exampleShape shape of one example, (C, H, W) or (d)
 * @param axis the example axis cut: 1 or 2 for images (rows, columns), 0 for vectors
 * @param contextFirst whether the context is the first half (top, left, first coordinates)
 */
public record Halves(Shape exampleShape, int axis, boolean contextFirst) {

    /** The halves for a split name ("rows" or "columns") and example shape, or an error naming both. */
    public static Halves of(Shape exampleShape, String split, boolean contextFirst, String owner) {
        int dims = exampleShape.dimension();
        int axis;
        if (dims == 3) {
            axis = "columns".equals(split) ? 2 : 1;
        } else if (dims == 1 && "rows".equals(split)) {
            axis = 0;
        } else if (dims == 1) {
            throw new PretextException(owner + ": split '" + split + "' needs images (channels, height, width), but the"
                    + " data has vectors of shape " + exampleShape + "; use split=rows (first and second half)");
        } else {
            throw new PretextException(owner + " cuts images (channels, height, width) or vectors (d) in half, but the"
                    + " data has examples of shape " + exampleShape);
        }
        if (exampleShape.get(axis) < 2) {
            throw new PretextException(owner + ": examples of shape " + exampleShape + " have length "
                    + exampleShape.get(axis) + " along the cut axis: expected at least 2");
        }
        return new Halves(exampleShape, axis, contextFirst);
    }

    private long cut() {
        return exampleShape.get(axis) / 2;
    }

    private Shape part(boolean first) {
        long[] dims = exampleShape.getShape().clone();
        dims[axis] = first ? cut() : exampleShape.get(axis) - cut();
        return new Shape(dims);
    }

    /** Shape of the half the encoder sees. */
    public Shape contextShape() {
        return part(contextFirst);
    }

    /** Shape of the half that is predicted. */
    public Shape targetShape() {
        return part(!contextFirst);
    }

    /** The context half of every example of a (B, exampleShape...) batch. */
    public HostTensor context(HostTensor batch) {
        return slice(batch, contextFirst);
    }

    /** The target half of every example of a (B, exampleShape...) batch. */
    public HostTensor target(HostTensor batch) {
        return slice(batch, !contextFirst);
    }

    private HostTensor slice(HostTensor batch, boolean first) {
        Shape shape = batch.shape();
        if (!shape.slice(1).equals(exampleShape)) {
            throw new IllegalArgumentException("batch of shape " + shape + " for examples of shape " + exampleShape);
        }
        int b = (int) shape.get(0);
        long inner = 1;
        for (int i = axis + 1; i < exampleShape.dimension(); i++) {
            inner *= exampleShape.get(i);
        }
        long outer = exampleShape.size() / (exampleShape.get(axis) * inner);
        int len = (int) exampleShape.get(axis);
        int lo = first ? 0 : (int) cut();
        int hi = first ? (int) cut() : len;
        int run = (int) ((hi - lo) * inner);
        int exampleSize = (int) exampleShape.size();
        float[] in = batch.floats();
        float[] out = new float[(int) (b * outer * run)];
        int o = 0;
        for (int e = 0; e < b; e++) {
            for (long k = 0; k < outer; k++) {
                int from = (int) (e * exampleSize + k * len * inner + lo * inner);
                System.arraycopy(in, from, out, o, run);
                o += run;
            }
        }
        return HostTensor.of(out, new Shape(b).addAll(part(first)));
    }
}
