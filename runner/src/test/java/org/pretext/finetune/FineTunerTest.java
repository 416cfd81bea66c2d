package org.pretext.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Dataset;
import org.pretext.data.Split;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.Features;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.probe.NamedProbe;
import org.pretext.probe.ProbeOptions;
import org.pretext.probe.ProbeSuite;
import org.pretext.runtime.MixedPrecision;
import org.pretext.transform.DigitAugmentation;

/** Fine-tuning an MLP on a small MNIST subset, with real numbers. */
class FineTunerTest {
    private static final Dataset DATA = MnistDatasetProvider.open(2000, 1000);
    private static final Split TRAIN = DATA.train().orElseThrow();
    private static final Split TEST = DATA.test().orElseThrow();
    private static final Device CPU = Device.cpu();
    private static final Provenance PROVENANCE = new Provenance("finetune", "test", Map.of(), "mlp", Map.of(), "mnist",
            Map.of(), 7, Map.of(), null);

    private static Encoder mlp() {
        return MlpEncoderProvider.create(TRAIN.exampleShape(), List.of(64), 32, false);
    }

    private static FineTuner.Start start(Map<String, float[]> weights) {
        return new FineTuner.Start(FineTunerTest::mlp, "mlp", UnaryOperator.identity(), weights);
    }

    private static int[] rows(int perClass, long seed) {
        return FinetuneBudget.perClassOf(perClass).draw(TRAIN.labels(), 10, seed, null);
    }

    @Test
    void aRandomlyInitialisedMlpFineTunedOn200LabelsBeatsChanceByAWideMargin() {
        FinetuneOptions o = FinetuneOptions.defaults().withEpochs(15).withRates(1e-3, 1e-3, 1.0).withBatchSize(32);
        FineTuner.Outcome r = new FineTuner(o, CPU).run(start(null), TRAIN, rows(20, 1), TEST, 3, null, PROVENANCE);
        assertThat(r.trainRows()).isEqualTo(200);
        assertThat(r.epochs()).isEqualTo(15);
        assertThat(r.testAccuracy()).as("chance is 10%%").isGreaterThan(0.70);
    }

    @Test
    void bf16FineTuningRunsTheEncoderInBfloat16LearnsAsFloat32DoesAndRepeatsItself() {
        FinetuneOptions o = FinetuneOptions.defaults().withEpochs(15).withRates(1e-3, 1e-3, 1.0).withBatchSize(32);
        List<Double> accuracy = new ArrayList<>();
        List<float[]> firstLayer = new ArrayList<>();
        for (String precision : List.of(MixedPrecision.FLOAT32, MixedPrecision.BF16, MixedPrecision.BF16)) {
            FineTuner.Outcome r = new FineTuner(o.withPrecision(precision), CPU).withInspector(model -> firstLayer.add(
                    model.parameters().values().iterator().next().getArray().toFloatArray()))
                    .run(start(null), TRAIN, rows(20, 1), TEST, 3, null, PROVENANCE);
            accuracy.add(r.testAccuracy());
        }
        assertThat(firstLayer.get(1)).as("bf16 products round differently: other weights").isNotEqualTo(
                firstLayer.get(0));
        assertThat(firstLayer.get(2)).as("the same seed gives the same bf16 run").isEqualTo(firstLayer.get(1));
        assertThat(accuracy.get(2)).isEqualTo(accuracy.get(1));
        assertThat(accuracy.get(1)).as("chance is 10%%").isGreaterThan(0.70);
        assertThat(accuracy.get(1)).as("float32: %s", accuracy.get(0)).isCloseTo(accuracy.get(0),
                org.assertj.core.api.Assertions.within(0.04));
        assertThatThrownBy(() -> o.withPrecision("fp16")).isInstanceOf(PretextException.class)
                .hasMessage("Invalid fine-tuning options: precision 'fp16' (expected one of [float32, bf16])");
        assertThatThrownBy(() -> new FinetuneOptions(0, 0, 16, 1e-2, 1e-4, 1.0, 0.0, 0, 0.0, 5, null, 1024,
                FinetuneNoise.none(), "fp16")).isInstanceOf(PretextException.class)
                .hasMessageContaining("epochs 0 (expected >= 1)").hasMessageContaining("precision 'fp16'");
    }

