package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MklCpuOverrideTest {
    /** Prints the override's status after the engine started, for the parent test to read. */
    public static void main(String[] args) {
        EngineSetup.engine();
        System.out.println("status=" + MklCpuOverride.status());
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

    @Test
    void isOffWhenTheUserSaysSo() throws Exception {
        assertThat(statusInChild("-Dpretext.mklOverride=false")).isEqualTo("status=disabled");
    }
}
