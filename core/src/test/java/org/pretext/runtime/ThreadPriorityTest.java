package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ThreadPriorityTest {
    static int niceOfCurrentThread() {
        return ThreadPriority.niceOfCurrentThread().orElseThrow();
    }

    @Test
    void lowersTheCallingThreadOnlyToNice19() throws Exception {
        assumeThat(ThreadPriority.niceOfCurrentThread()).as("skipped: not Linux (no /proc/thread-self/stat)")
                .isPresent();
        int before = niceOfCurrentThread();
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                int start = niceOfCurrentThread();
                boolean lowered = ThreadPriority.lowerCurrentThread();
                seen.set(new int[] {start, lowered ? 1 : 0, niceOfCurrentThread()});
            } catch (Exception e) {
                seen.set(e);
            }
        });
        t.start();
        t.join();
        assertThat(seen.get()).isInstanceOf(int[].class);
        int[] r = (int[]) seen.get();
        assertThat(r[0]).as("a new thread starts at its creator's nice value").isEqualTo(before);
        assertThat(r[1]).as("lowered").isEqualTo(1);
        assertThat(r[2]).isEqualTo(ThreadPriority.BACKGROUND_NICE);
        assertThat(niceOfCurrentThread()).as("the calling thread of the test, untouched").isEqualTo(before);
    }
}