    @Test
    void trainingTheHeadAloneFollowsTheLinearProbeOfTheSameFrozenFeatures() {
        // fixed random features: an initialised encoder's weights stand for "pretrained" ones
        try (NDManager m = NDManager.newBaseManager(CPU)) {
            Encoder e = mlp();
            e.block().initialize(m, DataType.FLOAT32, PretextModel.batched(e.inputShape(), 2));
            Map<String, float[]> w = FineTuner.Start.weightsOf(e);
            Features.Matrix tr = Features.extract(e, new ParameterStore(m, false), TRAIN, CPU, 512);
            Features.Matrix te = Features.extract(e, new ParameterStore(m, false), TEST, CPU, 512);
            ProbeSuite suite = new ProbeSuite(ProbeOptions.defaults(CPU).withProbes(List.of(NamedProbe.builtIn("logistic"))));
            // full batches: one step per epoch
            FinetuneOptions headOnly = FinetuneOptions.defaults().withFreezeBlocks(99).withEpochs(120)
                    .withRates(3e-2, 0, 1.0).withBatchSize(1000);
            double[] tuned = new double[2];
            double[] probed = new double[2];
            int[] budgets = {5, 50};
            for (int i = 0; i < 2; i++) {
                int[] r = rows(budgets[i], 11 + i);
                tuned[i] = new FineTuner(headOnly, CPU).run(start(w), TRAIN, r, TEST, 5, null, PROVENANCE).testAccuracy();
                probed[i] = suite.evaluateRows(tr, te, List.of(r), new long[] {5}).get("logistic")[0];
            }
            System.out.printf("head only %s, logistic probe %s%n", Arrays.toString(tuned), Arrays.toString(probed));
            assertThat(tuned[1]).as("more labels help the head").isGreaterThan(tuned[0] + 0.05);
            assertThat(probed[1]).as("more labels help the probe").isGreaterThan(probed[0] + 0.05);
            for (int i = 0; i < 2; i++) {
                assertThat(Math.abs(tuned[i] - probed[i])).as("budget %d: head %.3f, probe %.3f", budgets[i], tuned[i],
                        probed[i]).isLessThan(0.08);
            }
        }
    }

    @Test
    void freezingTheFirstBlockLeavesItsWeightsBitIdenticalWhileTheSecondTrains() {
        Map<String, float[]> w;
        try (NDManager m = NDManager.newBaseManager(CPU)) {
            Encoder e = mlp();
            e.block().initialize(m, DataType.FLOAT32, PretextModel.batched(e.inputShape(), 2));
            w = FineTuner.Start.weightsOf(e);
        }
        List<List<String>> groups = EncoderLayers.of(new ArrayList<>(w.keySet()));
        assertThat(groups).hasSize(2);
        Map<String, float[]> after = new LinkedHashMap<>();
        FinetuneOptions o = FinetuneOptions.defaults().withFreezeBlocks(1).withEpochs(3).withRates(1e-3, 1e-2, 1.0);
        new FineTuner(o, CPU).withInspector(model -> model.parameters().forEach((k, p) -> {
            if (k.startsWith("encoder/")) {
                after.put(k.substring("encoder/".length()), p.getArray().toFloatArray());
            }
        })).run(start(w), TRAIN, rows(10, 2), TEST, 9, null, PROVENANCE);
        for (String name : groups.get(0)) {
            assertThat(after.get(name)).as(name).isEqualTo(w.get(name));
        }
        for (String name : groups.get(1)) {
            assertThat(after.get(name)).as(name).isNotEqualTo(w.get(name));
        }
    }

