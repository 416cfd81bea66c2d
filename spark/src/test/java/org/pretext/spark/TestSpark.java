package org.pretext.spark;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** The tests' shared Spark session (local[2], one per JVM, bound to 127.0.0.1) and encoder fixture. */
final class TestSpark {
    private static SparkSession session;
    private static Path encoder;
    private static Path textEncoder;

    private TestSpark() {}

    static synchronized SparkSession local() {
        if (session == null) {
            session = SparkSession.builder().master("local[2]").appName("pretext-spark-tests")
                    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                    .config("spark.sql.adaptive.enabled", "false")
                    .getOrCreate();
        }
        return session;
    }

    /**
     * An exported encoder (SimCLR, the 784-512-128 MLP, 20 steps on the bundled MNIST subset), made once
     * per JVM by the runner's own commands into target/test-fixtures.
     */
    static synchronized Path encoder() throws Exception {
        if (encoder == null) {
            encoder = exported("mnist-simclr.encoder", "run", "--set", "dataset.train-limit=512", "--set",
                    "dataset.test-limit=256", "--set", "training.batch-size=64");
        }
        return encoder;
    }

    /**
     * An exported encoder of text (causal LM on a one-block 16-wide transformer, character tokenizer,
     * context 16, 20 steps on short labelled sentences), made once per JVM by the runner's own
     * commands into target/test-fixtures.
     */
    static synchronized Path textEncoder() throws Exception {
        if (textEncoder == null) {
            Path data = Path.of("target", "test-fixtures", "sentences").toAbsolutePath();
            Files.createDirectories(data);
            StringBuilder train = new StringBuilder("sentence\tlabel\n");
            String[] good = {"a good film", "good fun", "really good acting", "fun and good"};
            String[] bad = {"bad acting", "a bad film", "really bad", "dull and bad"};
            for (int i = 0; i < 30; i++) {
                train.append(good[i % 4]).append("\t1\n").append(bad[i % 4]).append("\t0\n");
            }
            Files.writeString(data.resolve("train.tsv"), train);
            Files.writeString(data.resolve("dev.tsv"), "sentence\tlabel\ngood film\t1\nbad film\t0\n");
            textEncoder = exported("sentences-causal-lm.encoder", "text-run", "--set", "dataset=sentences", "--set",
                    "dataset.path=" + data, "--set", "dataset.tokenizer=char", "--set", "encoder=transformer", "--set",
                    "encoder.layers=1", "--set", "encoder.heads=2", "--set", "encoder.width=16", "--set",
                    "encoder.context=16", "--set", "objective=causal-lm", "--set", "training.batch-size=8");
        }
        return textEncoder;
    }

    /**
     * target/test-fixtures/FILE, unless it exists: 20 steps of the runner's {@code pretrain} with
     * {@code settings} (one engine thread) into the run folder RUN, then its {@code export}.
     */
    private static Path exported(String fileName, String runName, String... settings) throws Exception {
        Path dir = Path.of("target", "test-fixtures").toAbsolutePath();
        Path file = dir.resolve(fileName);
        if (Files.exists(file)) {
            return file;
        }
        Path run = dir.resolve(runName);
        org.apache.commons.io.FileUtils.deleteDirectory(run.toFile());
        Files.createDirectories(dir);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("pretrain", "--steps", "20"));
        args.addAll(java.util.List.of(settings));
        args.addAll(java.util.List.of("--threads", "1", "--out", run.toString()));
        int code = org.pretext.runner.Main.execute(args.toArray(String[]::new), quiet, System.err);
        if (code != 0) {
            throw new IllegalStateException("pretraining the fixture " + fileName + " failed: " + code);
        }
        code = org.pretext.runner.Main.execute(new String[] {"export", "--run", run.toString(), "--out",
            file.toString()}, quiet, System.err);
        if (code != 0) {
            throw new IllegalStateException("exporting the fixture " + fileName + " failed: " + code);
        }
        return file;
    }

    /** The project's ../shared/data folder, or null. */
    static Path sharedData() {
        String root = System.getProperty("pretext.projectRoot", ".");
        Path p = Path.of(root).toAbsolutePath().normalize().getParent().resolve("shared").resolve("data");
        return Files.isDirectory(p) ? p : null;
    }
}
