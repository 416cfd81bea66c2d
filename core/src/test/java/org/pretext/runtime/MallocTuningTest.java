package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

class MallocTuningTest {
    @Test
    void appliedWhenTheEngineStartsOnLinux() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "glibc's mallopt: Linux only");
        assumeTrue(MallocTuning.enabled(), "switched off by PRETEXT_MALLOC_TUNING=false");
        EngineSetup.engine();
        assertThat(MallocTuning.status()).isEqualTo("applied");
    }

    @Test
    void theSwitchTurnsItOff() {
        String before = System.getProperty("pretext.mallocTuning");
        try {
            System.setProperty("pretext.mallocTuning", "false");
            assertThat(MallocTuning.enabled()).isFalse();
            System.setProperty("pretext.mallocTuning", "true");
            assertThat(MallocTuning.enabled()).isTrue();
        } finally {
            if (before == null) {
                System.clearProperty("pretext.mallocTuning");
            } else {
                System.setProperty("pretext.mallocTuning", before);
            }
        }
    }

    @Test
    void theUsersOwnTunablesWinAndOursAreAdded() {
        assertThat(MallocTuning.mergedTunables(null)).isEqualTo(MallocTuning.GLIBC_TUNABLES);
        assertThat(MallocTuning.mergedTunables("glibc.malloc.arena_max=4:glibc.cpu.x86_ibt=on")).isEqualTo(
                "glibc.malloc.arena_max=4:glibc.cpu.x86_ibt=on:glibc.malloc.mmap_max=0:glibc.malloc.hugetlb=1"
                        + ":glibc.malloc.trim_threshold=2147483647");
        assertThat(MallocTuning.mergedTunables(MallocTuning.GLIBC_TUNABLES)).isSameAs(MallocTuning.GLIBC_TUNABLES);
    }

    @Test
    void aChildIsWantedOnlyWhereTheSettingsAreMissing() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "glibc: Linux only");
        assumeTrue(MallocTuning.enabled(), "switched off by PRETEXT_MALLOC_TUNING=false");
        assertThat(MallocTuning.childEnvironment(java.util.Map.of()))
                .containsEntry(MallocTuning.TUNABLES_VARIABLE, MallocTuning.GLIBC_TUNABLES);
        assertThat(MallocTuning.childEnvironment(java.util.Map.of(MallocTuning.TUNABLES_VARIABLE,
                MallocTuning.GLIBC_TUNABLES))).isEmpty();
        assertThat(MallocTuning.childEnvironment(java.util.Map.of(ChildJvm.LAUNCHER_PID, "1"))).isEmpty();
        String before = System.getProperty("pretext.mallocTuning");
        try {
            System.setProperty("pretext.mallocTuning", "false");
            assertThat(MallocTuning.childEnvironment(java.util.Map.of())).isEmpty();
        } finally {
            if (before == null) {
                System.clearProperty("pretext.mallocTuning");
            } else {
                System.setProperty("pretext.mallocTuning", before);
            }
        }
    }
}
