package org.pretext.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.checkpoint.ExportedEncoder;
import org.pretext.data.IndexedSplit;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoder.Features;

/**
 * A real Spark standalone cluster on this machine: a master and two workers started as separate JVMs
 * from Spark's own jars (target/spark-home/jars), bound to 127.0.0.1, one core each; the {@code embed}
 * command runs in a driver JVM of its own against it, its executors in JVMs the workers start, and
 * gives the single-process extractor's features.
 */
class StandaloneClusterTest {
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopCluster() throws InterruptedException {
        for (int i = started.size() - 1; i >= 0; i--) {
            Process p = started.get(i);
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void embedOnAMasterAndTwoWorkersGivesTheSingleProcessFeatures(@TempDir Path dir) throws Exception {
        Path sparkHome = Path.of(System.getProperty("pretext.sparkHome", "target/spark-home"));
        assumeThat(Files.isDirectory(sparkHome.resolve("jars"))).as("skipped: " + sparkHome
                + "/jars is made by the build (mvn process-resources)").isTrue();
        IndexedSplit test = (IndexedSplit) MnistDatasetProvider.open(0, 200).test().orElseThrow();
        Features.Matrix expected;
        try (ExportedEncoder enc = ExportedEncoder.load(TestSpark.encoder())) {
            expected = enc.features(test, 50);
        }
        SparkSession spark = TestSpark.local();
        List<Row> rows = new ArrayList<>();
        float[] x = test.floatData();
        for (int i = 0; i < test.size(); i++) {
            rows.add(RowFactory.create((long) i, test.labels()[i], java.util.Arrays.copyOfRange(x, i * 784, (i + 1) * 784)));
        }
        StructType schema = new StructType().add("n", DataTypes.LongType).add("digit", DataTypes.IntegerType)
                .add("pixels", DataTypes.createArrayType(DataTypes.FloatType));
        Path input = dir.resolve("digits.parquet");
        spark.createDataFrame(rows, schema).repartition(4).write().parquet(input.toString());

        int port = freePort();
        String master = "spark://127.0.0.1:" + port;
        String jars = sparkHome.resolve("jars").toAbsolutePath() + File.separator + "*";
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        start(List.of("-Xmx256m", "-cp", jars, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
            "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort())), sparkHome, logs.resolve("master.log"));
        awaitLine(logs.resolve("master.log"), "I have been elected leader", Duration.ofSeconds(60));
        for (int w = 1; w <= 2; w++) {
            start(List.of("-Xmx256m", "-cp", jars, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                "--cores", "1", "--memory", "1500m", "--webui-port", "0", "--work-dir",
                dir.resolve("work" + w).toString(), master), sparkHome, logs.resolve("worker" + w + ".log"));
        }
        for (int w = 1; w <= 2; w++) {
            awaitLine(logs.resolve("worker" + w + ".log"), "Successfully registered with master", Duration.ofSeconds(60));
        }

        // the driver: the command line in a JVM of its own; executors get Pretext from the test class path
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path output = dir.resolve("features.parquet");
        List<String> driver = new ArrayList<>(List.of("-Xmx1g", "-cp", classPath, Main.class.getName(), "embed",
            "--master", master, "--conf", "spark.executor.memory=1g", "--conf", "spark.executor.extraClassPath="
                + classPath, "--conf", "spark.executor.extraJavaOptions=-Dai.djl.offline=true"
                + " -Dai.djl.pytorch.num_threads=1", "--conf", "spark.driver.host=127.0.0.1",
            "--encoder", TestSpark.encoder().toString(), "--parquet", input.toString(), "--input-column", "pixels",
            "--label-column", "digit", "--id-column", "n", "--batch-size", "32", "--out", output.toString()));
        Process d = start(driver, sparkHome, logs.resolve("driver.log"));
        boolean done = d.waitFor(240, TimeUnit.SECONDS);
        String log = Files.readString(logs.resolve("driver.log"));
        assertThat(done).as("driver finished within 240 s; its log:%n%s", log).isTrue();
        assertThat(d.exitValue()).as("driver's exit code; its log:%n%s", log).isZero();
        assertThat(log).contains("embedded 200 rows into 128 features").contains("on " + master);
        // both workers ran an executor
        for (int w = 1; w <= 2; w++) {
            try (var s = Files.walk(dir.resolve("work" + w))) {
                assertThat(s.anyMatch(p -> p.getFileName().toString().equals("stderr"))).as("worker %d ran an executor", w)
                        .isTrue();
            }
        }

        List<Row> got = spark.read().parquet(output.toString()).collectAsList();
        assertThat(got).hasSize(200);
        for (Row r : got) {
            int i = Math.toIntExact(r.getLong(0));
            assertThat(r.getInt(1)).isEqualTo(test.labels()[i]);
            Vector v = (Vector) r.get(2);
            for (int j = 0; j < v.size(); j++) {
                assertThat((float) v.apply(j)).as("row %d feature %d", i, j)
                        .isCloseTo(expected.get(i, j), org.assertj.core.api.Assertions.within(1e-5f));
            }
        }
    }

    /** A JVM with Spark's module options, output to a log file. */
    private Process start(List<String> args, Path sparkHome, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Launcher.JAVA_MODULE_OPTIONS);
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-Dorg.slf4j") || a.startsWith("-Dai.djl")) {
                cmd.add(a);
            }
        }
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toAbsolutePath().toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static void awaitLine(Path log, String text, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("'" + text + "' not in " + log + " after " + timeout + ":\n"
                + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
