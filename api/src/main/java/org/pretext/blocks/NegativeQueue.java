package org.pretext.blocks;

import org.apiguardian.api.API;
import org.pretext.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.pretext.PretextException;
import org.pretext.engine.NoGradient;

/**
 * A first-in first-out queue of the K most recent keys (K × d), kept on the device in the model's
 * long-lived manager and overwritten in place, oldest first: MoCo's dictionary of negatives,
 * NNCLR's support set. It starts as random unit vectors, as in MoCo's reference implementation. Its contents and write position are
 * part of the objective's state.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.2")
public final class NegativeQueue {
    private final NDArray keys;
    private final int size;
    private final int dim;
    private int position;

    /**
     * A queue of {@code size} random unit vectors of width {@code dim}.
     *
     * @param manager a long-lived manager (the model's)
     * @param seed fixes the initial vectors
     */
    public NegativeQueue(NDManager manager, int size, int dim, long seed) {
        this.size = size;
        this.dim = dim;
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[size * dim];
        for (int i = 0; i < size; i++) {
            double norm = 0;
            for (int k = 0; k < dim; k++) {
                double g = r.nextGaussian();
                v[i * dim + k] = (float) g;
                norm += g * g;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int k = 0; k < dim; k++) {
                v[i * dim + k] *= inv;
            }
        }
        this.keys = HostArrays.floats(manager, v, new Shape(size, dim));
    }

    /** The queue (K × d); read it, never keep it past the step. */
    public NDArray keys() {
        return keys;
    }

    public int size() {
        return size;
    }

    /** Index where the next key goes. */
    public int position() {
        return position;
    }

    /**
     * Writes a batch of keys (B × d, no gradient) over the oldest entries, wrapping around.
     *
     * @throws PretextException when the batch is larger than the queue
     */
    public void enqueue(NDArray batch) {
        int b = (int) batch.getShape().get(0);
        if (b > size) {
            throw new PretextException("The queue holds " + size + " keys but a batch brings " + b
                    + ": expected queue-size >= the batch size");
        }
        NoGradient.run(() -> {
            int first = Math.min(b, size - position);
            if (first == b) {
                keys.set(new NDIndex(position + ":" + (position + b)), batch);
            } else {
                try (NDArray head = batch.get("0:" + first); NDArray tail = batch.get(first + ":" + b)) {
                    keys.set(new NDIndex(position + ":" + size), head);
                    keys.set(new NDIndex("0:" + (b - first)), tail);
                }
            }
        });
        position = (position + b) % size;
    }

    /** Writes size, width, position and the keys. */
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(size);
        out.writeInt(dim);
        out.writeInt(position);
        for (float f : keys.toFloatArray()) {
            out.writeFloat(f);
        }
    }

    /** Reads what {@link #write} wrote, refusing another size or width. */
    public void read(DataInputStream in, String source) throws IOException {
        int s = in.readInt();
        int d = in.readInt();
        int p = in.readInt();
        if (s != size || d != dim || p < 0 || p >= size) {
            throw new PretextException(source + " holds a queue of " + s + " keys of width " + d + " (position "
                    + p + ") but this objective has queue-size " + size + " and keys of width " + dim);
        }
        float[] v = new float[size * dim];
        for (int i = 0; i < v.length; i++) {
            v[i] = in.readFloat();
        }
        HostArrays.copyInto(keys, v);
        position = p;
    }
}
