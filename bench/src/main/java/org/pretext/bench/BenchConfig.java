package org.pretext.bench;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.pretext.data.HostTensor;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.EncoderProvider;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.objective.PreparedBatch;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;

/**
 * A reference configuration of the benchmark: the encoder and objective (by provider name and
 * parameters, as a user would pick them), the batch, fixed inputs, and the analytic FLOPs of one
 * training step (forward ≈ 2·MACs, backward ≈ 2× forward).
 *
 * @param name the name shared with the PyTorch reference script
 * @param objective objective provider name
 * @param objectiveParams its parameters
 * @param encoder encoder provider name
 * @param encoderParams its parameters
 * @param exampleShape shape of one example
 * @param batch examples per step
 * @param flopsPerStep analytic floating-point operations of one step
 */
record BenchConfig(String name, String objective, Map<String, Object> objectiveParams, String encoder,
        Map<String, Object> encoderParams, Shape exampleShape, int batch, double flopsPerStep) {

    static final List<BenchConfig> ALL = List.of(
            new BenchConfig("simclr-mlp", "simclr", Map.of("temperature", 0.5, "projection-hidden", 128,
                    "projection-dim", 64), "mlp", Map.of("hidden", "512", "features", 128), new Shape(1, 28, 28), 256,
                    simclrMlpFlops(256)),
            new BenchConfig("simclr-cnn", "simclr", Map.of("temperature", 0.5, "projection-hidden", 128,
                    "projection-dim", 64), "cnn-small", Map.of("width", 32), new Shape(1, 28, 28), 256,
                    simclrCnnFlops(256)));

    static BenchConfig named(String name) {
        return ALL.stream().filter(c -> c.name.equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown benchmark config '" + name + "'; known: "
                        + ALL.stream().map(BenchConfig::name).toList()));
    }

    /** Two views of 256 images through 784-512-128, head 128-128-64, NT-Xent over 512 views. */
    static double simclrMlpFlops(int b) {
        double views = 2.0 * b;
        double macs = views * (784 * 512 + 512 * 128 + 128 * 128 + 128 * 64) + views * views * 64;
        return 3 * 2 * macs;
    }

    /** Convolutions 1→32 (28²), 32→64 (14²), 64→128 (7²), 3×3, plus head and NT-Xent. */
    static double simclrCnnFlops(int b) {
        double views = 2.0 * b;
        double conv = 9.0 * (1 * 32 * 28 * 28 + 32 * 64 * 14 * 14 + 64 * 128 * 7 * 7);
        double macs = views * (conv + 128 * 128 + 128 * 64) + views * views * 64;
        return 3 * 2 * macs;
    }

    Objective newObjective(ClassLoader cl) {
        ObjectiveProvider p = ProviderRegistry.load(ObjectiveProvider.class, "objective", cl).get(objective);
        return p.create(ParamValues.resolve(objective, p.parameters(), objectiveParams));
    }

    Supplier<Encoder> encoders(ClassLoader cl, Shape inputShape) {
        EncoderProvider p = ProviderRegistry.load(EncoderProvider.class, "encoder", cl).get(encoder);
        ParamValues v = ParamValues.resolve(encoder, p.parameters(), encoderParams);
        return () -> p.create(v, inputShape);
    }

    /** Fixed prepared batches: two views of uniform noise in [0, 1), seeded. */
    List<PreparedBatch> fixedBatches(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<PreparedBatch> out = new ArrayList<>();
        Shape shape = new Shape(batch).addAll(exampleShape);
        int n = Math.toIntExact(shape.size());
        for (int i = 0; i < count; i++) {
            float[] a = new float[n];
            float[] b = new float[n];
            for (int j = 0; j < n; j++) {
                a[j] = (float) r.nextDouble();
                b[j] = (float) r.nextDouble();
            }
            out.add(PreparedBatch.of(HostTensor.of(a, shape), HostTensor.of(b, shape)));
        }
        return out;
    }
}
