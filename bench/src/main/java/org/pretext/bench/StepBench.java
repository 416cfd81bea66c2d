package org.pretext.bench;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.data.HostTensor;
import org.pretext.data.IndexedSplit;
import org.pretext.datasets.npy.NpyWriter;
import org.pretext.runtime.EngineSetup;
import org.pretext.runtime.MklCpuOverride;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.objective.PreparedBatch;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;

/**
 * Times Pretext's training step for one benchmark configuration in this process, with the real
 * {@link Pretrainer} and the real objective on fixed inputs; prints one JSON line. With
 * {@code --dump DIR} it instead writes the initial weights and the batches as {@code .npy}, trains
 * on them with a constant learning rate and prints the losses, for the equal-loss check.
 *
 * <pre>java -cp pretext-bench.jar org.pretext.bench.StepBench --config simclr-mlp --threads 2 --warmup 300 --steps 600</pre>
 *
 * The warm-up steps run first as a run of their own; the timed run's JSON has steps/s and the
 * milliseconds per step of each phase ({@link org.pretext.training.StepPhases}). With
 * {@code --seconds T} the timed run stops once T seconds have passed ({@code --steps} at most; the
 * pretraining loop's {@code maxSeconds}), and the JSON gives the steps it ran. With
 * {@code --warmup-seconds S} the warm-up goes on after its steps until S seconds have passed since it
 * began (the JSON's {@code warmup} is the steps it took). With
 * {@code --precision bf16} the steps' encoder runs in mixed precision ({@code training.precision}). With
 * {@code --profile FILE} the timed steps run under libtorch's profiler, which writes a Chrome trace
 * of every engine op to FILE ({@code bench/python/profile_compare.py} sums it per op).
 *
 * Configurations: {@link BenchConfig#ALL} (simclr-mlp, simclr-cnn, causal-lm, mae, dino-cnn); {@code --batch N}
 * and {@code --width W} resize simclr-mlp and causal-lm ({@link BenchConfig#scaled}).
 */
