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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
    private static final List<Process> started = new ArrayList<>();
    private static Path sparkHome;
    private static Path dir;
    private static String master;

    /** The master and two workers, one core each, shared by the tests of this class. */
    @BeforeAll
    static void startCluster(@TempDir Path tmp) throws Exception {
        dir = tmp;
        sparkHome = Path.of(System.getProperty("pretext.sparkHome", "target/spark-home"));
        assumeThat(Files.isDirectory(sparkHome.resolve("jars"))).as("skipped: " + sparkHome
                + "/jars is made by the build (mvn process-resources)").isTrue();
        int port = freePort();
        master = "spark://127.0.0.1:" + port;
        String jars = sparkHome.resolve("jars").toAbsolutePath() + File.separator + "*";
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        start(List.of("-Xmx256m", "-cp", jars, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
            "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort())), logs.resolve("master.log"));
        awaitLine(logs.resolve("master.log"), "I have been elected leader", Duration.ofSeconds(60));
        for (int w = 1; w <= 2; w++) {
            start(List.of("-Xmx256m", "-cp", jars, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                "--cores", "1", "--memory", "1500m", "--webui-port", "0", "--work-dir",
                dir.resolve("work" + w).toString(), master), logs.resolve("worker" + w + ".log"));
        }
        for (int w = 1; w <= 2; w++) {
            awaitLine(logs.resolve("worker" + w + ".log"), "Successfully registered with master", Duration.ofSeconds(60));
        }
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        for (int i = started.size() - 1; i >= 0; i--) {
            Process p = started.get(i);
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void embedOnAMasterAndTwoWorkersGivesTheSingleProcessFeatures() throws Exception {
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

        Path logs = dir.resolve("logs");
        // the driver: the command line in a JVM of its own; executors get Pretext from the test class path
        Path output = dir.resolve("features.parquet");
        List<String> driver = new ArrayList<>(driver("embed"));
        driver.addAll(List.of("--encoder", TestSpark.encoder().toString(), "--parquet", input.toString(), "--input-column", "pixels",
            "--label-column", "digit", "--id-column", "n", "--batch-size", "32", "--out", output.toString()));
        Process d = start(driver, logs.resolve("driver.log"));
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

    /**
     * pretrain in a driver JVM of its own on both workers; when the first round is done, one executor
     * JVM is killed (SIGKILL): Spark retries the round's barrier tasks from the round's broadcast on the
     * executor the master starts in its place, and the run finishes every round.
     */
    @Test
    void pretrainFinishesWhenAnExecutorIsKilledMidRun() throws Exception {
        Path logs = dir.resolve("logs");
        Path out = dir.resolve("pretrain");
        List<String> cmd = new ArrayList<>(driver("pretrain"));
        cmd.addAll(List.of("--workers", "2", "--rounds", "4", "--local-steps", "5", "--out", out.toString()));
        for (String s : List.of("dataset.train-limit=512", "dataset.test-limit=64", "encoder.hidden=64",
                "encoder.features=16", "training.batch-size=32", "threads=1", "probe.monitor-every=0")) {
            cmd.addAll(List.of("--set", s));
        }
        Path log = logs.resolve("pretrain-driver.log");
        Process d = start(cmd, log);
        awaitLine(log, "round 1/4", Duration.ofSeconds(240));
        ProcessHandle executor = null;
        String cmdline = "";
        for (int tries = 0; executor == null && tries < 100; tries++) {
            for (ProcessHandle h : started.get(1).toHandle().descendants().toList()) {
                String c = commandLine(h);
                if (c.contains("CoarseGrainedExecutorBackend")) {
                    executor = h;
                    cmdline = c;
                }
            }
            if (executor == null) {
                Thread.sleep(100);
            }
        }
        assertThat(executor).as("worker 1's executor JVM among %s", started.get(1).toHandle().descendants()
                .map(h -> h.pid() + ": " + commandLine(h)).toList()).isNotNull();
        java.util.regex.Matcher app = java.util.regex.Pattern.compile("--app-id\\s+(\\S+)").matcher(cmdline);
        assertThat(app.find()).as("the executor's application id in %s", cmdline).isTrue();
        assertThat(executor.destroyForcibly()).isTrue();
        executor.onExit().get(30, TimeUnit.SECONDS);
        boolean done = d.waitFor(300, TimeUnit.SECONDS);
        String text = Files.readString(log);
        assertThat(done).as("driver finished within 300 s; its log:%n%s", text).isTrue();
        assertThat(d.exitValue()).as("driver's exit code; its log:%n%s", text).isZero();
        assertThat(text).contains("round 4/4: step 20").contains("pretrained 4 rounds of 5 local steps on 2 workers");
        assertThat(Files.exists(out.resolve("checkpoints").resolve("step-00000020.ckpt"))).isTrue();
        // the master started a second executor on worker 1 in place of the killed one
        try (var s = Files.list(dir.resolve("work1").resolve(app.group(1)))) {
            List<Path> executors = s.toList();
            assertThat(executors).as("executor folders of worker 1 in application %s", app.group(1)).hasSizeGreaterThan(1);
        }
    }

    /** A process's command line from /proc, arguments separated by spaces ("" when it is gone). */
    private static String commandLine(ProcessHandle h) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /** The command line in a driver JVM of its own; executors get Pretext from the test class path. */
    private static List<String> driver(String command) {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return List.of("-Xmx1g", "-cp", classPath, Main.class.getName(), command,
            "--master", master, "--conf", "spark.executor.memory=1g", "--conf", "spark.executor.extraClassPath="
                + classPath, "--conf", "spark.executor.extraJavaOptions=-Dai.djl.offline=true"
                + " -Dai.djl.pytorch.num_threads=1 -XX:TieredStopAtLevel=1", "--conf", "spark.driver.host=127.0.0.1");
    }

    /** A JVM with Spark's module options, output to a log file. */
    private static Process start(List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Launcher.JAVA_MODULE_OPTIONS);
        cmd.add("-XX:TieredStopAtLevel=1"); // C1 only: short-lived JVMs, C2's compilations were mostly spent CPU
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