    @Test
    void accuracyInPassesOfAFewRowsCountsEveryRowAgainstItsOwnLabel() {
        // a randomly initialised MLP and head: about chance, but every row's prediction is fixed, so a
        // label read from the wrong row (an off-by-one across passes) changes the count
        try (PretextModel model = PretextModel.create(FineTunerTest::mlp, "mlp", new ClassifierObjective(10, 0),
                TRAIN.exampleShape(), CPU, 1)) {
            List<org.pretext.data.Batch> batches = new ArrayList<>();
            TEST.batches(org.pretext.data.BatchPlan.sequential(1000)).forEachRemaining(batches::add);
            assertThat(batches).hasSize(1);
            double whole = FineTuner.accuracy(model, batches.iterator(), UnaryOperator.identity(), 1000);
            double passes = FineTuner.accuracy(model, batches.iterator(), UnaryOperator.identity(), 7);
            double single = FineTuner.accuracy(model, batches.iterator(), UnaryOperator.identity(), 1);
            assertThat(passes).isEqualTo(whole);
            assertThat(single).isEqualTo(whole);
            // against the labels shifted by one row the count differs (the check can fail)
            int[] shifted = new int[1000];
            for (int i = 0; i < 1000; i++) {
                shifted[i] = batches.get(0).labels()[(i + 1) % 1000];
            }
            double wrong = FineTuner.accuracy(model, List.of(new org.pretext.data.Batch(batches.get(0).inputs(),
                    shifted)).iterator(), UnaryOperator.identity(), 7);
            assertThat(wrong).isNotEqualTo(whole);
        }
    }

    @Test
    void budgetDrawsAreStratifiedAndTheSameSeedGivesTheSameRows() {
        int[] labels = TRAIN.labels();
        int[] counts = new int[10];
        for (int y : labels) {
            counts[y]++;
        }
        FinetuneBudget tenth = FinetuneBudget.fractionOf(0.1);
        int[] a = tenth.draw(labels, 10, 77, null);
        assertThat(tenth.draw(labels, 10, 77, null)).isEqualTo(a);
        assertThat(tenth.draw(labels, 10, 78, null)).isNotEqualTo(a);
        int[] drawn = new int[10];
        for (int r : a) {
            drawn[labels[r]]++;
        }
        for (int c = 0; c < 10; c++) {
            assertThat(drawn[c]).as("class %d of %d", c, counts[c]).isEqualTo((int) Math.round(0.1 * counts[c]));
        }
        assertThat(Arrays.stream(a).distinct().count()).isEqualTo(a.length);
        int[] five = FinetuneBudget.perClassOf(5).draw(labels, 10, 1, null);
        assertThat(five).hasSize(50);
        assertThat(FinetuneBudget.parse("1%", "finetune.budgets")).isEqualTo(FinetuneBudget.fractionOf(0.01));
        assertThat(FinetuneBudget.parse("10", "finetune.budgets")).isEqualTo(FinetuneBudget.perClassOf(10));
        assertThatThrownBy(() -> FinetuneBudget.parse("1.5", "finetune.budgets")).isInstanceOf(PretextException.class)
                .hasMessageContaining("finetune.budgets");
        assertThatThrownBy(() -> FinetuneBudget.perClassOf(1000).draw(labels, 10, 1, null))
                .hasMessageContaining("larger than class");
        int[][] parts = FinetuneBudget.holdOut(five, labels, 10, 0.2, 3);
        assertThat(parts[0]).hasSize(40);
        assertThat(parts[1]).hasSize(10);
    }

