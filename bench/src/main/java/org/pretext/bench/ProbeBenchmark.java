package org.pretext.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pretext.data.Dataset;
import org.pretext.datasets.IdxDatasetProvider;
import org.pretext.encoder.Features;
import org.pretext.runtime.DeviceChoice;
import org.pretext.runtime.EngineSetup;
import org.pretext.probe.Lbfgs;
import org.pretext.probe.LogisticModel;
import org.pretext.probe.LogisticOptions;
import org.pretext.probe.LogisticProbe;
import org.pretext.probe.LogisticRegression;
import org.pretext.probe.FeatureFiles;
import org.pretext.probe.Precision;
import org.pretext.probe.RawFeatures;

/**
 * The logistic probe against scikit-learn's lbfgs {@code LogisticRegression}, side by side in one
 * run on the same 60,000 × 512 features with 10 classes and the same thread count.
 *
 * <p>Features: the full MNIST training set (60,000) and test set (10,000) through a fixed random
 * ReLU layer 784 → 512 ({@link RandomReluFeatures}, seed 1). Real data gives the solver the
 * conditioning and class geometry of an encoder's features (a synthetic Gaussian set would be
 * easier), and anyone with the four MNIST files and this seed gets the same matrix. The
 * features and the validation split are written as {@code .npy} files that the Python side
 * ({@code probe_vs_sklearn.py}, run with {@code /usr/bin/python3}) reads, so both sides see
 * identical inputs.
 *
 * <p>Measured, alternating Java and Python in each round:
 * <ul>
 *   <li>protocol: standardise, walk the C grid on the held-out split with warm starts and
 *       patience, refit on all 60,000 rows at the chosen C, test accuracy (the probe's defaults);
 *   <li>single: one fit on all rows at the C the probe chose, from zero, with scikit-learn's
 *       tolerances; scikit-learn also evaluates, in float64, the objective of the Java solutions.
 * </ul>
 * Both in float32 GEMMs (the probe's default) and float64 (scikit-learn's precision). Results go to
 * {@code OUT/probe-vs-sklearn.json} and {@code .md}.
 */
public final class ProbeBenchmark {
    static final String USAGE = """
            java -cp bench/target/pretext-bench.jar org.pretext.bench.ProbeBenchmark [options], from the project root
              --mnist DIR      folder with the four MNIST .gz files (default ../shared/data/mnist)
              --out DIR        where features and results go (default bench/target/probe-vs-sklearn)
              --threads N      engine and BLAS threads on both sides (default 2)
              --rounds R       alternating Java/Python rounds (default 1)
              --python PATH    Python with scikit-learn (default /usr/bin/python3)
              --seed N         features and validation split seed (default 1)
              (the MKL CPU-dispatch override is on unless -Dpretext.mklOverride=false or PRETEXT_MKL_OVERRIDE=false)
              --openblas-coretype T  OpenBLAS kernels for the Python side (default SkylakeX on CPUs with
                               AVX-512, its fastest here; else the environment's); 'inherit' keeps the environment's
            """;

    private ProbeBenchmark() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = Args.parse(argv);
        if (a.containsKey("help")) {
            System.out.println(USAGE);
            return;
        }
        Path mnistDir = Path.of(a.getOrDefault("mnist", "../shared/data/mnist"));
        Path out = Path.of(a.getOrDefault("out", "bench/target/probe-vs-sklearn"));
        int threads = Args.integer(a, "threads", 2);
        int rounds = Args.integer(a, "rounds", 1);
        String python = a.getOrDefault("python", "/usr/bin/python3");
        long seed = Args.longValue(a, "seed", 1);
        String coretype = a.getOrDefault("openblas-coretype", CpuKind.current().avx512() ? "SkylakeX" : "inherit");
        if (System.getProperty("pretext.mklOverride") == null && System.getenv("PRETEXT_MKL_OVERRIDE") == null) {
            // Pretext at its best setting, as the bench suite runs it (opt-in elsewhere).
            System.setProperty("pretext.mklOverride", "true");
        }
        EngineSetup.configureThreads(threads);
        Device device = DeviceChoice.AUTO.resolve();
        Files.createDirectories(out);

