package org.pretext.runner;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    private static Result finish(Process p) throws IOException, InterruptedException {
        String out = new String(p.getInputStream().readAllBytes());
        return new Result(p.waitFor(), out);
    }

    record Result(int exit, String output) {}
}
