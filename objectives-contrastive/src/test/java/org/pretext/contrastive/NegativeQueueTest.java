package org.pretext.contrastive;

import org.pretext.blocks.NegativeQueue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;

class NegativeQueueTest {

    @Test
    void startsWithUnitVectors() {
        try (NDManager m = NDManager.newBaseManager()) {
            NegativeQueue q = new NegativeQueue(m, 5, 3, 1);
            float[] v = q.keys().toFloatArray();
            for (int i = 0; i < 5; i++) {
                double n = 0;
                for (int k = 0; k < 3; k++) {
                    n += v[i * 3 + k] * v[i * 3 + k];
                }
                assertThat(n).isCloseTo(1, within(1e-6));
            }
        }
    }

    @Test
    void replacesTheOldestKeysAndWrapsAround() {
        try (NDManager m = NDManager.newBaseManager()) {
            NegativeQueue q = new NegativeQueue(m, 5, 1, 1);
            float[] initial = q.keys().toFloatArray();
            q.enqueue(m.create(new float[] {10, 11, 12}, new Shape(3, 1)));
            assertThat(q.position()).isEqualTo(3);
            assertThat(q.keys().toFloatArray()).containsExactly(10, 11, 12, initial[3], initial[4]);
            q.enqueue(m.create(new float[] {20, 21, 22}, new Shape(3, 1)));
            // two go to the end, the third wraps to the front, replacing the oldest (10)
            assertThat(q.position()).isEqualTo(1);
            assertThat(q.keys().toFloatArray()).containsExactly(22, 11, 12, 20, 21);
        }
    }

    @Test
    void refusesABatchLargerThanTheQueue() {
        try (NDManager m = NDManager.newBaseManager()) {
            NegativeQueue q = new NegativeQueue(m, 2, 1, 1);
            assertThatThrownBy(() -> q.enqueue(m.create(new float[] {1, 2, 3}, new Shape(3, 1))))
                    .isInstanceOf(PretextException.class)
                    .hasMessageContaining("holds 2 keys but a batch brings 3")
                    .hasMessageContaining("queue-size >= the batch size");
        }
    }

    @Test
    void survivesAWriteAndReadWithItsPosition() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            NegativeQueue a = new NegativeQueue(m, 4, 2, 1);
            a.enqueue(m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(3, 2)));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.write(new DataOutputStream(bytes));
            NegativeQueue b = new NegativeQueue(m, 4, 2, 99);
            b.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), "test");
            assertThat(b.keys().toFloatArray()).containsExactly(a.keys().toFloatArray());
            assertThat(b.position()).isEqualTo(3);
            NegativeQueue other = new NegativeQueue(m, 8, 2, 1);
            assertThatThrownBy(() -> other.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
                    "ckpt")).hasMessageContaining("ckpt holds a queue of 4 keys of width 2")
                    .hasMessageContaining("queue-size 8");
        }
    }
}
