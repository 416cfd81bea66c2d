package org.pretext.contrastive;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.pretext.data.Dataset;
import org.pretext.data.Split;
import org.pretext.datasets.IdxDatasetProvider;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.Features;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.training.PretrainConfig;
import org.pretext.training.NonFiniteLossException;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;
import org.pretext.training.listener.RepresentationDiagnostics;

/**
 * Measures every contrastive objective on a folder of MNIST-style files (not part of the test
 * suite): pretrain the default MLP encoder (784-512-128) for a fixed number of steps, then probe
 * the frozen features with multinomial logistic regression at 10 labels per class (mean ± sd of
 * 5 draws) and with all labels, beside the random-initialised encoder and the raw pixels. A run
 * whose loss becomes NaN is recorded as such and retried once with seed 43.
 *
 * <pre>
 *   java -cp ... org.pretext.contrastive.ContrastiveBenchmark DATA_DIR STEPS OUT.jsonl [objective...]
 * </pre>
 */
public final class ContrastiveBenchmark {
    private static final int DRAWS = 5;

    /** Objective names with their parameters (defaults unless stated). */
    static Map<String, Map<String, Object>> objectives() {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        m.put("simclr", Map.of());
        m.put("contrastive-k", Map.of());
        m.put("moco", Map.of());
        m.put("byol", Map.of());
        m.put("simsiam", Map.of());
        m.put("barlow-twins", Map.of());
        m.put("vicreg", Map.of());
        m.put("spectral", Map.of());
        m.put("nnclr", Map.of());
        m.put("dcl", Map.of());
        m.put("dclw", Map.of());
        m.put("tico", Map.of());
        m.put("lejepa", Map.of());
        m.put("moco-v3", Map.of());
        m.put("adversarial(simclr)", Map.of("objective", "simclr"));
        m.put("adversarial(byol)", Map.of("objective", "byol"));
        return m;
    }

    static Supplier<Encoder> encoder(Shape shape) {
        return () -> MlpEncoderProvider.create(shape, List.of(512), 128, false);
    }

    static PretrainConfig config(long steps) {
        return config(steps, 42);
    }

    static PretrainConfig config(long steps, long seed) {
        return PretrainConfig.builder().batchSize(256).steps(steps).learningRate(2e-3).warmupFraction(0.05)
                .finalLearningRateFraction(0.1).clipNorm(1).seed(seed).logEvery(100).prepareThreads(1).build();
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        long steps = Long.parseLong(args[1]);
        Path out = Path.of(args[2]);
        Dataset data = IdxDatasetProvider.open(dir, 0, 0);
        Split train = data.train().orElseThrow();
        Split test = data.test().orElseThrow();
        Shape shape = data.pretrain().exampleShape();
        List<String> chosen = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            chosen.add(args[i]);
        }
        if (chosen.isEmpty() || chosen.contains("baselines")) {
            Features.Matrix rawTrain = raw(train);
            Features.Matrix rawTest = raw(test);
            report(out, data.name(), "raw-input", 0, 0, Double.NaN, rawTrain, rawTest, null);
            try (PretextModel model = PretextModel.create(encoder(shape), TestRuns.objective("simclr", Map.of()),
                    shape, Device.cpu(), 42)) {
                report(out, data.name(), "random-encoder", 0, 0, Double.NaN,
                        Features.extract(model.encoder(), model.parameterStore(), train, model.device(), 1000),
                        Features.extract(model.encoder(), model.parameterStore(), test, model.device(), 1000),
                        RepresentationDiagnostics.of(data.pretrain(), 1).measure(model));
            }
        }
        for (Map.Entry<String, Map<String, Object>> e : objectives().entrySet()) {
            if (!chosen.isEmpty() && !chosen.contains(e.getKey())) {
                continue;
            }
            String provider = e.getKey().startsWith("adversarial") ? "adversarial" : e.getKey();
            for (long seed : new long[] {42, 43}) {
                try (PretextModel model = PretextModel.create(encoder(shape),
                        TestRuns.objective(provider, e.getValue()), shape, Device.cpu(), seed)) {
                    PretrainResult r = new Pretrainer(config(steps, seed)).run(model, data.pretrain(),
                            TestRuns.provenance(provider));
                    report(out, data.name(), e.getKey() + (seed == 42 ? "" : " (seed 43)"), r.steps(), r.seconds(),
                            r.finalLoss(),
                            Features.extract(model.encoder(), model.parameterStore(), train, model.device(), 1000),
                            Features.extract(model.encoder(), model.parameterStore(), test, model.device(), 1000),
                            RepresentationDiagnostics.of(data.pretrain(), 1).measure(model));
                    break;
                } catch (NonFiniteLossException ex) {
                    String line = String.format(Locale.ROOT, "{\"dataset\":\"%s\",\"features\":\"%s\",\"seed\":%d,"
                            + "\"error\":\"%s\"}", data.name(), e.getKey(), seed, ex.getMessage().replace('"', '\''));
                    System.out.println(line);
                    Files.writeString(out, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                }
            }
        }
    }

    static Features.Matrix raw(Split s) {
        org.pretext.data.IndexedSplit m = (org.pretext.data.IndexedSplit) s;
        int d = (int) s.exampleShape().size();
        return new Features.Matrix(m.floatData(), (int) s.size(), d, s.labels(), s.numClasses());
    }

    static void report(Path out, String dataset, String features, long steps, double seconds, double loss,
            Features.Matrix train, Features.Matrix test, RepresentationDiagnostics.Result diag) throws IOException {
        double[] at10 = new double[DRAWS];
        double ncm = ClosedFormProbe.nearestMeanAccuracy(train, test, 10, DRAWS, 7);
        for (int draw = 0; draw < DRAWS; draw++) {
            int[] rows = LinearProbe.budget(train.labels(), train.numClasses(), 10, 100 + draw);
            at10[draw] = LinearProbe.fitSelected(train, rows, draw).accuracy(test);
        }
        double mean = 0;
        for (double a : at10) {
            mean += a / DRAWS;
        }
        double var = 0;
        for (double a : at10) {
            var += (a - mean) * (a - mean) / (DRAWS - 1);
        }
        double all = LinearProbe.fitSelected(train, LinearProbe.budget(train.labels(), train.numClasses(), 0, 0), 0)
                .accuracy(test);
        String line = String.format(Locale.ROOT,
                "{\"dataset\":\"%s\",\"features\":\"%s\",\"steps\":%d,\"seconds\":%.1f,\"finalLoss\":%.4f,"
                        + "\"linear10\":%.4f,\"linear10sd\":%.4f,\"linearAll\":%.4f,\"ncm10\":%.4f%s}",
                dataset, features, steps, seconds, loss, mean, Math.sqrt(var), all, ncm,
                diag == null ? "" : String.format(Locale.ROOT,
                        ",\"effectiveRank\":%.2f,\"uniformity\":%.3f,\"alignment\":%.3f", diag.effectiveRank(),
                        diag.uniformity(), diag.alignment()));
        System.out.println(line);
        Files.writeString(out, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
