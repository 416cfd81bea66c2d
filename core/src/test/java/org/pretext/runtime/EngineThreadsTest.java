package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EngineThreadsTest {
    @Test
    void aThreadsCountIsItsOwnAndIsRestoredOnClose() throws Exception {
        EngineSetup.engine();
        int mine = EngineThreads.current();
        int theirs = mine == 1 ? 2 : 1;
        AtomicInteger seenThere = new AtomicInteger();
        AtomicInteger seenHereMeanwhile = new AtomicInteger();
        AtomicInteger afterClose = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch set = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            try (NDManager m = NDManager.newBaseManager()) {
                try (EngineThreads t = EngineThreads.set(theirs)) {
                    NDArray a = m.randomUniform(0, 1, new Shape(256, 256));
                    a.matMul(a).toFloatArray(); // engine work under the thread's own count
                    seenThere.set(EngineThreads.current());
                    set.countDown();
                    checked.await();
                }
                afterClose.set(EngineThreads.current());
            } catch (Throwable e) {
                failure.set(e);
                set.countDown();
            }
        });
        other.start();
        set.await();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomUniform(0, 1, new Shape(256, 256));
            a.matMul(a).toFloatArray();
            seenHereMeanwhile.set(EngineThreads.current());
        }
        checked.countDown();
        other.join();
        assertThat(failure.get()).isNull();
        assertThat(seenThere.get()).isEqualTo(theirs);
        assertThat(seenHereMeanwhile.get()).as("this thread's count while the other holds its own").isEqualTo(mine);
        assertThat(afterClose.get()).isEqualTo(mine);
        assertThat(EngineThreads.current()).isEqualTo(mine);
    }

    @Test
    void zeroLeavesTheCountAsItIs() {
        EngineSetup.engine();
        int before = EngineThreads.current();
        try (EngineThreads t = EngineThreads.set(0)) {
            assertThat(EngineThreads.current()).isEqualTo(before);
        }
        assertThat(EngineThreads.current()).isEqualTo(before);
    }
}