    @Test
    void aDrawKilledAfterItsSecondEpochAndResumedEndsBitForBitAsAnUninterruptedOne(@TempDir Path tmp) {
        FinetuneOptions o = FinetuneOptions.defaults().withEpochs(4).withEarlyStopping(0.2, 3).withBatchSize(32)
                .withRates(3e-3, 3e-3, 1.0)
                .withAugmentation(new DigitAugmentation(1, 28, 28, 0.35, 15, 10, 0.4, 0.1, 0.5));
        int[] r = rows(20, 4);
        List<float[]> whole = new ArrayList<>();
        FineTuner.Outcome once = new FineTuner(o, CPU).withInspector(m -> m.parameters().values()
                .forEach(p -> whole.add(p.getArray().toFloatArray()))).run(start(null), TRAIN, r, TEST, 21,
                        tmp.resolve("a"), PROVENANCE);
        assertThatThrownBy(() -> new FineTuner(o, CPU).withCheckpointSeconds(0).withEpochListener(e -> {
            if (e == 2) {
                throw new IllegalStateException("killed");
            }
        }).run(start(null), TRAIN, r, TEST, 21, tmp.resolve("b"), PROVENANCE)).hasMessage("killed");
        List<float[]> resumed = new ArrayList<>();
        FineTuner.Outcome again = new FineTuner(o, CPU).withCheckpointSeconds(0).withInspector(m -> m.parameters().values()
                .forEach(p -> resumed.add(p.getArray().toFloatArray()))).run(start(null), TRAIN, r, TEST, 21,
                        tmp.resolve("b"), PROVENANCE);
        assertThat(again.resumedAtEpoch()).isEqualTo(2);
        assertThat(again.testAccuracy()).isEqualTo(once.testAccuracy());
        assertThat(again.bestEpoch()).isEqualTo(once.bestEpoch());
        assertThat(again.heldOutAccuracy()).isEqualTo(once.heldOutAccuracy());
        assertThat(resumed).hasSameSizeAs(whole);
        for (int i = 0; i < whole.size(); i++) {
            assertThat(resumed.get(i)).isEqualTo(whole.get(i));
        }
        assertThat(once.testAccuracy()).as("chance is 10%%").isGreaterThan(0.3);
    }

    private static List<List<String>> blocksOf(Encoder e) {
        try (NDManager m = NDManager.newBaseManager(CPU)) {
            e.block().initialize(m, DataType.FLOAT32, PretextModel.batched(e.inputShape(), 2));
            return EncoderLayers.of(new ArrayList<>(FineTuner.Start.weightsOf(e).keySet()));
        }
    }

    @Test
    void theCnnAndTheVitFineTuneAndFreezeByTheirOwnBlocks() {
        Shape shape = TRAIN.exampleShape();
        java.util.function.Supplier<Encoder> cnn = () -> org.pretext.encoders.CnnEncoderProvider.create(shape, 8);
        java.util.function.Supplier<Encoder> vit = () -> org.pretext.encoders.vit.VitEncoderProvider.create(shape, 7,
                16, 2, 2, 2, 0f, false, org.pretext.encoders.vit.VisionTransformer.Pooling.MEAN);
        List<List<String>> vitBlocks = blocksOf(vit.get());
        assertThat(blocksOf(cnn.get()).size()).isGreaterThanOrEqualTo(2);
        assertThat(vitBlocks.get(1)).allMatch(n -> n.contains("block0"));
        assertThat(vitBlocks.get(2)).allMatch(n -> n.contains("block1"));
        assertThat(vitBlocks).hasSize(4);
        assertThat(vitBlocks.get(3)).allMatch(n -> n.contains("stack_norm"));
        for (var arch : List.of(cnn, vit)) { // the CNN learns in a few epochs; a ViT this small needs far more
            Map<String, float[]> w;
            try (NDManager m = NDManager.newBaseManager(CPU)) {
                Encoder e = arch.get();
                e.block().initialize(m, DataType.FLOAT32, PretextModel.batched(e.inputShape(), 2));
                w = FineTuner.Start.weightsOf(e);
            }
            List<List<String>> blocks = EncoderLayers.of(new ArrayList<>(w.keySet()));
            Map<String, float[]> after = new LinkedHashMap<>();
            FinetuneOptions o = FinetuneOptions.defaults().withFreezeBlocks(1).withEpochs(5).withRates(1e-2, 3e-3, 0.5);
            FineTuner.Outcome r = new FineTuner(o, CPU).withInspector(model -> model.parameters().forEach((k, p) -> {
                if (k.startsWith("encoder/")) {
                    after.put(k.substring("encoder/".length()), p.getArray().toFloatArray());
                }
            })).run(new FineTuner.Start(arch, "test", UnaryOperator.identity(), w), TRAIN, rows(20, 6), TEST, 8, null,
                    PROVENANCE);
            for (String name : blocks.get(0)) {
                if (!name.contains("running")) { // BatchNorm statistics move in training mode
                    assertThat(after.get(name)).as(name).isEqualTo(w.get(name));
                }
            }
            if (arch == cnn) {
                assertThat(r.testAccuracy()).as("chance is 10%%").isGreaterThan(0.25);
            }
            assertThat(after.get(blocks.get(1).get(0))).as("the second block trains").isNotEqualTo(
                    w.get(blocks.get(1).get(0)));
        }
    }

