package org.pretext.selfpredict;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import org.pretext.encoder.BlockEncoder;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Dataset;
import org.pretext.data.HostTensor;
import org.pretext.data.IndexedSplit;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.Features;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;

/**
 * A short pretraining run followed by the {@link ClosedFormProbe} on three feature sets: the
 * pretrained encoder, the same encoder at its initial weights (same seed, before training) and
 * the raw input. Accuracies are means over several seeded draws of the labelled subset.
 */
final class ProbeRun {
    private static Dataset mnist;

    /** The bundled MNIST subset, loaded once per test JVM. */
    static synchronized Dataset mnist() {
        if (mnist == null) {
            mnist = org.pretext.datasets.MnistDatasetProvider.open(0, 0);
        }
        return mnist;
    }

    /** Accuracies (fractions) and what the pretraining did. */
    record Result(double pretrained, double randomEncoder, double rawInput, double[] nearestMean, double predictor,
            PretrainResult pretraining) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "ridge probe: pretrained %.4f, random encoder %.4f, raw input %.4f, predictor output %.4f;"
                            + " nearest mean: %.4f, %.4f, %.4f (%d steps in %.1f s, loss %.4f -> %.4f)",
                    pretrained, randomEncoder, rawInput, predictor, nearestMean[0], nearestMean[1], nearestMean[2],
                    pretraining.steps(), pretraining.seconds(), pretraining.losses()[0], pretraining.finalLoss());
        }
    }

    private static final Provenance PROVENANCE = new Provenance("test", "1", Map.of(), "test", Map.of(), "test",
            Map.of(), 0, Map.of(), null);

    private ProbeRun() {}

    /**
     * @param statsRows the first rows of the training split used for the probe (labelled subset
     *     drawn from them, standardisation statistics over all of them)
     * @param testRows the first rows of the test split the accuracy is measured on
     * @param draws number of labelled subsets averaged over
     */
    static Result run(Objective objective, Supplier<Encoder> encoders, Dataset data, PretrainConfig config,
            int perClass, int statsRows, int testRows, int draws) {
        return run(objective, encoders, data, config, perClass, statsRows, testRows, draws, null);
    }

    /**
     * As above; with {@code headName} also probes the output of that head on the encoder's
     * features (e.g. part-prediction's predictor ψ = g∘f, the representation of Lee et al.'s theory).
     */
    static Result run(Objective objective, Supplier<Encoder> encoders, Dataset data, PretrainConfig config,
            int perClass, int statsRows, int testRows, int draws, String headName) {
        IndexedSplit train = first((IndexedSplit) data.train().orElseThrow(), statsRows);
        IndexedSplit test = first((IndexedSplit) data.test().orElseThrow(), testRows);
        Device device = Device.cpu();
        try (PretextModel model = PretextModel.create(encoders, objective, data.pretrain().exampleShape(), device,
                config.seed())) {
            UnaryOperator<HostTensor> view = objective::encoderInput;
            Features.Matrix rTrain = Features.extract(model.encoder(), model.parameterStore(), train, device, 256, view);
            Features.Matrix rTest = Features.extract(model.encoder(), model.parameterStore(), test, device, 256, view);
            PretrainResult r = new Pretrainer(config).run(model, data.pretrain(), PROVENANCE);
            Features.Matrix pTrain = Features.extract(model.encoder(), model.parameterStore(), train, device, 256, view);
            Features.Matrix pTest = Features.extract(model.encoder(), model.parameterStore(), test, device, 256, view);
            Features.Matrix hTrain = null;
            Features.Matrix hTest = null;
            if (headName != null) {
                SequentialBlock psi = new SequentialBlock().add(model.encoder().block())
                        .add(objective.heads().get(headName));
                int width = (int) psi.getOutputShapes(new Shape[] {PretextModel.batched(
                        objective.encoderInputShape(data.pretrain().exampleShape()), 1)})[0].get(1);
                BlockEncoder e = new BlockEncoder(psi, model.encoder().inputShape(), width);
                hTrain = Features.extract(e, model.parameterStore(), train, device, 256, view);
                hTest = Features.extract(e, model.parameterStore(), test, device, 256, view);
            }
            Features.Matrix xTrain = raw(train);
            Features.Matrix xTest = raw(test);
            double p = 0;
            double q = 0;
            double x = 0;
            double[] ncm = new double[3];
            double h = 0;
            for (int s = 0; s < draws; s++) {
                int[] labelled = ClosedFormProbe.labelledSubset(train.labels(), train.numClasses(), perClass, 1000 + s);
                boolean std = Boolean.getBoolean("probeStd");
                p += ClosedFormProbe.accuracy(pTrain, labelled, pTest, std);
                q += ClosedFormProbe.accuracy(rTrain, labelled, rTest, std);
                x += ClosedFormProbe.accuracy(xTrain, labelled, xTest, std);
                h += hTrain == null ? Double.NaN : ClosedFormProbe.accuracy(hTrain, labelled, hTest, std);
                ncm[0] += ClosedFormProbe.nearestMeanAccuracy(pTrain, labelled, pTest) / draws;
                ncm[1] += ClosedFormProbe.nearestMeanAccuracy(rTrain, labelled, rTest) / draws;
                ncm[2] += ClosedFormProbe.nearestMeanAccuracy(xTrain, labelled, xTest) / draws;
            }
            return new Result(p / draws, q / draws, x / draws, ncm, h / draws, r);
        }
    }

    static IndexedSplit first(IndexedSplit split, int rows) {
        int n = (int) Math.min(rows, split.size());
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return split.subset(idx);
    }

    /** The raw inputs as a feature matrix. */
    static Features.Matrix raw(IndexedSplit split) {
        int n = (int) split.size();
        int d = (int) split.exampleShape().size();
        return new Features.Matrix(split.floatData(), n, d, split.labels(), split.numClasses());
    }
}
