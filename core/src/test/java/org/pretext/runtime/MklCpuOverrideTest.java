package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MklCpuOverrideTest {
    /** Prints the override's status after the engine started, for the parent test to read; with "wait", then waits. */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("collect")) {
            MklCpuOverride.tryLoad();
            for (int i = 0; i < 3; i++) { // collections, each seen to happen, then time for JNA's cleaner thread
                java.lang.ref.WeakReference<Object> sentinel = new java.lang.ref.WeakReference<>(new Object());
                while (sentinel.get() != null) {
                    System.gc();
                    Thread.sleep(10);
                }
                Thread.sleep(100);
            }
            System.out.println("status=" + (java.nio.file.Files.readString(Path.of("/proc/self/maps"))
                    .contains("libpretext_mkl_override") ? "mapped" : "unloaded"));
            return;
        }
        EngineSetup.engine();
        System.out.println("status=" + MklCpuOverride.status());
        System.out.flush();
        if (args.length > 0 && args[0].equals("wait")) {
            Thread.sleep(60_000);
        }
    }

    private static String statusInChild(String... jvmArgs) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java.util.List.of(jvmArgs));
        cmd.addAll(java.util.List.of("-cp", cp, MklCpuOverrideTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.lines().filter(l -> l.startsWith("status=")).findFirst().orElse(out);
    }

    @Test
    void loadsOnLinuxX86AndPassesTheGemmCheck() throws Exception {
        String arch = System.getProperty("os.arch");
        assumeTrue(System.getProperty("os.name").contains("Linux") && (arch.equals("amd64") || arch.equals("x86_64")),
                "skipped: the override is for Linux x86-64");
        assertThat(statusInChild("-Dpretext.mklOverride=true")).isEqualTo("status=loaded");
        assertThat(statusInChild()).as("on by default").isEqualTo("status=loaded");
    }

    /**
     * Issue 17, item 11: every JVM used to leave an empty pretext-native* folder in java.io.tmpdir,
     * and a SIGKILLed one its .so as well; the library now lives in the per-user cache.
     */
    @Test
    void leavesNothingInTheTempFolderEvenWhenKilled(@TempDir Path dir) throws Exception {
        String arch = System.getProperty("os.arch");
        assumeTrue(System.getProperty("os.name").contains("Linux") && (arch.equals("amd64") || arch.equals("x86_64")),
                "skipped: the override is for Linux x86-64");
        Path tmp = java.nio.file.Files.createDirectories(dir.resolve("tmp"));
        Path cache = dir.resolve("cache");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Djava.io.tmpdir=" + tmp, "-Dpretext.cacheDir=" + cache, "-cp", cp, MklCpuOverrideTest.class.getName(),
                "wait").redirectErrorStream(true).start();
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        String line;
        do {
            line = r.readLine();
        } while (line != null && !line.startsWith("status="));
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no deleteOnExit
        p.waitFor();
        assertThat(line).isEqualTo("status=loaded");
        try (var s = java.nio.file.Files.list(tmp)) {
            assertThat(s.toList()).as("left in java.io.tmpdir").isEmpty();
        }
        try (var s = java.nio.file.Files.list(cache.resolve("native"))) {
            assertThat(s.map(f -> f.getFileName().toString()).toList()).singleElement().asString()
                    .matches("libpretext_mkl_override-[0-9a-f]{16}\\.so");
        }
    }

    /**
     * The library stays loaded through garbage collections: JNA closes a library whose handle is
     * collected, and a collection before MKL's first call used to make MKL take its AVX2 kernels, so
     * that a seed's numbers (and the step's speed) depended on the heap settings.
     */
    @Test
    void staysLoadedThroughGarbageCollections() throws Exception {
        String arch = System.getProperty("os.arch");
        assumeTrue(System.getProperty("os.name").contains("Linux") && (arch.equals("amd64") || arch.equals("x86_64")),
                "skipped: the override is for Linux x86-64");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", cp, MklCpuOverrideTest.class.getName(), "collect").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        assertThat(out.lines().filter(l -> l.startsWith("status=")).findFirst().orElse(out)).isEqualTo("status=mapped");
    }

    @Test
    void isOffWhenTheUserSaysSo() throws Exception {
        assertThat(statusInChild("-Dpretext.mklOverride=false")).isEqualTo("status=disabled");
    }
}