    @Test
    void patsWithTheSameSeedGivesTheSameRunAndAResumedPatsDrawContinuesExactly(@TempDir Path tmp) {
        FinetuneOptions o = FinetuneOptions.defaults().withEpochs(4).withBatchSize(32).withRates(3e-3, 3e-3, 1.0)
                .withNoise(FinetuneNoise.pats().withLambda(0.05));
        int[] r = rows(20, 4);
        List<float[]> once = new ArrayList<>();
        FineTuner.Outcome a = new FineTuner(o, CPU).withInspector(m -> m.parameters().values()
                .forEach(p -> once.add(p.getArray().toFloatArray()))).run(start(null), TRAIN, r, TEST, 21, null,
                        PROVENANCE);
        List<float[]> twice = new ArrayList<>();
        FineTuner.Outcome b = new FineTuner(o, CPU).withInspector(m -> m.parameters().values()
                .forEach(p -> twice.add(p.getArray().toFloatArray()))).run(start(null), TRAIN, r, TEST, 21, null,
                        PROVENANCE);
        assertThat(b.testAccuracy()).isEqualTo(a.testAccuracy());
        for (int i = 0; i < once.size(); i++) {
            assertThat(twice.get(i)).isEqualTo(once.get(i));
        }
        assertThat(b.sensitivities()).usingRecursiveComparison().isEqualTo(a.sensitivities());
        // without noise the same seed ends elsewhere
        List<float[]> plain = new ArrayList<>();
        new FineTuner(o.withNoise(FinetuneNoise.none()), CPU).withInspector(m -> m.parameters().values()
                .forEach(p -> plain.add(p.getArray().toFloatArray()))).run(start(null), TRAIN, r, TEST, 21, null,
                        PROVENANCE);
        assertThat(plain.get(0)).isNotEqualTo(once.get(0));
        assertThat(a.sensitivities().count()).isEqualTo(784 * 64 + 64 + 64 * 32 + 32);
        assertThat(a.sensitivities().cv()).isPositive();
        // killed after its second epoch and resumed, PATS's smoothed sensitivities come back with the checkpoint
        assertThatThrownBy(() -> new FineTuner(o, CPU).withCheckpointSeconds(0).withEpochListener(e -> {
            if (e == 2) {
                throw new IllegalStateException("killed");
            }
        }).run(start(null), TRAIN, r, TEST, 21, tmp.resolve("b"), PROVENANCE)).hasMessage("killed");
        List<float[]> resumed = new ArrayList<>();
        FineTuner.Outcome c = new FineTuner(o, CPU).withCheckpointSeconds(0).withInspector(m -> m.parameters().values()
                .forEach(p -> resumed.add(p.getArray().toFloatArray()))).run(start(null), TRAIN, r, TEST, 21,
                        tmp.resolve("b"), PROVENANCE);
        assertThat(c.resumedAtEpoch()).isEqualTo(2);
        assertThat(c.testAccuracy()).isEqualTo(a.testAccuracy());
        for (int i = 0; i < once.size(); i++) {
            assertThat(resumed.get(i)).isEqualTo(once.get(i));
        }
    }
}
