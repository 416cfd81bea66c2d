package org.pretext.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pretext.data.HostTensor;
import org.pretext.runtime.EngineSetup;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.objective.PreparedBatch;

class BenchConfigTest {
    private static final ClassLoader CL = BenchConfigTest.class.getClassLoader();

    @BeforeAll
    static void oneThread() {
        EngineSetup.configureThreads(1);
    }

    /** The batches StepBench would train on, from an initialised model of the config. */
    private static List<PreparedBatch> batches(BenchConfig c, int count, long seed) {
        Objective objective = c.newObjective(CL);
        try (PretextModel model = PretextModel.create(c.encoders(CL, objective.encoderInputShape(c.exampleShape())),
                objective, c.exampleShape(), Device.cpu(), 1)) {
            return c.fixedBatches(objective, count, seed);
        }
    }

    private static void assertSame(List<PreparedBatch> a, List<PreparedBatch> b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            List<HostTensor> x = a.get(i).tensors();
            List<HostTensor> y = b.get(i).tensors();
            assertThat(x).hasSameSizeAs(y);
            for (int t = 0; t < x.size(); t++) {
                assertThat(x.get(t).shape()).isEqualTo(y.get(t).shape());
                if (x.get(t).dataType() == DataType.INT32) {
                    assertThat(x.get(t).ints()).isEqualTo(y.get(t).ints());
                } else {
                    assertThat(x.get(t).floats()).isEqualTo(y.get(t).floats());
                }
            }
        }
    }

    @Test
    void everyConfigsBatchesArePureFunctionsOfTheSeed() {
        for (BenchConfig c : BenchConfig.ALL) {
            assertSame(batches(c, 2, 1), batches(c, 2, 1));
        }
    }

    @Test
    void simclrBatchesAreTheSameUniformNoiseAsBefore() {
        BenchConfig c = BenchConfig.named("simclr-mlp");
        List<PreparedBatch> got = c.fixedBatches(null, 2, 1); // view pairs never call the objective
        // the original generator: two views of uniform noise per batch from one seeded stream
        SplittableRandom r = new SplittableRandom(1);
        Shape shape = new Shape(256, 1, 28, 28);
        List<PreparedBatch> expected = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            float[] a = new float[784 * 256];
            float[] b = new float[784 * 256];
            for (int j = 0; j < a.length; j++) {
                a[j] = (float) r.nextDouble();
                b[j] = (float) r.nextDouble();
            }
            expected.add(PreparedBatch.of(HostTensor.of(a, shape), HostTensor.of(b, shape)));
        }
        assertSame(got, expected);
    }

    @Test
    void causalLmBatchesAreShiftedIntWindowsOfTheCharacterVocabulary() {
        PreparedBatch b = batches(BenchConfig.named("causal-lm"), 1, 1).get(0);
        assertThat(b.tensors()).hasSize(2);
        HostTensor x = b.tensors().get(0);
        HostTensor y = b.tensors().get(1);
        assertThat(x.shape()).isEqualTo(new Shape(12, 64));
        assertThat(y.shape()).isEqualTo(new Shape(12, 64));
        assertThat(x.dataType()).isEqualTo(DataType.INT32);
        assertThat(y.dataType()).isEqualTo(DataType.INT32);
        for (int i = 0; i < 12; i++) {
            for (int t = 0; t < 63; t++) {
                assertThat(y.ints()[i * 64 + t]).isEqualTo(x.ints()[i * 64 + t + 1]);
            }
        }
        assertThat(java.util.Arrays.stream(x.ints()).allMatch(v -> v >= 0 && v < 65)).isTrue();
    }

    @Test
    void maeBatchesHoldItsFivePreparedTensors() {
        PreparedBatch b = batches(BenchConfig.named("mae"), 1, 1).get(0);
        List<HostTensor> t = b.tensors();
        assertThat(t).extracting(HostTensor::shape).containsExactly(new Shape(256, 12, 16), new Shape(256, 12),
                new Shape(256, 49), new Shape(256, 49, 16), new Shape(256, 49));
        assertThat(t).extracting(HostTensor::dataType).containsExactly(DataType.FLOAT32, DataType.INT32,
                DataType.INT32, DataType.FLOAT32, DataType.FLOAT32);
        float[] mask = t.get(4).floats();
        for (int i = 0; i < 256; i++) {
            float masked = 0;
            for (int j = 0; j < 49; j++) {
                masked += mask[i * 49 + j];
            }
            assertThat(masked).isEqualTo(37f);
        }
    }

    @Test
    void dinoBatchesHoldTwoGlobalViewsAndSixLocalCropsMadeByTheObjective() {
        List<PreparedBatch> two = batches(BenchConfig.named("dino-cnn"), 2, 1);
        List<HostTensor> t = two.get(0).tensors();
        assertThat(t).hasSize(8);
        assertThat(t.subList(0, 2)).extracting(HostTensor::shape).containsOnly(new Shape(64, 1, 28, 28));
        assertThat(t.subList(2, 8)).extracting(HostTensor::shape).containsOnly(new Shape(64, 1, 12, 12));
        // the views are augmentations of the images, not the images themselves: each differs from the others
        assertThat(t.get(0).floats()).isNotEqualTo(t.get(1).floats());
        assertThat(t.get(2).floats()).isNotEqualTo(t.get(3).floats());
        assertThat(two.get(1).tensors().get(0).floats()).isNotEqualTo(t.get(0).floats());
    }

    @Test
    void analyticFlopsAsDocumented() {
        assertThat(BenchConfig.named("causal-lm").flopsPerStep() / 1e9).isCloseTo(3.96, within(0.01));
        assertThat(BenchConfig.named("mae").flopsPerStep() / 1e9).isCloseTo(23.3, within(0.1));
        assertThat(BenchConfig.cnnSmallMacs(28)).isEqualTo(7_451_136);
        assertThat(BenchConfig.cnnSmallMacs(12)).isEqualTo(1_368_576);
        // simclr-cnn's 512 views through the encoder alone, forward and backward: the same convolutions
        assertThat(BenchConfig.simclrCnnFlops(256)).isGreaterThan(6 * 512 * BenchConfig.cnnSmallMacs(28));
        assertThat(BenchConfig.named("dino-cnn").flopsPerStep()).isEqualTo(2 * 6_100_418_560.0);
    }

    @Test
    void everyConfigHasAPytorchMirror() throws IOException {
        Path script = Path.of(System.getProperty("pretext.projectRoot", ".."), "bench/python/reference_step.py");
        String text = Files.readString(Files.exists(script) ? script : Path.of("python/reference_step.py"));
        for (BenchConfig c : BenchConfig.ALL) {
            assertThat(text).contains("\"" + c.name() + "\": dict(");
        }
    }
}
