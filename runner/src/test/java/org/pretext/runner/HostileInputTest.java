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
import org.pretext.engine.EngineSetup;
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
        Outcome prepare = run("run", "--set", "training.prepareThreads=100000", "--out", out.toString());
        assertThat(prepare.exit()).isEqualTo(2);
        assertThat(prepare.err()).contains("Invalid value '100000' for parameter 'prepareThreads' of config section"
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
                .hasMessageContaining("training.prepareThreads").hasMessageContaining("<= " + cores);
        assertThatThrownBy(() -> EngineSetup.configureThreads(100000)).isInstanceOf(PretextException.class)
                .hasMessageContaining("threads").hasMessageContaining("expected 0 to " + cores);
        assertThat(ConfigLoader.resolve(ConfigLoader.defaults()).threads()).isZero();
    }
}
