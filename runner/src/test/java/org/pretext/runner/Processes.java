package org.pretext.runner;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Starts the runner in a fresh JVM with the test class path, as a user's `java -cp ... Main` would. */
final class Processes {
    private Processes() {}

    static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null ? cp : System.getProperty("java.class.path");
    }

    static ProcessBuilder runner(Path workDir, String extraClassPath, String... args) {
        return runner(workDir, extraClassPath, List.of(), args);
    }

    /** With extra JVM options (e.g. -Djava.io.tmpdir=...). */
    static ProcessBuilder runner(Path workDir, String extraClassPath, List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        // C1 only: these runs are short and their work is libtorch's, so C2's compilations were mostly
        // spent CPU (a 60-step run: 4.3-5.0 s of user time against 7.0-7.3, DINO's 400-step MNIST run
        // 40 s against 44; the same losses and accuracies to the last digit, as Java's arithmetic does
        // not depend on the compiler)
        cmd.add("-XX:TieredStopAtLevel=1");
        // the work in this JVM, whose pid the tests see (RelaunchTest runs the default: a child JVM)
        cmd.add("-D" + org.pretext.runtime.MallocTuning.TUNABLES_PROPERTY + "=false");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(extraClassPath == null ? classPath() : classPath() + File.pathSeparator + extraClassPath);
        cmd.add("org.pretext.runner.Main");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().put("DJL_OFFLINE", "true");
        return pb;
    }

    /** Runs to completion; returns exit code and output. */
    static Result run(Path workDir, String extraClassPath, String... args) throws IOException, InterruptedException {
        return finish(runner(workDir, extraClassPath, args).start());
    }

    /** Runs to completion with extra JVM options; returns exit code and output. */
    static Result runWith(Path workDir, List<String> jvmOptions, String... args) throws IOException,
            InterruptedException {
        return finish(runner(workDir, null, jvmOptions, args).start());
    }

    /**
     * Starts the run (its output in {@code work/OUT-NAME.log}), SIGKILLs it once its checkpoint of
     * {@code step} is written (waiting at most {@code minutes}), and checks that it was still going then
     * and left no report.
     */
    static void killAtCheckpoint(Path work, String[] args, Path out, int step, long minutes) throws Exception {
        Process p = runner(work, null, args).redirectOutput(work.resolve(out.getFileName() + ".log").toFile()).start();
        Path ckpt = out.resolve(String.format("checkpoints/step-%08d.ckpt", step));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
        while (!Files.exists(ckpt) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(p.isAlive()).as("the run was still going when its step-%d checkpoint appeared", step).isTrue();
        p.destroyForcibly(); // SIGKILL on Unix
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out.resolve("report.json")).doesNotExist();
    }

    private static Result finish(Process p) throws IOException, InterruptedException {
        String out = new String(p.getInputStream().readAllBytes());
        return new Result(p.waitFor(), out);
    }

    record Result(int exit, String output) {}
}
