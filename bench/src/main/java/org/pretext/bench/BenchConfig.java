package org.pretext.bench;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.pretext.data.Batch;
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
 * parameters, as a user would pick them), the batch, fixed inputs, the analytic FLOPs of one
 * training step (forward ≈ 2·MACs of the matrix products, attention's included; backward ≈ 2×
 * forward; element-wise ops, norms, softmax and embedding look-ups not counted), and how many steps
 * the {@link Suite} measures it for.
 *
 * @param name the name shared with the PyTorch reference script
 * @param objective objective provider name
 * @param objectiveParams its parameters
 * @param encoder encoder provider name
 * @param encoderParams its parameters
 * @param exampleShape shape of one raw example
 * @param batch examples per step
 * @param inputs what the fixed raw batches hold
 * @param flopsPerStep analytic floating-point operations of one step
 * @param suite the suite's warm-up, measured and equal-loss steps for this configuration
 */
record BenchConfig(String name, String objective, Map<String, Object> objectiveParams, String encoder,
        Map<String, Object> encoderParams, Shape exampleShape, int batch, Inputs inputs, double flopsPerStep,
        SuiteSteps suite) {

    /** What a fixed batch is made of. */
    enum Inputs {
        /** Two views of uniform noise in [0, 1), given to the loss as they are (no {@code prepare}). */
        VIEW_PAIRS,
        /** Images of uniform noise in [0, 1), prepared by the objective (MAE's masking, DINO's global views and local crops). */
        IMAGES,
        /** Windows of uniformly drawn token ids in [0, vocabulary), int32, prepared by the objective. */
        TOKENS
    }

    /**
     * Steps per process in the {@link Suite}, chosen so that the whole suite stays under 30 minutes on
     * the quiet 2-core machine (the estimate is in {@link Suite}'s Javadoc and {@link SuiteEstimate}).
     *
     * @param warmup steps before timing starts (PyTorch's capped at {@link Suite#PYTORCH_WARMUP_CAP})
     * @param steps timed steps at most
     * @param seconds the timed steps stop once this many seconds have passed (0: all {@code steps}), so a
     *     slow side is timed for about that long and a fast one for {@code steps}
     * @param tuning warm-up and timed steps of each PyTorch BLAS/kernel tuning run
     * @param equalLoss steps of the equal-loss check (the first round's reference runs train on
     *     Pretext's batches from its weights for at least this many steps)
     */
    record SuiteSteps(int warmup, int steps, double seconds, int tuning, int equalLoss) {
        SuiteSteps {
            if (warmup < 1 || steps < 1 || seconds < 0 || tuning < 1 || equalLoss < 1) {
                throw new IllegalArgumentException("suite steps must be positive: " + warmup + ", " + steps + ", "
                        + seconds + ", " + tuning + ", " + equalLoss);
            }
        }
    }

    /** Whether the encoder has convolutions (the suite then also runs PyTorch 2.6 channels-last). */
    boolean convolutional() {
        return encoder.startsWith("cnn");
    }

    /** Character vocabulary of Tiny Shakespeare, as nanoGPT's {@code shakespeare_char}. */
    static final int CHAR_VOCABULARY = 65;

    /** DINO's local crops per example in {@code dino-cnn} (examples/configs/mnist-dino.yaml's). */
    static final int DINO_LOCAL_CROPS = 6;
    /** Their side in pixels. */
    static final int DINO_LOCAL_SIDE = 12;
    /** DINO's prototypes K in {@code dino-cnn}. */
    static final int DINO_PROTOTYPES = 256;

    static final List<BenchConfig> ALL = List.of(
            new BenchConfig("simclr-mlp", "simclr", Map.of("temperature", 0.5, "projection-hidden", 128,
                    "projection-dim", 64), "mlp", Map.of("hidden", "512", "features", 128), new Shape(1, 28, 28), 256,
                    Inputs.VIEW_PAIRS, simclrMlpFlops(256), new SuiteSteps(500, 500, 0, 60, 100)),
            new BenchConfig("simclr-cnn", "simclr", Map.of("temperature", 0.5, "projection-hidden", 128,
                    "projection-dim", 64), "cnn-small", Map.of("width", 32), new Shape(1, 28, 28), 256,
                    Inputs.VIEW_PAIRS, simclrCnnFlops(256), new SuiteSteps(3, 15, 10, 3, 20)),
            new BenchConfig("causal-lm", "causal-lm", Map.of(), "transformer", Map.of("layers", 4, "heads", 4,
                    "width", 128, "context", 64, "dropout", 0.0, "vocabulary", CHAR_VOCABULARY), new Shape(65), 12,
                    Inputs.TOKENS, causalLmFlops(12, 64, 128, 4, CHAR_VOCABULARY), new SuiteSteps(50, 150, 10, 15, 100)),
            new BenchConfig("mae", "mae", Map.of(), "vit-tiny", Map.of(), new Shape(1, 28, 28), 256,
                    Inputs.IMAGES, maeFlops(256), new SuiteSteps(3, 15, 10, 3, 20)),
            // DINO with multi-crop at examples/configs/mnist-dino.yaml's settings (batch 64, 6 local crops of 12x12,
            // K = 256, teacher temperature 0.01): the objective prepares the views from noise images itself
            new BenchConfig("dino-cnn", "dino", Map.of("out-dim", DINO_PROTOTYPES, "local-crops", DINO_LOCAL_CROPS,
                    "local-crop-size", DINO_LOCAL_SIDE, "teacher-temperature", 0.01, "warmup-teacher-temperature", 0.01),
                    "cnn-small", Map.of("width", 32), new Shape(1, 28, 28), 64, Inputs.IMAGES,
                    dinoCnnFlops(64, DINO_LOCAL_CROPS, DINO_LOCAL_SIDE, DINO_PROTOTYPES), new SuiteSteps(3, 30, 10, 3, 50)));

    static BenchConfig named(String name) {
        return ALL.stream().filter(c -> c.name.equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown benchmark config '" + name + "'; known: "
                        + ALL.stream().map(BenchConfig::name).toList()));
    }

    /** Two views of 256 images through 784-512-128, head 128-128-64, NT-Xent over 512 views. */
    static double simclrMlpFlops(int b) {
        return simclrMlpFlops(b, 512);
    }

    /** Two views of b images through 784-hidden-128, head 128-128-64, NT-Xent over 2b views. */
    static double simclrMlpFlops(int b, int hidden) {
        double views = 2.0 * b;
        double macs = views * (784.0 * hidden + hidden * 128.0 + 128 * 128 + 128 * 64) + views * views * 64;
        return 3 * 2 * macs;
    }

    /** Configurations the scaling sweep can resize: the MLP (its hidden width) and the transformer (D). */
    static final List<String> SCALABLE = List.of("simclr-mlp", "causal-lm");

    /** The width {@link #scaled} changes: the MLP's hidden layer, the transformer's D. */
    int width() {
        return switch (name) {
            case "simclr-mlp" -> Integer.parseInt(encoderParams.get("hidden").toString());
            case "causal-lm" -> ((Number) encoderParams.get("width")).intValue();
            default -> throw new IllegalArgumentException("config '" + name + "' has no width to scale; scalable: "
                    + SCALABLE);
        };
    }

    /**
     * This configuration at another batch size and width, for the scaling sweep: {@code simclr-mlp}'s
     * hidden layer (784-width-128), {@code causal-lm}'s model width D (4 heads, so a multiple of 4).
     *
     * @throws IllegalArgumentException for another configuration or a width or batch it cannot take
     */
    BenchConfig scaled(int newBatch, int newWidth) {
        if (newBatch < 1 || newWidth < 4) {
            throw new IllegalArgumentException("scaled " + name + ": batch " + newBatch + " and width " + newWidth
                    + " must be at least 1 and 4");
        }
        Map<String, Object> params = new java.util.LinkedHashMap<>(encoderParams);
        double flops;
        switch (name) {
            case "simclr-mlp" -> {
                params.put("hidden", "" + newWidth);
                flops = simclrMlpFlops(newBatch, newWidth);
            }
            case "causal-lm" -> {
                if (newWidth % 4 != 0) {
                    throw new IllegalArgumentException("causal-lm width " + newWidth + ": expected a multiple of its 4 heads");
                }
                params.put("width", newWidth);
                flops = causalLmFlops(newBatch, 64, newWidth, 4, CHAR_VOCABULARY);
            }
            default -> throw new IllegalArgumentException("config '" + name + "' cannot be scaled; scalable: " + SCALABLE);
        }
        return new BenchConfig(name, objective, objectiveParams, encoder, Map.copyOf(params), exampleShape, newBatch,
                inputs, flops, suite);
    }

    /** Convolutions 1→32 (28²), 32→64 (14²), 64→128 (7²), 3×3, plus head and NT-Xent. */
    static double simclrCnnFlops(int b) {
        double views = 2.0 * b;
        double conv = 9.0 * (1 * 32 * 28 * 28 + 32 * 64 * 14 * 14 + 64 * 128 * 7 * 7);
        double macs = views * (conv + 128 * 128 + 128 * 64) + views * views * 64;
        return 3 * 2 * macs;
    }

    /** MACs of cnn-small (width 32) on one 1-channel image of side {@code s}: three 3x3 stages, 2x2 max-pooling after two. */
    static double cnnSmallMacs(int s) {
        int s2 = s / 2;
        int s3 = s2 / 2;
        return 9.0 * (1 * 32 * s * s + 32 * 64 * s2 * s2 + 64 * 128 * s3 * s3);
    }

    /**
     * DINO with multi-crop on cnn-small: every example gives 2 global 28×28 views and {@code locals}
     * local views of side {@code localSide}. The student (encoder and head) runs forward and backward on
     * all 2 + L views, the teacher (the same architecture, no gradient) forward on the 2 global views.
     * The head: 128-512-512-128 (two hidden layers), ℓ2 normalisation, then K prototypes. MACs:
     *
     * <pre>
     *   encoder per view: cnnSmallMacs(28) = 7.45 M, cnnSmallMacs(12) = 1.37 M
     *   head per view:    128·512 + 512·512 + 512·128 + 128·K       (K = 256: 0.43 M)
     *   step: 3 × [2b (enc28 + head) + L·b (enc_s + head)]  +  2b (enc28 + head)
     * </pre>
     *
     * At b = 64, L = 6, s = 12, K = 256: 6.10 G MACs, 12.2 GFLOP per step. The softmaxes, the loss,
     * the centre and the teacher's EMA update are not counted.
     */
    static double dinoCnnFlops(int b, int locals, int localSide, int prototypes) {
        double head = 128.0 * 512 + 512.0 * 512 + 512.0 * 128 + 128.0 * prototypes;
        double global = cnnSmallMacs(28) + head;
        double local = cnnSmallMacs(localSide) + head;
        double student = 2.0 * b * global + (double) locals * b * local;
        double teacher = 2.0 * b * global;
        return 2 * (3 * student + teacher);
    }

    /**
     * nanoGPT's small CPU configuration (Tiny Shakespeare, characters): {@code b} windows of
     * {@code t} tokens through a causal pre-norm transformer of {@code layers} blocks of width D,
     * biases on, GELU MLP 4·D wide, tied output layer over a vocabulary of V. MACs per token:
     *
     * <pre>
     *   per block: QKV 3D² + output projection D² + MLP 2·4D² = 12D²,
     *              attention scores Q·Kᵀ T·D + weighted values A·V T·D = 2TD
     *              (the full T×T products: the causal mask is added, nothing is skipped)
     *   output layer (h·Eᵀ): D·V
     * </pre>
     *
     * so MACs = b·t·(layers·(12D² + 2tD) + DV). At b = 12, t = 64, D = 128, 4 blocks, V = 65:
     * 0.661 G MACs, forward 1.32 GFLOP, step 3.96 GFLOP. Token and position look-ups, LayerNorm,
     * softmax, GELU and the cross-entropy are not counted.
     */
    static double causalLmFlops(int b, int t, int d, int layers, int vocabulary) {
        double perToken = layers * (12.0 * d * d + 2.0 * t * d) + (double) d * vocabulary;
        return 3 * 2 * b * t * perToken;
    }

    /**
     * MAE with its defaults on 28×28×1 images: vit-tiny (4×4 patches, N = 49 patches of P = 16
     * values, width 128, 4 blocks, MLP 4×) encodes the K = 12 visible patches (75% of 49 masked:
     * M = round(36.75) = 37); the decoder (width 64, 2 blocks, MLP 4×) runs on all 49 tokens. MACs
     * per image, a block of width D over T tokens costing T·(12D² + 2TD) (see {@link #causalLmFlops}):
     *
     * <pre>
     *   encoder: patch embedding K·P·128 + 4 blocks over K tokens at D = 128     =  9.61 M
     *   decoder: embedding K·128·64 + 2 blocks over N tokens at D = 64
     *            + prediction N·64·P                                             =  5.58 M
     * </pre>
     *
     * 15.19 M MACs per image; at b = 256: 3.89 G MACs, forward 7.78 GFLOP, step 23.3 GFLOP.
     * Position look-ups, mask tokens, LayerNorm, softmax, GELU, the target normalisation and the
     * loss are not counted.
     */
    static double maeFlops(int b) {
        int n = 49;
        int p = 16;
        int k = n - (int) Math.round(0.75 * n);
        double encoder = (double) k * p * 128 + k * block(k, 128, 4);
        double decoder = (double) k * 128 * 64 + n * block(n, 64, 2) + (double) n * 64 * p;
        return 3 * 2 * b * (encoder + decoder);
    }

    /** MACs per token of {@code layers} pre-norm blocks (MLP 4×) of width d over t tokens. */
    private static double block(int t, int d, int layers) {
        return layers * (12.0 * d * d + 2.0 * t * d);
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

    /**
     * Fixed prepared batches, a pure function of {@code seed}. {@link Inputs#VIEW_PAIRS}: two views of
     * uniform noise in [0, 1) per batch, used as they are. {@link Inputs#IMAGES} and
     * {@link Inputs#TOKENS}: a raw batch of uniform noise images or of uniform token ids (int32
     * windows of the example length) is prepared by the objective itself, {@code
     * objective.prepare(raw, random)} with a random stream split off the seeded one, so masks and
     * shifted tokens come from the objective's own code.
     *
     * @param objective the objective, already initialised (MAE's {@code prepare} needs its patch grid)
     */
    List<PreparedBatch> fixedBatches(Objective objective, int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<PreparedBatch> out = new ArrayList<>();
        Shape shape = new Shape(batch).addAll(exampleShape);
        int n = Math.toIntExact(shape.size());
        for (int i = 0; i < count; i++) {
            switch (inputs) {
                case VIEW_PAIRS -> {
                    float[] a = new float[n];
                    float[] b = new float[n];
                    for (int j = 0; j < n; j++) {
                        a[j] = (float) r.nextDouble();
                        b[j] = (float) r.nextDouble();
                    }
                    out.add(PreparedBatch.of(HostTensor.of(a, shape), HostTensor.of(b, shape)));
                }
                case IMAGES -> {
                    float[] a = new float[n];
                    for (int j = 0; j < n; j++) {
                        a[j] = (float) r.nextDouble();
                    }
                    out.add(objective.prepare(new Batch(HostTensor.of(a, shape), null), r.split()));
                }
                case TOKENS -> {
                    int vocabulary = ((Number) encoderParams.get("vocabulary")).intValue();
                    int[] a = new int[n];
                    for (int j = 0; j < n; j++) {
                        a[j] = r.nextInt(vocabulary);
                    }
                    out.add(objective.prepare(new Batch(HostTensor.ofInts(a, shape), null), r.split()));
                }
            }
        }
        return out;
    }
}
