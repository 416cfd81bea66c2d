package org.pretext.probe;

import org.pretext.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.Dataset;
import org.pretext.data.HostTensor;
import org.pretext.data.IndexedSplit;
import org.pretext.data.Split;
import org.pretext.encoder.Features;
import org.pretext.model.PretextModel;
import org.pretext.training.EpochMonitor;

/**
 * Online kNN accuracy during pretraining, as the leading SSL libraries log it: at the end of every
 * epoch the current encoder (inference mode) embeds a small labelled subset of the training split
 * (the bank) and of the test split (the queries), and {@link KnnClassifier} (cosine, k = 20,
 * T = 0.07 by default) scores the queries. Logged as {@value #METRIC}.
 *
 * <pre>{@code
 * KnnMonitor.forDataset(dataset, 1000, 1000, seed).ifPresent(pretrainer::addMonitor);
 * }</pre>
 *
 * Cost per epoch: one forward pass over both subsets and one small GEMM; every array is freed
 * before {@link #measure} returns, and no random stream of the training run is touched.
 */
public final class KnnMonitor implements EpochMonitor {
    /** The metric's name in the step metrics and {@code metrics.jsonl}. */
    public static final String METRIC = "knnAccuracy";

    private final Split bank;
    private final Split queries;
    private final int[] bankLabels;
    private final int[] queryLabels;
    private final int numClasses;
    private final KnnClassifier knn;
    private final int batchSize;

    /**
     * @param bank labelled examples whose features vote
     * @param queries labelled examples to classify
     * @param batchSize examples per forward pass and queries per similarity GEMM
     */
    public KnnMonitor(Split bank, Split queries, int k, double temperature, int batchSize) {
        if (!bank.hasLabels() || !queries.hasLabels()) {
            throw new PretextException("The kNN monitor needs labelled examples: the "
                    + (bank.hasLabels() ? "query" : "bank") + " split has no labels");
        }
        if (!bank.exampleShape().equals(queries.exampleShape())) {
            throw new PretextException("The kNN monitor's bank examples have shape " + bank.exampleShape()
                    + " but its queries have shape " + queries.exampleShape());
        }
        this.bank = bank;
        this.queries = queries;
        this.bankLabels = bank.labels();
        this.queryLabels = queries.labels();
        this.numClasses = Math.max(bank.numClasses(), queries.numClasses());
        this.knn = new KnnClassifier(k, temperature, batchSize);
        this.batchSize = batchSize;
    }

    /**
     * A monitor on seeded random subsets of a dataset's training and test splits (k = 20,
     * T = 0.07, batches of 500), or empty when the dataset has no labels.
     *
     * @param bankSize training examples in the bank (all if the split is smaller)
     * @param querySize test examples classified (all if the split is smaller)
     */
    public static Optional<KnnMonitor> forDataset(Dataset dataset, int bankSize, int querySize, long seed) {
        if (dataset.train().isEmpty() || dataset.test().isEmpty() || !dataset.train().get().hasLabels()
                || !dataset.test().get().hasLabels()) {
            return Optional.empty();
        }
        Split b = sample(dataset.train().get(), bankSize, seed ^ 0x6b6e6eL);
        Split q = sample(dataset.test().get(), querySize, seed ^ 0x71756572L);
        return Optional.of(new KnnMonitor(b, q, KnnClassifier.DEFAULT_K, KnnClassifier.DEFAULT_TEMPERATURE, 500));
    }

    @Override
    public Map<String, Double> measure(PretextModel model, long epoch) {
        return Map.of(METRIC, accuracy(model));
    }

    /** kNN accuracy of the model's current encoder on the monitor's subsets. */
    public double accuracy(PretextModel model) {
        Shape in = model.encoder().inputShape();
        Shape fed = model.objective().encoderInputShape(bank.exampleShape());
        if (!in.equals(fed)) {
            throw new PretextException("The kNN monitor feeds inputs of shape " + fed
                    + " to the encoder, which takes " + in + ": switch the monitor off for this objective");
        }
        // what the encoder was trained on of each example (e.g. one half for part-prediction)
        Features.Matrix b = Features.extract(model.encoder(), model.parameterStore(), bank, model.device(), batchSize,
                model.objective()::encoderInput);
        Features.Matrix q = Features.extract(model.encoder(), model.parameterStore(), queries, model.device(),
                batchSize, model.objective()::encoderInput);
        try (NDManager m = NDManager.newBaseManager(model.device())) {
            NDArray bx = HostArrays.floats(m, b.values(), new Shape(b.rows(), b.cols()));
            NDArray qx = HostArrays.floats(m, q.values(), new Shape(q.rows(), q.cols()));
            return knn.accuracy(bx, bankLabels, numClasses, qx, queryLabels);
        }
    }

    /** Up to {@code count} examples of a split chosen uniformly at random, in their original order. */
    static Split sample(Split split, int count, long seed) {
        int n = Math.toIntExact(split.size());
        if (count >= n) {
            return split;
        }
        int[] chosen = Arrays.copyOf(IndexedSplit.permutation(n, seed), count);
        Arrays.sort(chosen);
        if (split instanceof IndexedSplit s) {
            return s.subset(chosen);
        }
        // Streaming split: one sequential pass, keeping the chosen rows.
        int width = Math.toIntExact(split.exampleShape().size());
        float[] floats = null;
        int[] ints = null;
        int[] labels = new int[count];
        int[] all = split.labels();
        int next = 0;
        int row = 0;
        Iterator<Batch> it = split.batches(BatchPlan.sequential(1024));
        while (it.hasNext() && next < count) {
            Batch batch = it.next();
            HostTensor t = batch.inputs();
            boolean isFloat = t.dataType() == DataType.FLOAT32;
            if (floats == null && ints == null) {
                if (isFloat) {
                    floats = new float[count * width];
                } else {
                    ints = new int[count * width];
                }
            }
            for (int i = 0; i < batch.size() && next < count; i++, row++) {
                if (row == chosen[next]) {
                    if (isFloat) {
                        System.arraycopy(t.floats(), i * width, floats, next * width, width);
                    } else {
                        System.arraycopy(t.ints(), i * width, ints, next * width, width);
                    }
                    labels[next] = all[row];
                    next++;
                }
            }
        }
        return floats != null ? IndexedSplit.ofFloats(floats, split.exampleShape(), labels, split.classNames())
                : IndexedSplit.ofInts(ints, split.exampleShape(), labels, split.classNames());
    }
}
