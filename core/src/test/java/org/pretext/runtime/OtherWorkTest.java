package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OtherWorkTest {

    @Test
    void readsTheMachinesTicksAndThisProcesssOwn() {
        // cpu user nice system idle iowait irq softirq steal guest guest_nice
        String stat = "cpu  5000 700 300 9000 40 0 15 100 0 0\ncpu0 2500 350 150 4500 20 0 7 50 0 0\n";
        // the command name may hold spaces and parentheses; utime and stime are fields 14 and 15
        String self = "4242 (java (worker) 1) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 30 0";
        OtherWork.Sample s = OtherWork.parse(stat, self);
        assertThat(s.machineBusy()).isEqualTo(5000 + 300 + 0 + 15 + 100); // niced work is left out
        assertThat(s.machineTotal()).isEqualTo(5415 + 700 + 9000 + 40);
        assertThat(s.own()).isEqualTo(300);
    }

    @Test
    void usageIsBusyTimeOverTheWindowLessThisProcesssOwn() {
        OtherWork.Sample a = new OtherWork.Sample(1000, 2000, 100);
        OtherWork.Sample b = new OtherWork.Sample(1300, 2400, 250);
        // 400 ticks on 2 cores: this process 150 (0.75 cores), others 300 - 150 (0.75 cores)
        OtherWork.Usage u = OtherWork.usage(a, b, 2).orElseThrow();
        assertThat(u.own()).isCloseTo(0.75, within(1e-12));
        assertThat(u.others()).isCloseTo(0.75, within(1e-12));
        // under a tenth of a second on each core says nothing
        assertThat(OtherWork.usage(a, new OtherWork.Sample(1010, 2019, 105), 2)).isEmpty();
    }

    @Test
    void warnsWhenOtherWorkTookMostOfWhatThisRunLeft() {
        assertThat(OtherWork.warning(new OtherWork.Usage(0.8, 1.1), 2)).hasValue("the machine is busy (other"
                + " processes kept 0.8 of 2 cores busy while the engine started, this run 1.1): the engine's threads"
                + " share the cores with other work; if steps are slow, try --threads 1");
        assertThat(OtherWork.warning(new OtherWork.Usage(0.6, 1.1), 2)).isEmpty(); // 0.6 of the 0.9 left
        assertThat(OtherWork.warning(new OtherWork.Usage(0.1, 0.9), 2)).isEmpty(); // a quiet machine
        assertThat(OtherWork.warning(new OtherWork.Usage(0.3, 1.8), 2)).isEmpty(); // too little left to judge
        assertThat(OtherWork.warning(new OtherWork.Usage(47.5, 1.0), 64)).isPresent();
    }

    @Test
    void processesSpinningOnEveryCoreMakeTheMachineBusy() throws Exception {
        if (!Files.isReadable(Path.of("/proc/stat"))) {
            System.err.println("skipped: no /proc/stat on this system");
            return;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        List<Process> spinners = new ArrayList<>();
        try {
            for (int i = 0; i < cores; i++) {
                spinners.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
            }
            Thread.sleep(200);
            OtherWork.Window w = OtherWork.start();
            Thread.sleep(600); // this process idle: the other processes have the cores
            Optional<OtherWork.Usage> u = w.usage();
            assertThat(u).isPresent();
            assertThat(u.get().others()).isGreaterThan(0.75 * cores);
            assertThat(u.get().own()).isLessThan(0.25);
            assertThat(w.busyMachineWarning()).hasValueSatisfying(m -> assertThat(m).startsWith("the machine is busy"));
        } finally {
            spinners.forEach(Process::destroyForcibly);
        }
    }
}
