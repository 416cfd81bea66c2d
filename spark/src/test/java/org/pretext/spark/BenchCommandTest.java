package org.pretext.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pretext-spark bench embed|probe} from the command line on {@code local[2]}: both sides run on
 * the same rows (the embedding benchmark compares their features row by row), the JSON holds what
 * BENCHMARKS.md's tables are made of, and bad arguments are refused with exit 2.
 */
class BenchCommandTest {
    private static JsonObject firstResult(Path json) throws Exception {
        JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertThat(root.getAsJsonObject("versions").has("djl")).isTrue();
        return root.getAsJsonArray("results").get(0).getAsJsonObject();
    }

    private static int run(ByteArrayOutputStream err, String... args) {
        TestSpark.local(); // the command joins the tests' session instead of starting its own
        return Main.execute(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void embedMeasuresBothSidesOnTheSameRows(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("embed.json");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int threadsBefore = org.pretext.runtime.EngineThreads.current();
        int code = run(err, "bench", "embed", "--master", "local[2]", "--encoder", TestSpark.encoder().toString(),
                "--dataset", "mnist", "--rows", "300", "--partitions", "2", "--batch-size", "64", "--repeats", "1",
                "--local-threads", "1", "--out", json.toString());
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonObject r = firstResult(json);
        // the single process ran on the one thread asked for, each Spark task on spark.task.cpus (1); this
        // thread's own count is back afterwards
        assertThat(r.get("localEngineThreads").getAsInt()).isEqualTo(1);
        assertThat(r.get("taskEngineThreads").getAsInt()).isEqualTo(1);
        assertThat(org.pretext.runtime.EngineThreads.current()).isEqualTo(threadsBefore);
        assertThat(r.get("rows").getAsInt()).isEqualTo(300);
        assertThat(r.get("partitions").getAsInt()).isEqualTo(2);
        assertThat(r.get("featureSize").getAsInt()).isEqualTo(128);
        assertThat(r.get("comparedRows").getAsLong()).isEqualTo(300);
        assertThat(r.get("maxAbsDifference").getAsDouble()).isLessThanOrEqualTo(EmbedBenchmark.TOLERANCE);
        assertThat(r.get("localRowsPerSecond").getAsDouble()).isPositive();
        assertThat(r.get("sparkRowsPerSecond").getAsDouble()).isPositive();
        assertThat(r.get("overhead").getAsDouble()).isCloseTo(r.get("sparkSeconds").getAsDouble()
                / r.get("localSeconds").getAsDouble() - 1, within(1e-9));
        double fixed = r.get("sparkFixedSeconds").getAsDouble();
        assertThat(fixed).isPositive();
        assertThat(r.get("overheadBeyondFixed").getAsDouble()).isCloseTo((r.get("sparkSeconds").getAsDouble() - fixed)
                / r.get("localSeconds").getAsDouble() - 1, within(1e-9));
    }

    @Test
    void aLocalThreadCountOutsideTheCoresIsRefusedByName() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(err, "bench", "embed", "--master", "local[2]", "--encoder", TestSpark.encoder().toString(),
                "--local-threads", "-1");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Invalid value -1 for --local-threads: expected 0 to");
    }

    @Test
    void probeGivesMllibAndTheLocalProbeOnTheSameFeatures(@TempDir Path dir) throws Exception {
        // features of 400 training and 200 test digits, written by the embed command
        Path config = dir.resolve("small.yaml");
        Files.writeString(config, "dataset: {name: mnist, params: {train-limit: 400, test-limit: 200}}\n");
        Path features = dir.resolve("features");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(err, "embed", "--master", "local[2]", "--encoder", TestSpark.encoder().toString(),
                "--config", config.toString(), "--out", features.toString());
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();

        Path json = dir.resolve("probe.json");
        code = run(err, "bench", "probe", "--master", "local[2]", "--train", features.resolve("train").toString(),
                "--test", features.resolve("test").toString(), "--labels-per-class", "all", "--probes", "mean",
                "--out", json.toString());
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonObject r = firstResult(json);
        assertThat(r.get("trainRows").getAsInt()).isEqualTo(400);
        assertThat(r.get("testRows").getAsInt()).isEqualTo(200);
        assertThat(r.get("featureSize").getAsInt()).isEqualTo(128);
        JsonArray rows = r.getAsJsonArray("results");
        assertThat(rows).hasSize(1);
        JsonObject mean = rows.get(0).getAsJsonObject();
        assertThat(mean.get("probe").getAsString()).isEqualTo("mean");
        // the mean classifier is one aggregation on either side: the same predictions, well above chance
        assertThat(mean.get("sparkAccuracy").getAsDouble()).isCloseTo(mean.get("localAccuracy").getAsDouble(),
                within(1e-9));
        assertThat(mean.get("localAccuracy").getAsDouble()).isGreaterThan(0.5);
    }

    @Test
    void badArgumentsAreRefusedWithExitTwo(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(err, "bench", "embed", "--master", "local[2]", "--encoder", TestSpark.encoder().toString(),
                "--rows", "0");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--rows");

        err.reset();
        Path missing = dir.resolve("nothing.encoder");
        code = run(err, "bench", "embed", "--master", "local[2]", "--encoder", missing.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(missing.toString()).contains("does not exist");
    }
}
