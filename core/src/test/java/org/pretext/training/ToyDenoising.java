package org.pretext.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.data.IndexedSplit;
import org.pretext.encoder.BlockEncoder;
import org.pretext.encoder.Encoder;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;

/** A minimal objective for testing the loop: reconstruct clean vectors from noisy ones. */
final class ToyDenoising implements Objective {
    static final int DIM = 8;
    private final double learningRateOfNothing;
    private Block decoder;

    ToyDenoising() {
        this(0);
    }

    ToyDenoising(double unused) {
        this.learningRateOfNothing = unused;
    }

    /** 512 vectors on a 2-dimensional subspace of R^8 plus a little noise. */
    static IndexedSplit data(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] basis = new double[2][DIM];
        for (double[] b : basis) {
            for (int j = 0; j < DIM; j++) {
                b[j] = r.nextGaussian();
            }
        }
        int n = 512;
        float[] x = new float[n * DIM];
        for (int i = 0; i < n; i++) {
            double s0 = r.nextGaussian();
            double s1 = r.nextGaussian();
            for (int j = 0; j < DIM; j++) {
                x[i * DIM + j] = (float) (s0 * basis[0][j] + s1 * basis[1][j] + 0.05 * r.nextGaussian());
            }
        }
        return IndexedSplit.ofFloats(x, new Shape(DIM), null, java.util.List.of());
    }

    static Encoder encoder() {
        return new BlockEncoder(Linear.builder().setUnits(4).build(), new Shape(DIM), 4);
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        decoder = Linear.builder().setUnits(DIM).build();
        decoder.initialize(setup.manager(), DataType.FLOAT32, new Shape(1, setup.encoder().featureSize()));
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of("decoder", decoder);
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        float[] clean = batch.inputs().floats();
        float[] noisy = new float[clean.length];
        for (int i = 0; i < clean.length; i++) {
            noisy[i] = clean[i] + (float) (0.3 * random.nextGaussian());
        }
        return PreparedBatch.of(HostTensor.of(noisy, batch.inputs().shape()), batch.inputs());
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        NDArray out = ctx.model().head("decoder", ctx.model().encode(inputs.get(0), true));
        NDArray loss = out.sub(inputs.get(1)).square().mean();
        ctx.metric("toyTerm", learningRateOfNothing);
        return loss;
    }
}
