package org.pretext.selfpredict;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Dataset;
import org.pretext.data.HostTensor;
import org.pretext.data.IndexedSplit;
import org.pretext.datasets.IdxDatasetProvider;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.Features;
import org.pretext.encoders.CnnEncoderProvider;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.testing.SharedData;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;

/**
 * Longer measurements of the image objectives on MNIST (bundled 10k subset) and Fashion-MNIST
 * (first 10,000 training images of ../shared/data/fashion-mnist), outside the default suite:
 *
 * <pre>
 * mvn -o -q -pl objectives-selfpredict -am test -Dtest=SelfPredictMeasurements \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dpretext.measure=true
 * </pre>
 *
 * Each objective pretrains its encoder, then the {@link ClosedFormProbe} is fitted on the
 * pretrained features, on the same encoder at its initial weights, and on raw pixels: at 10
 * labels per class (mean ± sd over 5 seeded draws) and with all 10,000 training labels; accuracy
 * on the full 10,000-image test split. Writes {@code target/selfpredict-measurements.md}.
 * Optional: {@code -Dmeasure.steps=N} scales every run's steps, {@code -Dmeasure.only=NAME}.
 */
@EnabledIfSystemProperty(named = "pretext.measure", matches = "true")
class SelfPredictMeasurements {
    private static final Provenance PROVENANCE = new Provenance("measure", "1", Map.of(), "measure", Map.of(),
            "measure", Map.of(), 0, Map.of(), null);
    private static final int DRAWS = 5;

    record Setup(String objective, String encoder, Supplier<Objective> objectiveFactory,
            Function<Objective, Supplier<Encoder>> encoders, int batch, int steps, double lr, double finalLr) {}

    static List<Setup> setups(double scale) {
        Shape digit = new Shape(1, 28, 28);
        List<Setup> s = new ArrayList<>();
        s.add(new Setup("denoising (masking 0.5)", "mlp 784-512-128",
                () -> new DenoisingObjective(Corruptions.masking(0.5), 0),
                o -> () -> MlpEncoderProvider.create(digit, List.of(512), 128, false), 128, (int) (3000 * scale), 2e-3,
                0.1));
        s.add(new Setup("part-prediction (top half → bottom half)", "mlp 392-512-128",
                () -> new PartPredictionObjective("rows", true, 0),
                o -> () -> MlpEncoderProvider.create(new Shape(1, 14, 28), List.of(512), 128, false), 128,
                (int) (3000 * scale), 2e-3, 0.1));
        s.add(new Setup("rotation", "cnn-small width 8", () -> new RotationObjective(true, 0),
                o -> () -> CnnEncoderProvider.create(digit, 8), 32, (int) (3000 * scale), 2e-3, 0.1));
        s.add(new Setup("mae (mask 0.75)", "vit 4x4 patches, width 64, 2 blocks",
                () -> new MaeObjective(0.75, true, 64, 2, 4),
                o -> () -> VitEncoderProvider.create(digit, 4, 64, 2, 4, 4, 0f, false, VisionTransformer.Pooling.MEAN),
                64, (int) (3000 * scale), 2e-3, 1.0));
        return s;
    }

    @Test
    void imageObjectivesOnMnistAndFashionMnist() throws IOException {
        double scale = Double.parseDouble(System.getProperty("measure.steps", "1"));
        String only = System.getProperty("measure.only");
        StringBuilder md = new StringBuilder();
        md.append("| dataset | objective | encoder | steps | pretrain s | features | 10 labels/class | all labels |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        List<Dataset> datasets = new ArrayList<>();
        datasets.add(MnistDatasetProvider.open(0, 0));
        datasets.add(IdxDatasetProvider.open(SharedData.require("fashion-mnist"), 10_000, 0));
        for (Dataset data : datasets) {
            String name = data.name().contains("fashion") ? "fashion-mnist" : "mnist";
            for (Setup setup : setups(scale)) {
                if (only != null && !setup.objective().startsWith(only)) {
                    continue;
                }
                String[] rows = measure(data, setup);
                for (String row : rows) {
                    String line = "| " + name + " | " + setup.objective() + " | " + setup.encoder() + " | " + row + " |";
                    md.append(line).append('\n');
                    System.out.println("MEASURE " + line);
                }
                Files.writeString(Path.of("target/selfpredict-measurements.md"), md.toString());
            }
        }
    }

    private static String[] measure(Dataset data, Setup setup) {
        IndexedSplit train = (IndexedSplit) data.train().orElseThrow();
        IndexedSplit test = (IndexedSplit) data.test().orElseThrow();
        Objective objective = setup.objectiveFactory().get();
        Device device = Device.cpu();
        PretrainConfig config = PretrainConfig.builder().batchSize(setup.batch()).steps(setup.steps())
                .learningRate(setup.lr()).finalLearningRateFraction(setup.finalLr()).warmupFraction(0.05).seed(1)
                .logEvery(100).build();
        try (PretextModel model = PretextModel.create(setup.encoders().apply(objective), objective,
                data.pretrain().exampleShape(), device, 1)) {
            UnaryOperator<HostTensor> view = objective::encoderInput;
            Features.Matrix rTrain = Features.extract(model.encoder(), model.parameterStore(), train, device, 256, view);
            Features.Matrix rTest = Features.extract(model.encoder(), model.parameterStore(), test, device, 256, view);
            PretrainResult r = new Pretrainer(config).run(model, data.pretrain(), PROVENANCE);
            Features.Matrix pTrain = Features.extract(model.encoder(), model.parameterStore(), train, device, 256, view);
            Features.Matrix pTest = Features.extract(model.encoder(), model.parameterStore(), test, device, 256, view);
            String head = String.format(Locale.ROOT, "%d | %.0f", r.steps(), r.seconds());
            return new String[] {head + " | pretrained | " + probe(pTrain, pTest),
                head + " | random encoder | " + probe(rTrain, rTest),
                head + " | raw pixels | " + probe(ProbeRun.raw(train), ProbeRun.raw(test))};
        }
    }

    private static String probe(Features.Matrix train, Features.Matrix test) {
        double[] acc = new double[DRAWS];
        double mean = 0;
        for (int s = 0; s < DRAWS; s++) {
            int[] labelled = ClosedFormProbe.labelledSubset(train.labels(), train.numClasses(), 10, 1000 + s);
            acc[s] = ClosedFormProbe.accuracy(train, labelled, test);
            mean += acc[s] / DRAWS;
        }
        double var = 0;
        for (double a : acc) {
            var += (a - mean) * (a - mean) / (DRAWS - 1);
        }
        int[] all = new int[train.rows()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        double full = ClosedFormProbe.accuracy(train, all, test);
        return String.format(Locale.ROOT, "%.1f ± %.1f | %.1f", 100 * mean, 100 * Math.sqrt(var), 100 * full);
    }
}
