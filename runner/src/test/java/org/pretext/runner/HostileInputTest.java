package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.runtime.EngineSetup;
import org.pretext.runner.config.ConfigLoader;
import org.pretext.training.PretrainConfig;

/** Issue 17: hostile settings and files at the command line, each refused in one line with exit 2. */
class HostileInputTest {
    /** Exit code, standard output and standard error of one in-process invocation. */
    record Outcome(int exit, String out, String err) {}

    static Outcome run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** One line on standard error, starting "error: ", with no stack trace. */
    static void oneLine(Outcome o) {
        assertThat(o.err().strip().lines().filter(l -> !l.startsWith("warning:")).toList()).as(o.err()).hasSize(1)
                .allMatch(l -> l.startsWith("error: "));
        assertThat(o.err()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void threadCountsAboveTheCoresAreRefusedNamingTheSettingAndTheLimit(@TempDir Path dir) {
        int cores = Runtime.getRuntime().availableProcessors();
        Path out = dir.resolve("r");
        Outcome flag = run("run", "--threads", "100000", "--out", out.toString());
        assertThat(flag.exit()).isEqualTo(2);
        assertThat(flag.err()).contains("error: --threads 100000 is not between 0 (one thread per core) and " + cores
                + ", the processors available to Java");
        oneLine(flag);
        Outcome key = run("run", "--set", "threads=100000", "--out", out.toString());
        assertThat(key.exit()).isEqualTo(2);
        assertThat(key.err()).contains("error: Invalid value '100000' for parameter 'threads' of the config: expected"
                + " an integer >= 0 and <= " + cores + " (the processors available to Java)");
        Outcome prepare = run("run", "--set", "training.prepare-threads=100000", "--out", out.toString());
        assertThat(prepare.exit()).isEqualTo(2);
        assertThat(prepare.err()).contains("Invalid value '100000' for parameter 'prepare-threads' of config section"
                + " 'training': expected an integer >= 1 and <= " + cores + " (the processors available to Java)");
        Path photos = dir.resolve("photos");
        for (int i = 0; i < 4; i++) {
            writePng(photos.resolve((i % 2 == 0 ? "a/" : "b/") + i + ".png"), 8, 8);
        }
        Outcome decode = run("run", "--dataset", photos.toString(), "--set", "dataset.decode-threads=100000", "--out",
                out.toString());
        assertThat(decode.exit()).isEqualTo(2);
        assertThat(decode.err()).contains("Invalid value '100000' for parameter 'decode-threads' of dataset 'images':"
                + " expected an integer >= 0 and <= " + cores + " (the processors available to Java)");
        assertThat(out).doesNotExist();
    }

    static void writePng(Path file, int w, int h) {
        try {
            Files.createDirectories(file.getParent());
            javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(w, h,
                    java.awt.image.BufferedImage.TYPE_BYTE_GRAY), "png", file.toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theSameBoundHoldsForConfigFilesAndFromJava(@TempDir Path dir) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "threads: 100000\n");
        Map<String, Object> tree = ConfigLoader.defaults();
        ConfigLoader.merge(tree, ConfigLoader.read(f));
        assertThatThrownBy(() -> ConfigLoader.resolve(tree)).isInstanceOf(PretextException.class)
                .hasMessageContaining("'threads'").hasMessageContaining("<= " + cores);
        assertThatThrownBy(() -> PretrainConfig.builder().prepareThreads(100000)).isInstanceOf(PretextException.class)
                .hasMessageContaining("training.prepare-threads").hasMessageContaining("<= " + cores);
        assertThatThrownBy(() -> EngineSetup.configureThreads(100000)).isInstanceOf(PretextException.class)
                .hasMessageContaining("threads").hasMessageContaining("expected 0 to " + cores);
        assertThat(ConfigLoader.resolve(ConfigLoader.defaults()).threads()).isZero();
    }

    private static final String[] SMALL = {"--set", "dataset.train-limit=300", "--set", "dataset.test-limit=100",
        "--steps", "2", "--set", "training.checkpoint-every=0"};

    private static String[] args(String[] head, String... more) {
        String[] a = java.util.Arrays.copyOf(head, head.length + SMALL.length + more.length);
        System.arraycopy(SMALL, 0, a, head.length, SMALL.length);
        System.arraycopy(more, 0, a, head.length + SMALL.length, more.length);
        return a;
    }

    @Test
    void aBatchLargerThanTheDataIsRefusedBeforeTheRunFolderExists(@TempDir Path dir) {
        Path out = dir.resolve("r");
        Outcome o = run(args(new String[] {"run", "--out", out.toString()}, "--set", "training.batch-size=512"));
        assertThat(o.exit()).as(o.err()).isEqualTo(2);
        assertThat(o.err()).contains("error: training.batch-size is 512 but the pretraining data of dataset 'mnist' holds"
                + " 300 examples: set training.batch-size to at most 300");
        oneLine(o);
        assertThat(out).doesNotExist();
        Outcome fixed = run(args(new String[] {"run", "--out", out.toString()}, "--set", "training.batch-size=64",
                "--set", "probe.enabled=false"));
        assertThat(fixed.exit()).as(fixed.err()).isZero();
        assertThat(out.resolve("report.json")).exists();
    }

    @Test
    void aLabelBudgetLargerThanAClassIsRefusedBeforePretraining(@TempDir Path dir) {
        Path out = dir.resolve("r");
        Outcome o = run(args(new String[] {"run", "--out", out.toString()}, "--set", "training.batch-size=64", "--set",
                "probe.labels-per-class=[5, 100]", "--set", "probe.features=raw-input"));
        assertThat(o.exit()).as(o.err()).isEqualTo(2);
        assertThat(o.err()).contains("error: probe.labels-per-class asks for 100 labels per class, but class '")
                .contains("of dataset 'mnist' has ").contains(" in its training split: use budgets of at most ");
        oneLine(o);
        assertThat(out).doesNotExist();
    }

    @Test
    void anEncoderThatDoesNotFitTheObjectiveIsNamedByItsProviderName(@TempDir Path dir) {
        Path out = dir.resolve("r");
        Outcome o = run(args(new String[] {"run", "--out", out.toString()}, "--objective", "mae", "--encoder", "mlp"));
        assertThat(o.exit()).as(o.err()).isEqualTo(2);
        assertThat(o.err()).contains("error: Objective 'mae' needs an encoder that can encode a subset of image patches"
                + " (such as 'vit-tiny'), but encoder 'mlp' cannot; use --encoder vit-tiny");
        oneLine(o);
        assertThat(out).doesNotExist();
    }

    /** n feature rows of width d in two or one classes (x.npy, y.npy). */
    static Path arrays(Path dir, int n, int d, int classes) {
        float[] x = new float[n * d];
        int[] y = new int[n];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) r.nextGaussian() + y[i];
            }
        }
        org.pretext.datasets.npy.NpyWriter.writeFloats(dir.resolve("x.npy"), x, n, d);
        org.pretext.datasets.npy.NpyWriter.writeInts(dir.resolve("y.npy"), y, n);
        return dir;
    }

    @Test
    void aDatasetOfOneClassIsRefusedForProbingButPretrainsFine(@TempDir Path dir) throws IOException {
        Path data = arrays(Files.createDirectories(dir.resolve("one-class")), 80, 6, 1);
        Path out = dir.resolve("r");
        String[] tail = {"--steps", "2", "--set", "training.batch-size=16", "--set", "training.checkpoint-every=0",
            "--out", out.toString()};
        String[] runArgs = java.util.stream.Stream.concat(java.util.stream.Stream.of("run", "--dataset", data.toString()),
                java.util.Arrays.stream(tail)).toArray(String[]::new);
        Outcome o = run(runArgs);
        assertThat(o.exit()).as(o.err()).isEqualTo(2);
        assertThat(o.err()).contains("error: The training labels of dataset 'one-class' hold one class only ('0', 64"
                + " rows): a probe needs at least two classes (with one, every probe scores 100%)");
        oneLine(o);
        assertThat(out).doesNotExist();
        runArgs[0] = "pretrain";
        Outcome p = run(runArgs);
        assertThat(p.exit()).as(p.err()).isZero();
        assertThat(out.resolve("report.json")).exists();
    }

    @Test
    void nanInADatasetOrAFeaturesFileIsOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        Path data = Files.createDirectories(dir.resolve("arrays"));
        float[] x = new float[50 * 4];
        x[7 * 4 + 2] = Float.NaN;
        org.pretext.datasets.npy.NpyWriter.writeFloats(data.resolve("x.npy"), x, 50, 4);
        Path out = dir.resolve("r");
        Outcome o = run("run", "--dataset", data.toString(), "--out", out.toString());
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("error: NumPy file " + data.resolve("x.npy") + " holds NaN at row 7, column 2");
        oneLine(o);
        assertThat(out).doesNotExist();

        Path f = arrays(Files.createDirectories(dir.resolve("features")), 600, 8, 3);
        float[] feats = new float[600 * 8];
        feats[599 * 8] = Float.POSITIVE_INFINITY;
        org.pretext.probe.FeatureFiles.writeFeatures(f.resolve("train.npy"), feats, 600, 8);
        Outcome p = run("probe", "--features", f.resolve("train.npy").toString(), "--labels", f.resolve("y.npy")
                .toString(), "--test-features", f.resolve("x.npy").toString(), "--test-labels",
                f.resolve("y.npy").toString(), "--probes", "knn,mean", "--out", dir.resolve("p").toString());
        assertThat(p.exit()).isEqualTo(2);
        assertThat(p.err()).contains("error: " + f.resolve("train.npy") + " holds Infinity at row 599, column 0");
        oneLine(p);
    }

    /** Makes a folder unwritable even for root (chattr +i), or skips the test where that is impossible. */
    private static void makeReadOnly(Path folder) throws IOException, InterruptedException {
        Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Files.delete(Files.createFile(folder.resolve("probe")));
        } catch (IOException e) {
            return; // not root: the permissions hold
        }
        Process p = new ProcessBuilder("chattr", "+i", folder.toString()).redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "cannot make a folder read-only here");
    }

    private static void makeWritable(Path folder) throws IOException, InterruptedException {
        new ProcessBuilder("chattr", "-i", folder.toString()).redirectErrorStream(true).start().waitFor();
        Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void anOutFolderThatCannotBeWrittenIsOneLineNamingItWithExit1(@TempDir Path dir) throws Exception {
        Path ro = Files.createDirectories(dir.resolve("ro"));
        Path out = ro.resolve("run");
        makeReadOnly(ro);
        try {
            Outcome o = run(args(new String[] {"run", "--out", out.toString()}, "--set", "training.batch-size=64",
                    "--set", "probe.enabled=false"));
            assertThat(o.exit()).as(o.err()).isEqualTo(1);
            // the run-folder lock is the first thing written, so it is what meets the read-only folder
            assertThat(o.err()).containsPattern("error: (cannot prepare|Cannot lock) run folder "
                    + java.util.regex.Pattern.quote(out.toString()) + ": ");
            oneLine(o);
            Outcome verbose = run(args(new String[] {"run", "--verbose", "--out", out.toString()}, "--set",
                    "training.batch-size=64", "--set", "probe.enabled=false"));
            assertThat(verbose.exit()).isEqualTo(1);
            assertThat(verbose.err()).containsPattern("error: (cannot prepare|Cannot lock) run folder").contains("\tat ");
        } finally {
            makeWritable(ro);
        }
    }

    @Test
    void machineFailuresExit1AndBadInputExit2() {
        var full = new java.nio.file.FileSystemException("/data/run/metrics.jsonl", null, "No space left on device");
        assertThat(Main.exitCode(new java.io.UncheckedIOException("cannot write metrics", full))).isEqualTo(1);
        assertThat(Main.describe(new java.io.UncheckedIOException("cannot write metrics", full), 1))
                .isEqualTo("cannot write metrics: /data/run/metrics.jsonl: No space left on device");
        assertThat(Main.exitCode(new PretextException("Checkpoint could not be written", full))).isEqualTo(1);
        assertThat(Main.exitCode(new PretextException("NumPy file x.npy does not exist",
                new java.nio.file.NoSuchFileException("x.npy")))).isEqualTo(2);
        assertThat(Main.exitCode(new PretextException("IDX file x is truncated", new java.io.EOFException())))
                .isEqualTo(2);
        String bug = Main.describe(new IllegalStateException("wrong state"), 1);
        assertThat(bug).startsWith("unexpected IllegalStateException: wrong state at ")
                .endsWith("(run again with --verbose for the stack trace)");
        assertThat(Main.exitCode(new IllegalStateException("wrong state"))).isEqualTo(1);
    }

    @Test
    void aCorruptPluginJarAndAJarMissingItsProviderClassAreNamed(@TempDir Path dir) throws IOException {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path corrupt = plugins.resolve("align-uniform.jar");
        Files.writeString(corrupt, "this is not a zip file");
        Path missing = plugins.resolve("missing-class.jar");
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(missing))) {
            jar.putNextEntry(new java.util.jar.JarEntry("META-INF/services/org.pretext.objective.ObjectiveProvider"));
            jar.write("org.example.GoneObjectiveProvider\n".getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try {
            java.util.List<String> problems = org.pretext.runner.wiring.Registries.load(
                    org.pretext.runner.wiring.PluginClassLoader.create(java.util.List.of(plugins))).problems();
            assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("plug-in jar " + corrupt.toAbsolutePath()
                    + " cannot be read as a jar (ZipException"));
            assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("objective provider"
                    + " org.example.GoneObjectiveProvider listed in " + missing.toAbsolutePath()
                    + " could not be loaded: "));
            Outcome o = run("run", "--plugins", plugins.toString(), "--objective", "align-uniform", "--out",
                    dir.resolve("r").toString());
            assertThat(o.exit()).isEqualTo(2);
            assertThat(o.err()).contains("error: Unknown objective 'align-uniform'. Available objectives: ")
                    .contains(". Not loaded: plug-in jar " + corrupt.toAbsolutePath() + " cannot be read as a jar")
                    .contains("org.example.GoneObjectiveProvider listed in " + missing.toAbsolutePath());
            assertThat(dir.resolve("r")).doesNotExist();
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Test
    void aYamlAliasBombAndAJavaTagAreRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 10; i++) {
                bomb.append(i == 0 ? "" : ", ").append('*').append((char) (c - 1));
            }
            bomb.append("]\n"); // 10^10 strings if the aliases were expanded
        }
        Path f = dir.resolve("bomb.yaml");
        Files.writeString(f, bomb);
        Outcome o = run("run", "--config", f.toString(), "--out", dir.resolve("r").toString());
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("error: Config file " + f + " is not valid YAML").contains("aliases");
        oneLine(o);
        Path tag = dir.resolve("tag.yaml");
        Files.writeString(tag, "seed: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL"
                + " [\"http://example.invalid/\"]]]]\n");
        Outcome t = run("run", "--config", tag.toString(), "--out", dir.resolve("r").toString());
        assertThat(t.exit()).isEqualTo(2);
        assertThat(t.err()).contains("error: Config file " + tag + " is not valid YAML");
        oneLine(t);
        assertThat(dir.resolve("r")).doesNotExist();
    }
}
