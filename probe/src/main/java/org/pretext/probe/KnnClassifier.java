package org.pretext.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Weighted k-nearest-neighbour classification by cosine similarity, the SSL evaluation protocol of
 * Wu et al. 2018 (InstDisc) used by DINO and most SSL libraries: for a query q, take the k labelled
 * examples x<sub>j</sub> of highest cosine similarity s<sub>j</sub> = q̂ᵀx̂<sub>j</sub> and predict
 *
 * <pre>
 *   ŷ = argmax<sub>c</sub> Σ<sub>j ∈ top-k</sub> exp(s<sub>j</sub> / T) · [y<sub>j</sub> = c]
 * </pre>
 *
 * (the weights are computed as exp((s<sub>j</sub> − max s)/T), the same argmax without overflow).
 * When fewer than k labelled examples exist, all of them vote. Queries are processed in batches:
 * one GEMM against the normalised bank, one top-k, one one-hot vote per batch, all on the
 * device; ties between classes go to the lowest class index.
 */
public final class KnnClassifier implements org.pretext.evaluation.Probe {
    /** The protocol's defaults. */
    public static final int DEFAULT_K = 20;
    public static final double DEFAULT_TEMPERATURE = 0.07;
    private static final float EPS = 1e-12f;

    private final int k;
    private final double temperature;
    private final int batchSize;

    /**
     * @param k neighbours that vote
     * @param temperature T of the vote weights exp(s/T)
     * @param batchSize queries per similarity GEMM
     */
    public KnnClassifier(int k, double temperature, int batchSize) {
        if (k < 1 || !(temperature > 0) || batchSize < 1) {
            throw new IllegalArgumentException("kNN needs k >= 1, T > 0, batch >= 1; got k=" + k + ", T="
                    + temperature + ", batch=" + batchSize);
        }
        this.k = k;
        this.temperature = temperature;
        this.batchSize = batchSize;
    }

    public int k() {
        return k;
    }

    public double temperature() {
        return temperature;
    }

    /**
     * Predicted classes of the queries.
     *
     * @param bank labelled features (n × d, float32) on the device
     * @param bankLabels their classes
     * @param queries features (m × d, float32) on the same device
     */
    public int[] predict(NDArray bank, int[] bankLabels, int numClasses, NDArray queries) {
        long n = bank.getShape().get(0);
        if (bankLabels.length != n) {
            throw new IllegalArgumentException(bankLabels.length + " labels for " + n + " bank rows");
        }
        if (queries.getShape().get(1) != bank.getShape().get(1)) {
            throw new IllegalArgumentException("queries " + queries.getShape() + " and bank " + bank.getShape()
                    + " differ in width");
        }
        FiniteFeatures.require(bank, "the kNN probe's labelled features");
        FiniteFeatures.require(queries, "the kNN probe's query features");
        int m = Math.toIntExact(queries.getShape().get(0));
        int kk = (int) Math.min(k, n);
        int[] out = new int[m];
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDManager mgr = bank.getManager();
            NDArray bankT = normalize(bank).transpose();
            NDArray labels = mgr.create(toLong(bankLabels), new Shape(n));
            for (int from = 0; from < m; from += batchSize) {
                int to = Math.min(m, from + batchSize);
                try (NDScope batch = new NDScope()) {
                    batch.suppressNotUsedWarning();
                    NDArray q = normalize(queries.get(from + ":" + to));
                    NDArray sims = q.matMul(bankT);
                    NDList top = sims.topK(kk, 1, true, true);
                    NDArray s = top.get(0);
                    NDArray idx = top.get(1);
                    NDArray w = s.sub(s.max(new int[] {1}, true)).div(temperature).exp();
                    NDArray votes = labels.take(idx).oneHot(numClasses, DataType.FLOAT32)
                            .mul(w.expandDims(2)).sum(new int[] {1});
                    int[] pred = votes.argMax(1).toType(DataType.INT32, false).toIntArray();
                    System.arraycopy(pred, 0, out, from, pred.length);
                }
            }
        }
        return out;
    }

    /** Fraction of queries whose predicted class is their label. */
    public double accuracy(NDArray bank, int[] bankLabels, int numClasses, NDArray queries, int[] queryLabels) {
        return Accuracy.of(predict(bank, bankLabels, numClasses, queries), queryLabels);
    }

    /** One draw of the suite: the test accuracy of the draw's labelled rows as the neighbour bank. */
    @Override
    public Outcome evaluate(Draw d) {
        return Outcome.accuracy(accuracy(d.features(), d.labels(), d.numClasses(), d.testFeatures(),
                d.testLabelValues()));
    }

    /** Rows scaled to unit L2 norm (zero rows stay zero), in float32. */
    static NDArray normalize(NDArray x) {
        NDArray f = x.toType(DataType.FLOAT32, false);
        NDArray norm = f.square().sum(new int[] {1}, true).sqrt().maximum(EPS);
        return f.div(norm);
    }

    private static long[] toLong(int[] v) {
        long[] r = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i];
        }
        return r;
    }
}
