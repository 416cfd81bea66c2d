package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;

class OpenMpWaitingTest {
    @Test
    void libgompIsToldToSleepBeforeTheEngineLoadsIt() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "setenv through libc: Linux only");
        assumeTrue(System.getenv("OMP_WAIT_POLICY") == null && System.getenv("GOMP_SPINCOUNT") == null,
                "the environment sets the OpenMP wait policy itself");
        assumeTrue(System.getProperty("pretext.ompWait") == null && System.getenv("PRETEXT_OMP_WAIT") == null,
                "another policy is chosen for this run");
        EngineSetup.engine();
        assertThat(OpenMpWaiting.status()).isEqualTo("passive");
        Function getenv = NativeLibrary.getInstance("c").getFunction("getenv");
        Pointer value = (Pointer) getenv.invoke(Pointer.class, new Object[] {"OMP_WAIT_POLICY"});
        assertThat(value.getString(0)).isEqualTo("PASSIVE");
    }

    @Test
    void anUnknownPolicyIsNamedWithTheChoices() {
        String before = System.getProperty("pretext.ompWait");
        try {
            System.setProperty("pretext.ompWait", "sometimes");
            assertThatThrownBy(OpenMpWaiting::chosen).isInstanceOf(PretextException.class)
                    .hasMessage("Invalid OpenMP wait policy 'sometimes' (pretext.ompWait or PRETEXT_OMP_WAIT): expected"
                            + " passive, short, active or library");
            System.setProperty("pretext.ompWait", "Active");
            assertThat(OpenMpWaiting.chosen()).isEqualTo("active");
        } finally {
            if (before == null) {
                System.clearProperty("pretext.ompWait");
            } else {
                System.setProperty("pretext.ompWait", before);
            }
        }
    }
}