        System.out.println("Making features: MNIST " + mnistDir + " -> random ReLU 784 -> 512 (seed " + seed + ")");
        Dataset mnist = IdxDatasetProvider.open(mnistDir, 0, 0);
        Features.Matrix train = RandomReluFeatures.of(RawFeatures.of(mnist.train().orElseThrow()), 512, seed, device);
        Features.Matrix test = RandomReluFeatures.of(RawFeatures.of(mnist.test().orElseThrow()), 512, seed, device);
        FeatureFiles.writeFeatures(out.resolve("train-features.npy"), train);
        FeatureFiles.writeLabels(out.resolve("train-labels.npy"), train.labels());
        FeatureFiles.writeFeatures(out.resolve("test-features.npy"), test);
        FeatureFiles.writeLabels(out.resolve("test-labels.npy"), test.labels());
        LogisticOptions options = LogisticOptions.defaults();
        int[][] split = LogisticProbe.validationSplit(train.labels(), train.numClasses(),
                options.validationFraction(), seed);
        FeatureFiles.writeLabels(out.resolve("fit-rows.npy"), split[0]);
        FeatureFiles.writeLabels(out.resolve("val-rows.npy"), split[1]);
        Path script = Path.of("bench/python/probe_vs_sklearn.py");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("run from the project root (" + script + " not found)");
        }

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("features", train.rows() + " x " + train.cols() + " random ReLU features of MNIST (seed " + seed
                + "), test " + test.rows());
        Map<String, Object> machine = machine(threads, device);
        machine.put("OPENBLAS_CORETYPE (Python side)", coretype);
        report.put("machine", machine);
        List<Map<String, Object>> results = new ArrayList<>();
        double c = Double.NaN;
        StringBuilder grid = new StringBuilder();
        for (double g : options.cGrid()) {
            grid.append(grid.length() > 0 ? "," : "").append(g);
        }
        for (int round = 1; round <= rounds; round++) {
            for (Precision p : Precision.values()) {
                Map<String, Object> r = javaProtocol(train, test, options.withPrecision(p), seed, device);
                r.put("round", round);
                results.add(r);
                print(r);
                if (Double.isNaN(c) && p == Precision.FLOAT32) {
                    c = (double) r.get("C");
                }
            }
            results.add(python(python, script, out, threads, coretype, c, grid.toString(), options, "protocol",
                    round));
            print(results.get(results.size() - 1));
            for (Precision p : Precision.values()) {
                Map<String, Object> r = javaSingle(train, test, p, c, options.solver(), device, out);
                r.put("round", round);
                results.add(r);
                print(r);
            }
            Map<String, Object> sk = python(python, script, out, threads, coretype, c, grid.toString(), options,
                    "single", round);
            results.add(sk);
            print(sk);
            // scikit-learn's float64 evaluation of the Java solutions' objective, on its own scaler.
            Map<?, ?> java = (Map<?, ?>) ((Map<?, ?>) sk.get("detail")).get("java");
            for (Map<String, Object> r : results) {
                if (r.get("round").equals(round) && r.get("part").equals("single") && java != null) {
                    String tag = r.get("side").toString().replace("pretext ", "");
                    if (java.get(tag) instanceof Map<?, ?> j) {
                        r.put("objective_float64_by_sklearn", j.get("objective"));
                    }
                }
            }
        }
        report.put("results", results);
        Gson gson = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
        Files.writeString(out.resolve("probe-vs-sklearn.json"), gson.toJson(report));
        String md = markdown(report, results);
        Files.writeString(out.resolve("probe-vs-sklearn.md"), md);
        System.out.println();
        System.out.println(md);
    }

    private static Map<String, Object> javaProtocol(Features.Matrix train, Features.Matrix test,
            LogisticOptions options, long seed, Device device) {
        try (NDManager m = NDManager.newBaseManager(device)) {
            long t0 = System.nanoTime();
            NDArray tx = m.create(test.values(), new Shape(test.rows(), test.cols()));
            NDArray ty = m.create(test.labels());
            LogisticProbe.Outcome o = new LogisticProbe(options).run(train, null, null, tx, ty, seed, m);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("side", "pretext " + options.precision());
            r.put("part", "protocol");
            r.put("seconds", seconds);
            r.put("C", o.c());
            r.put("test_accuracy", o.testAccuracy());
            List<Map<String, Object>> path = new ArrayList<>();
            int iterations = o.model().optimization().iterations();
            for (double[] p : o.path()) {
                path.add(Map.of("C", p[0], "val_accuracy", p[1], "val_logloss", p[2], "iterations", (int) p[3],
                        "seconds", p[4]));
                iterations += (int) p[3];
            }
            r.put("iterations", iterations);
            r.put("final_iterations", o.model().optimization().iterations());
            r.put("path", path);
            return r;
        }
    }

    private static Map<String, Object> javaSingle(Features.Matrix train, Features.Matrix test, Precision precision,
            double c, Lbfgs.Options solver, Device device, Path out) throws IOException {
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray tx = m.create(test.values(), new Shape(test.rows(), test.cols()));
            NDArray ty = m.create(test.labels());
            long t0 = System.nanoTime();
            NDArray x = m.create(train.values(), new Shape(train.rows(), train.cols()));
            LogisticModel model = new LogisticRegression(precision, solver).fit(x, train.labels(), train.numClasses(),
                    c, null);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double accuracy = model.evaluate(tx, ty, precision)[0];
            String tag = precision.toString();
            FeatureFiles.writeFeatures(out.resolve("java-" + tag + "-coef.npy"), toFloat(model.coefficients()),
                    model.numClasses(), model.dim());
            FeatureFiles.writeFeatures(out.resolve("java-" + tag + "-intercept.npy"), toFloat(model.intercepts()), 1,
                    model.numClasses());
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("side", "pretext " + tag);
            r.put("part", "single");
            r.put("seconds", seconds);
            r.put("C", c);
            r.put("test_accuracy", accuracy);
            r.put("iterations", model.optimization().iterations());
            r.put("evaluations", model.optimization().evaluations());
            r.put("stop", model.optimization().stopReason());
            r.put("objective_float64_by_java", model.optimization().value());
            return r;
        }
    }

    private static Map<String, Object> python(String python, Path script, Path dir, int threads, String coretype,
            double c, String grid, LogisticOptions options, String part, int round)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(python, script.toString(), dir.toString(), "--c", Double.toString(c),
                "--grid", grid, "--patience", Integer.toString(options.patience()), "--max-iter",
                Integer.toString(options.solver().maxIterations()), "--parts", part);
        pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        pb.environment().put("MKL_NUM_THREADS", Integer.toString(threads));
        if (!coretype.equals("inherit")) {
            pb.environment().put("OPENBLAS_CORETYPE", coretype);
        }
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process proc = pb.start();
        String stdout = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = proc.waitFor();
        if (code != 0) {
            throw new IllegalStateException(python + " " + script + " failed with exit code " + code
                    + " (scikit-learn installed? apt-get install python3-sklearn)");
        }
        JsonObject json = JsonParser.parseString(stdout.strip()).getAsJsonObject();
        JsonObject res = json.getAsJsonObject(part);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("side", "scikit-learn " + json.getAsJsonObject("versions").get("sklearn").getAsString());
        r.put("part", part);
        r.put("round", round);
        r.put("seconds", res.get("seconds").getAsDouble());
        r.put("C", part.equals("protocol") ? res.get("chosen_C").getAsDouble() : res.get("C").getAsDouble());
        r.put("test_accuracy", res.get("test_accuracy").getAsDouble());
        if (part.equals("protocol")) {
            int iterations = res.get("final_iterations").getAsInt();
            for (var p : res.getAsJsonArray("path")) {
                iterations += p.getAsJsonObject().get("iterations").getAsInt();
            }
            r.put("iterations", iterations);
        } else {
            r.put("iterations", res.get("iterations").getAsInt());
        }
        r.put("detail", new Gson().fromJson(res, Map.class));
        r.put("environment", new Gson().fromJson(json.get("blas"), Map.class));
        return r;
    }

    private static Map<String, Object> machine(int threads, Device device) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", CpuKind.current().model());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("threads", threads);
        m.put("device", device.toString());
        m.put("java", System.getProperty("java.version"));
        Engine e = EngineSetup.engine();
        m.put("engine", e.getEngineName() + " " + e.getVersion());
        m.put("OPENBLAS_CORETYPE (environment)", System.getenv("OPENBLAS_CORETYPE"));
        m.put("mkl_override", org.pretext.runtime.MklCpuOverride.status());
        m.put("note", "measured on a shared machine under load unless stated otherwise; re-run on a quiet machine");
        return m;
    }

    private static void print(Map<String, Object> r) {
        System.out.printf(Locale.ROOT, "  %-22s %-8s round %s: %7.2f s, %5s iterations, C=%s, test accuracy %.4f%n",
                r.get("side"), r.get("part"), r.get("round"), (double) r.get("seconds"), r.get("iterations"),
                r.get("C"), (double) r.get("test_accuracy"));
    }

    @SuppressWarnings("unchecked")
    private static String markdown(Map<String, Object> report, List<Map<String, Object>> results) {
        StringBuilder b = new StringBuilder();
        Map<String, Object> machine = (Map<String, Object>) report.get("machine");
        b.append("### Logistic probe vs scikit-learn (").append(report.get("features")).append(")\n\n");
        b.append("Machine: ").append(machine.get("cpu")).append(", ").append(machine.get("cores"))
                .append(" cores, ").append(machine.get("threads")).append(" threads each side, ")
                .append(machine.get("engine")).append(", Java ").append(machine.get("java")).append("\n\n");
        b.append("| part | side | round | seconds | iterations | C | test accuracy | objective (float64) |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : results) {
            String objective = "";
            Object detail = r.get("detail");
            if (detail instanceof Map<?, ?> d && d.get("objective") != null) {
                objective = String.format(Locale.ROOT, "%.6f", ((Number) d.get("objective")).doubleValue());
            } else if (r.get("objective_float64_by_sklearn") != null) {
                objective = String.format(Locale.ROOT, "%.6f",
                        ((Number) r.get("objective_float64_by_sklearn")).doubleValue());
            }
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %s | %s | %.4f | %s |%n", r.get("part"),
                    r.get("side"), r.get("round"), (double) r.get("seconds"), r.get("iterations"), r.get("C"),
                    (double) r.get("test_accuracy"), objective));
        }
        b.append("\nprotocol: standardise, C grid on a stratified 80/20 split of the training labels (warm starts,"
                + " patience 1), refit on all 60,000 rows; single: one fit from zero at the chosen C."
                + " Objectives (sum of log-losses + ½‖W‖²/C on the standardised training rows) are all evaluated"
                + " by the Python side in float64.\n");
        return b.toString();
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
