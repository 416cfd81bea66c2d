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
}
