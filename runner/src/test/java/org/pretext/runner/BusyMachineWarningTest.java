package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner warns when other processes keep the cores busy while its engine loads (OtherWork). */
class BusyMachineWarningTest {

    @Test
    void aRunBesideProcessesSpinningOnEveryCoreWarnsAndSaysWhatToTry(@TempDir Path work) throws Exception {
        if (!Files.isReadable(Path.of("/proc/stat"))) {
            System.err.println("skipped: no /proc/stat on this system");
            return;
        }
        List<Process> spinners = new ArrayList<>();
        try {
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                spinners.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
            }
            Processes.Result r = Processes.run(work, null, "pretrain", "--steps", "2", "--out",
                    work.resolve("run").toString());
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("warning: the machine is busy (other processes kept ")
                    .contains("busy while the engine started").contains("try --threads 1");
        } finally {
            spinners.forEach(Process::destroyForcibly);
        }
    }
}
