package org.pretext.runtime;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class in a child JVM that does the work while this one waits: for what a running process
 * cannot give itself (glibc's allocator settings, read only when a process starts; Spark's jars on the
 * class path). The child gets this JVM's java binary and options (e.g. {@code -Xmx}), the given class
 * path, extra options and environment, and this process's standard streams; its exit code becomes this
 * process's. A flight recording asked for on this JVM's command line is the child's alone. When this JVM
 * is stopped (Ctrl-C, {@code kill}), it stops the child and waits for it to finish (a checkpoint being
 * written); a child whose launcher dies without that (a {@code kill -9}) stops itself
 * ({@link #stopWithLauncher}).
 */
public final class ChildJvm {
    /** Set in the child's environment to the launcher's process id. */
    public static final String LAUNCHER_PID = "PRETEXT_LAUNCHER_PID";
    /** How long a stopped launcher waits for its child to finish. */
    private static final long STOP_WAIT_SECONDS = 60;

    private ChildJvm() {}

    /**
     * The command that runs {@code mainClass} with {@code args} in a JVM like this one.
     *
     * @param extraOptions JVM options placed before this JVM's own (which can override them)
     * @param classPath the child's class path
     */
    public static List<String> command(List<String> extraOptions, String classPath, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(extraOptions);
        cmd.addAll(ownOptions(ManagementFactory.getRuntimeMXBean().getInputArguments(), System.getenv()));
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /**
     * This JVM's options less those that came from {@code JAVA_TOOL_OPTIONS} or {@code JDK_JAVA_OPTIONS}
     * (the child inherits those variables and would otherwise get such options twice: two flight
     * recordings into one file) and less a debugger's agent (its port is this JVM's, so a child given
     * it would not start; command lines that can keep their work here do, {@link #debuggerAgent}).
     */
    static List<String> ownOptions(List<String> inputArguments, Map<String, String> environment) {
        java.util.Set<String> fromEnvironment = new java.util.HashSet<>();
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            String value = environment.get(variable);
            if (value != null && !value.isBlank()) {
                fromEnvironment.addAll(List.of(value.trim().split("\\s+")));
            }
        }
        return inputArguments.stream().filter(o -> !fromEnvironment.contains(o) && !isDebuggerAgent(o)).toList();
    }

    /**
     * Whether this JVM runs a debugger's agent (JDWP): then a command line keeps its work here, where the
     * debugger is attached, rather than in a child.
     */
    public static boolean debuggerAgent() {
        return hasDebuggerAgent(ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    static boolean hasDebuggerAgent(List<String> inputArguments) {
        return inputArguments.stream().anyMatch(ChildJvm::isDebuggerAgent);
    }

    private static boolean isDebuggerAgent(String option) {
        return option.startsWith("-agentlib:jdwp") || option.startsWith("-Xrunjdwp")
                || option.startsWith("-agentpath:") && option.contains("jdwp");
    }

    /**
     * Starts {@code command} with this process's standard streams and the extra environment, and
     * returns its exit code once it ends.
     */
    public static int run(List<String> command, Map<String, String> environment) throws java.io.IOException,
            InterruptedException {
        if (command.stream().anyMatch(o -> o.startsWith("-XX:StartFlightRecording"))) {
            leaveRecordingsToTheChild();
        }
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().putAll(environment);
        pb.environment().put(LAUNCHER_PID, Long.toString(ProcessHandle.current().pid()));
        Process p = pb.start();
        Thread stop = new Thread(() -> {
            p.destroy();
            try {
                p.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pretext-stop-child");
        Runtime.getRuntime().addShutdownHook(stop);
        int code = p.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException e) {
            // already shutting down: the hook waits for the child, which has ended
        }
        return code;
    }

    /**
     * In a child started by {@link #run}: ends this JVM (through its shutdown hooks, exit code 143) once
     * the launcher's process has gone, so a launcher killed outright leaves no training behind. Does
     * nothing in a process that no launcher started.
     */
    public static void stopWithLauncher() {
        String pid = System.getenv(LAUNCHER_PID);
        if (pid == null) {
            return;
        }
        long launcher;
        try {
            launcher = Long.parseLong(pid.trim());
        } catch (NumberFormatException e) {
            return;
        }
        boolean isParent = ProcessHandle.current().parent().map(h -> h.pid() == launcher).orElse(false);
        if (!isParent) {
            return; // the variable was inherited from further up (a child of the child): not ours to watch
        }
        ProcessHandle.of(launcher).ifPresentOrElse(h -> h.onExit().thenRun(ChildJvm::launcherGone),
                ChildJvm::launcherGone);
    }

    private static void launcherGone() {
        System.err.println("pretext: the launching process has ended; stopping");
        new Thread(() -> System.exit(143), "pretext-launcher-gone").start();
    }

    /**
     * A flight recording asked for on this JVM's command line ({@code -XX:StartFlightRecording=filename=...})
     * goes to the child with the other options, since the child does the work; this JVM's own recording
     * would write the same file at exit, over the child's, so it writes nothing.
     */
    private static void leaveRecordingsToTheChild() {
        try {
            for (jdk.jfr.Recording r : jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings()) {
                r.setDumpOnExit(false);
                r.setDestination(null);
            }
        } catch (RuntimeException | java.io.IOException | LinkageError e) {
            System.err.println("warning: this launcher's flight recording may overwrite the child's: " + e);
        }
    }
}
