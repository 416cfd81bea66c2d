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
            Path dir = Path.of("target", "test-fixtures").toAbsolutePath();
            Path file = dir.resolve("mnist-simclr.encoder");
            if (!Files.exists(file)) {
                Path run = dir.resolve("run");
                org.apache.commons.io.FileUtils.deleteDirectory(run.toFile());
                Files.createDirectories(dir);
                PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
                int code = org.pretext.runner.Main.execute(new String[] {"pretrain", "--steps", "20", "--set",
                    "dataset.train-limit=512", "--set", "dataset.test-limit=256", "--set", "training.batch-size=64",
                    "--threads", "1", "--out", run.toString()}, quiet, System.err);
                if (code != 0) {
                    throw new IllegalStateException("pretraining the fixture failed: " + code);
                }
                code = org.pretext.runner.Main.execute(new String[] {"export", "--run", run.toString(), "--out",
                    file.toString()}, quiet, System.err);
                if (code != 0) {
                    throw new IllegalStateException("exporting the fixture failed: " + code);
                }
            }
            encoder = file;
        }
        return encoder;
    }

    /** The project's ../shared/data folder, or null. */
    static Path sharedData() {
        String root = System.getProperty("pretext.projectRoot", ".");
        Path p = Path.of(root).toAbsolutePath().normalize().getParent().resolve("shared").resolve("data");
        return Files.isDirectory(p) ? p : null;
    }
}