public final class StepBench {
    private StepBench() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> a = Args.parse(args);
        int threads = Args.integer(a, "threads", 0);
        EngineSetup.configureThreads(threads);
        EngineSetup.engine();
        BenchConfig config = BenchConfig.named(a.get("config"));
        if (a.containsKey("batch") || a.containsKey("width")) { // the scaling sweep
            config = config.scaled(Args.integer(a, "batch", config.batch()), Args.integer(a, "width", config.width()));
        }
        int warmup = Args.integer(a, "warmup", 200);
        double warmupSeconds = Double.parseDouble(a.getOrDefault("warmup-seconds", "0"));
        int steps = Args.integer(a, "steps", 500);
        Path dump = a.containsKey("dump") ? Path.of(a.get("dump")) : null;
        Path profile = a.containsKey("profile") ? Path.of(a.get("profile")) : null;
        int dumpSteps = Args.integer(a, "dump-steps", 100);
        double maxSeconds = Double.parseDouble(a.getOrDefault("seconds", "0"));
        String precision = a.getOrDefault("precision", org.pretext.runtime.MixedPrecision.FLOAT32);
        ClassLoader cl = StepBench.class.getClassLoader();
        Objective inner = config.newObjective(cl);
        FixedInputsObjective objective = new FixedInputsObjective(inner);
        // The loop still draws a batch from its data every step, but the objective ignores it and takes the
        // fixed inputs: one value per example keeps that draw from costing what PyTorch's side does not pay.
        IndexedSplit data = IndexedSplit.ofFloats(new float[config.batch() * 8], new Shape(1),
                null, List.of());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("side", "pretext");
        out.put("config", config.name());
        try (PretextModel model = PretextModel.create(config.encoders(cl, objective.encoderInputShape(
                config.exampleShape())), objective, config.exampleShape(), Device.cpu(), 1)) {
            List<PreparedBatch> batches = config.fixedBatches(inner, dump != null ? dumpSteps : 8, 1);
            objective.use(batches);
            if (dump != null) {
                writeDump(dump, model, batches);
                PretrainResult r = new Pretrainer(constant(config, dumpSteps, dumpSteps, precision).build()).run(model, data, null);
                List<Double> losses = new ArrayList<>();
                for (float l : r.losses()) {
                    losses.add((double) l);
                }
                out.put("losses", losses);
            } else {
                System.out.println("FIRST_STEP");
                long warmupStart = System.nanoTime();
                int warmedUp = 0;
                if (warmup > 0) {
                    warmedUp += new Pretrainer(constant(config, warmup, warmup, precision).build()).run(model, data,
                            null).losses().length;
                }
                double left = warmupSeconds - (System.nanoTime() - warmupStart) / 1e9;
                if (left > 0) { // the JIT's compiler threads need time too: warm up until warmupSeconds have passed
                    warmedUp += new Pretrainer(constant(config, 1_000_000, 1_000_000, precision).maxSeconds(left)
                            .build()).run(model, data, null).losses().length;
                }
                if (profile != null) {
                    JniUtils.startProfile(false, true, false);
                }
                // with --seconds the timed run stops once that long has passed (after at least one step)
                PretrainResult r = new Pretrainer(constant(config, steps, steps, precision).maxSeconds(maxSeconds).build())
                        .run(model, data, null);
                if (profile != null) {
                    JniUtils.stopProfile(profile.toAbsolutePath().toString());
                    out.put("profile", profile.toString());
                }
                double seconds = r.seconds();
                int done = r.losses().length;
                out.put("threads", threads);
                out.put("precision", precision);
                out.put("batch", config.batch());
                out.put("warmup", warmedUp);
                out.put("steps", done);
                out.put("seconds", seconds);
                out.put("stepsPerSecond", done / seconds);
                out.put("samplesPerSecond", done * config.batch() / seconds);
                out.put("gflopsPerSecond", done * config.flopsPerStep() / seconds / 1e9);
                out.put("finalLoss", (double) r.losses()[done - 1]);
                Map<String, Double> perStep = new LinkedHashMap<>();
                r.phaseSeconds().forEach((phase, sec) -> perStep.put(phase, sec * 1e3 / done));
                out.put("phaseMillisPerStep", perStep);
                out.put("mklOverride", MklCpuOverride.status());
                out.put("mallocTuning", org.pretext.runtime.MallocTuning.status());
                out.put("glibcTunables", String.valueOf(System.getenv(org.pretext.runtime.MallocTuning.TUNABLES_VARIABLE)));
                out.put("peakRssMb", Resources.peakRssMb());
            }
        }
        System.out.println(new Gson().toJson(out));
    }

    private static PretrainConfig.Builder constant(BenchConfig config, long steps, int logEvery, String precision) {
        return PretrainConfig.builder().batchSize(config.batch()).steps(steps).logEvery(logEvery).learningRate(1e-3)
                .weightDecay(0).warmupFraction(0).finalLearningRateFraction(1).seed(1).prefetch(4).precision(precision);
    }

    /**
     * Initial weights as p###.npy with parameters.txt (index, name, trainable), and every tensor of
     * every prepared batch as batch###_T.npy (T = the tensor's index in the batch; float32 or int32).
     */
    private static void writeDump(Path dir, PretextModel model, List<PreparedBatch> batches) throws IOException {
        Files.createDirectories(dir);
        StringBuilder index = new StringBuilder();
        int i = 0;
        for (Map.Entry<String, Parameter> e : model.parameters().entrySet()) {
            var arr = e.getValue().getArray();
            NpyWriter.writeFloats(dir.resolve(String.format("p%03d.npy", i)), arr.toFloatArray(), arr.getShape().getShape());
            index.append(String.format("%03d %s %s%n", i, e.getKey(), e.getValue().requiresGradient()));
            i++;
        }
        Files.writeString(dir.resolve("parameters.txt"), index);
        for (int b = 0; b < batches.size(); b++) {
            List<HostTensor> t = batches.get(b).tensors();
            for (int v = 0; v < t.size(); v++) {
                Path file = dir.resolve(String.format("batch%03d_%d.npy", b, v));
                long[] shape = t.get(v).shape().getShape();
                if (t.get(v).dataType() == DataType.INT32) {
                    NpyWriter.writeInts(file, t.get(v).ints(), shape);
                } else {
                    NpyWriter.writeFloats(file, t.get(v).floats(), shape);
                }
            }
        }
    }
}
