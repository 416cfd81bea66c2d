package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ChildJvm} runs a main class in a child with the given environment and arguments, returns its
 * exit code, and its child stops when the launcher is killed outright; {@link MallocTuning#GLIBC_TUNABLES}
 * in a child keeps freed arrays above 32 MiB, and a step's memory, for reuse.
 */
class ChildJvmTest {
    /** The child's main: {@code env FILE NAME}, {@code launch FILE} or {@code wait FILE}, {@code faults FILE}. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            Path out = Path.of(args[1]);
            switch (args[0]) {
                case "env" -> {
                    Files.writeString(out, System.getenv(args[2]) + " " + String.join(",", List.of(args)));
                    System.exit(7);
                }
                case "launch" -> System.exit(ChildJvm.run(ChildJvm.command(List.of(),
                        System.getProperty("java.class.path"), Probe.class.getName(), List.of("wait", args[1])), Map.of()));
                case "wait" -> {
                    ChildJvm.stopWithLauncher();
                    Files.writeString(out, Long.toString(ProcessHandle.current().pid()));
                    Thread.sleep(120_000);
                }
                case "faults" -> Files.writeString(out, Long.toString(faultsOfLargeArrays()));
                case "kept" -> Files.writeString(out, residentAfterAStep());
                default -> throw new IllegalArgumentException(args[0]);
            }
        }

        /** Minor page faults of 10 rounds of making, filling and freeing a 64 MiB engine array, after 3 rounds. */
        static long faultsOfLargeArrays() throws Exception {
            EngineSetup.engine();
            long before = 0;
            try (NDManager m = NDManager.newBaseManager()) {
                for (int i = 0; i < 13; i++) {
                    if (i == 3) {
                        before = minorFaults();
                    }
                    try (NDManager step = m.newSubManager()) {
                        NDArray a = step.ones(new Shape(16L << 20)); // 64 MiB of float32
                        a.muli(2f);
                    }
                }
            }
            return minorFaults() - before;
        }

        /**
         * Resident memory (MiB) with 384 MiB taken from malloc and written, and after its free, in three
         * rounds: a step's arrays, freed at its end (more than the 256 MiB glibc kept before trimming until
         * 2026-12-07). The highest peak and the lowest "after" of the rounds: glibc trims only when the
         * freed block borders the heap's top, which another thread's allocation in between can prevent.
         */
        static String residentAfterAStep() throws Exception {
            EngineSetup.engine(); // MallocTuning's mallopt settings, as in every Pretext process
            long size = 384L << 20;
            long peak = 0;
            long after = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                long address = com.sun.jna.Native.malloc(size);
                new com.sun.jna.Pointer(address).setMemory(0, size, (byte) 1);
                peak = Math.max(peak, residentMib());
                com.sun.jna.Native.free(address);
                after = Math.min(after, residentMib());
            }
            return peak + " " + after;
        }

        private static long residentMib() throws Exception {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
                }
            }
            throw new IllegalStateException("no VmRSS in /proc/self/status");
        }

        private static long minorFaults() throws Exception {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[7]); // minflt, the 10th field of stat
        }
    }

    private static List<String> probe(String... args) {
        return ChildJvm.command(List.of("-Xmx256m"), System.getProperty("java.class.path"), Probe.class.getName(),
                List.of(args));
    }

    @Test
    void theChildGetsTheEnvironmentAndArgumentsAndItsExitCodeComesBack(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("env.txt");
        int code = ChildJvm.run(probe("env", out.toString(), "PRETEXT_TEST_VALUE"), Map.of("PRETEXT_TEST_VALUE", "x y"));
        assertThat(code).isEqualTo(7);
        assertThat(Files.readString(out)).isEqualTo("x y env," + out + ",PRETEXT_TEST_VALUE");
    }

    @Test
    void aChildWhoseLauncherIsKilledOutrightStops(@TempDir Path tmp) throws Exception {
        Path pidFile = tmp.resolve("pid.txt");
        Process launcher = new ProcessBuilder(probe("launch", pidFile.toString())).inheritIO().start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(pidFile) && !Files.readString(pidFile).isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(pidFile).exists();
        ProcessHandle child = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).orElseThrow();
        launcher.destroyForcibly().waitFor();
        boolean stopped = child.onExit().thenApply(h -> true).completeOnTimeout(false, 30, TimeUnit.SECONDS).get();
        if (!stopped) {
            child.destroyForcibly();
        }
        assertThat(stopped).as("the orphaned child stopped by itself").isTrue();
    }

    @Test
    void theStartUpSettingsKeepFreedLargeArraysForReuse(@TempDir Path tmp) throws Exception {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "glibc: Linux only");
        assumeTrue(!MallocTuning.childEnvironment(Map.of()).isEmpty(), "needs glibc and the lever on");
        List<Long> faults = new ArrayList<>();
        for (String tunables : new String[] {"", MallocTuning.GLIBC_TUNABLES}) {
            Path out = tmp.resolve("faults" + faults.size() + ".txt");
            assertThat(ChildJvm.run(probe("faults", out.toString()), Map.of(MallocTuning.TUNABLES_VARIABLE, tunables)))
                    .isZero();
            faults.add(Long.parseLong(Files.readString(out).trim()));
        }
        // without: every 64 MiB array is mapped anew, 16,384 pages each time; with: the heap's pages are reused
        assertThat(faults.get(0)).as("faults without the settings").isGreaterThan(100_000);
        assertThat(faults.get(1)).as("faults with them").isLessThan(5_000);
    }

    /**
     * A step's memory stays in the heap after the step for the next one to reuse: with the settings
     * the pages of 384 MiB freed stay resident; with glibc trimming above 256 MiB (the value until
     * 2026-12-07: the SimCLR CNN step then faulted up to 176 MiB of huge pages in again per step, and the
     * kernel zeroed them) they go back to the kernel.
     */
    @Test
    void theStartUpSettingsKeepAStepsFreedMemoryForTheNextStep(@TempDir Path tmp) throws Exception {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "glibc: Linux only");
        assumeTrue(!MallocTuning.childEnvironment(Map.of()).isEmpty(), "needs glibc and the lever on");
        String trimmingAt256 = MallocTuning.GLIBC_TUNABLES.replaceAll("trim_threshold=[0-9]+", "trim_threshold="
                + (256 << 20));
        long[][] resident = new long[2][];
        String[][] variants = {{"-Dpretext.mallocTuning=false", trimmingAt256}, {"-Dpretext.mallocTuning=true",
                MallocTuning.GLIBC_TUNABLES}};
        for (int v = 0; v < 2; v++) {
            Path out = tmp.resolve("kept" + v + ".txt");
            List<String> command = ChildJvm.command(List.of("-Xmx256m", "-Xint", variants[v][0]), // no JIT threads
                    System.getProperty("java.class.path"), Probe.class.getName(), List.of("kept", out.toString()));
            assertThat(ChildJvm.run(command, Map.of(MallocTuning.TUNABLES_VARIABLE, variants[v][1]))).isZero();
            resident[v] = java.util.Arrays.stream(Files.readString(out).trim().split(" ")).mapToLong(Long::parseLong)
                    .toArray();
        }
        assertThat(resident[0][1]).as("MiB resident after the step when trimming above 256 MiB (peak %s)",
                resident[0][0]).isLessThan(resident[0][0] - 300);
        assertThat(resident[1][1]).as("MiB resident after the step with the settings (peak %s)", resident[1][0])
                .isGreaterThan(resident[1][0] - 32);
    }

    @Test
    void optionsFromTheEnvironmentAreNotRepeatedAndADebuggerKeepsTheWorkHere() {
        List<String> input = List.of("-Xmx2g", "-Dfoo=1", "-agentlib:jdwp=transport=dt_socket,server=y,address=5005");
        assertThat(ChildJvm.ownOptions(input, Map.of("JAVA_TOOL_OPTIONS",
                " -agentlib:jdwp=transport=dt_socket,server=y,address=5005  -Dfoo=1 "))).containsExactly("-Xmx2g");
        assertThat(ChildJvm.ownOptions(List.of("-Xmx2g", "-Dfoo=1"), Map.of())).containsExactly("-Xmx2g", "-Dfoo=1");
        // a debugger's agent stays with this JVM, from the command line as from the environment
        assertThat(ChildJvm.ownOptions(input, Map.of())).containsExactly("-Xmx2g", "-Dfoo=1");
        assertThat(ChildJvm.ownOptions(List.of("-Xmx2g", "-Xrunjdwp:transport=dt_socket"), Map.of()))
                .containsExactly("-Xmx2g");
        assertThat(ChildJvm.hasDebuggerAgent(input)).isTrue();
        assertThat(ChildJvm.hasDebuggerAgent(List.of("-Xmx2g", "-XX:StartFlightRecording=filename=a.jfr"))).isFalse();
    }
}
