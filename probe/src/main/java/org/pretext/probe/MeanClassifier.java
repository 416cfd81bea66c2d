package org.pretext.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The mean classifier of Arora et al. 2019 ("A theoretical analysis of contrastive unsupervised
 * representation learning"): each class is represented by the mean of its L2-normalised
 * features, μ<sub>c</sub> = mean<sub>i: y<sub>i</sub>=c</sub> x̂<sub>i</sub>, and a query goes to the
 * nearest mean by cosine similarity, ŷ = argmax<sub>c</sub> q̂ᵀμ<sub>c</sub> / ‖μ<sub>c</sub>‖.
 * Classes without labelled examples are never predicted; ties go to the lowest class index. The
 * means come from one one-hot GEMM, the scores from one GEMM per call, on the device.
 */
public final class MeanClassifier implements org.pretext.evaluation.Probe {
    private final int batchSize;

    /** @param batchSize queries scored per GEMM */
    public MeanClassifier(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, was " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /**
     * The normalised class means (C × d, row-major float32, zero rows for empty classes).
     *
     * @param features labelled features (n × d) on the device
     */
    public float[] classMeans(NDArray features, int[] labels, int numClasses) {
        FiniteFeatures.require(features, "the mean probe's labelled features");
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return means(features, labels, numClasses).toFloatArray();
        }
    }

    /** Predicted classes of the queries (m × d, same device as the labelled features). */
    public int[] predict(NDArray features, int[] labels, int numClasses, NDArray queries) {
        FiniteFeatures.require(features, "the mean probe's labelled features");
        FiniteFeatures.require(queries, "the mean probe's query features");
        int m = Math.toIntExact(queries.getShape().get(0));
        int[] counts = LabelDraws.classCounts(labels, numClasses);
        float[] absent = new float[numClasses];
        for (int c = 0; c < numClasses; c++) {
            absent[c] = counts[c] == 0 ? Float.NEGATIVE_INFINITY : 0f;
        }
        int[] out = new int[m];
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDManager mgr = features.getManager();
            NDArray meansT = means(features, labels, numClasses).transpose();
            NDArray mask = mgr.create(absent, new Shape(numClasses));
            for (int from = 0; from < m; from += batchSize) {
                int to = Math.min(m, from + batchSize);
                try (NDScope batch = new NDScope()) {
                    batch.suppressNotUsedWarning();
                    NDArray scores = KnnClassifier.normalize(queries.get(from + ":" + to)).matMul(meansT).add(mask);
                    int[] pred = scores.argMax(1).toType(DataType.INT32, false).toIntArray();
                    System.arraycopy(pred, 0, out, from, pred.length);
                }
            }
        }
        return out;
    }

    /** Fraction of queries whose predicted class is their label. */
    public double accuracy(NDArray features, int[] labels, int numClasses, NDArray queries, int[] queryLabels) {
        return Accuracy.of(predict(features, labels, numClasses, queries), queryLabels);
    }

    /** One draw of the suite: the test accuracy of the draw's labelled rows as the class means' rows. */
    @Override
    public Outcome evaluate(Draw d) {
        return Outcome.accuracy(accuracy(d.features(), d.labels(), d.numClasses(), d.testFeatures(),
                d.testLabelValues()));
    }

    private static NDArray means(NDArray features, int[] labels, int numClasses) {
        long n = features.getShape().get(0);
        if (labels.length != n) {
            throw new IllegalArgumentException(labels.length + " labels for " + n + " rows");
        }
        NDManager mgr = features.getManager();
        NDArray oneHot = mgr.create(labels, new Shape(n)).oneHot(numClasses, DataType.FLOAT32);
        NDArray sums = oneHot.transpose().matMul(KnnClassifier.normalize(features));
        // Dividing by the count does not change the direction: normalising the sum is enough.
        return KnnClassifier.normalize(sums);
    }
}
