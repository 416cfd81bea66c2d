package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

/** Host copies land in libtorch's own 64-byte-aligned memory, and copyInto keeps the target's storage. */
class EngineArraysTest {
    private static long address(NDArray a) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(((PtNDArray) a).toByteBuffer(true)));
    }

    @Test
    void copiesAreAlignedAndHoldTheValues() {
        EngineSetup.engine();
        try (NDManager m = NDManager.newBaseManager()) {
            for (int n = 1000; n < 1010; n++) { // sizes that leave Java buffers at varying alignments
                float[] v = new float[n];
                v[0] = 1.5f;
                v[n - 1] = -2f;
                NDArray a = EngineArrays.floats(m, v, new Shape(n));
                assertThat(address(a) % 64).isZero();
                assertThat(a.toFloatArray()).containsExactly(v);
                NDArray i = EngineArrays.ints(m, new int[] {n, 7}, new Shape(2));
                assertThat(address(i) % 64).isZero();
                assertThat(i.toIntArray()).containsExactly(n, 7);
            }
        }
    }

    @Test
    void everyTypeKeepsItsValuesAndAWrongLengthIsNamed() {
        EngineSetup.engine();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray l = EngineArrays.longs(m, new long[] {1L << 40, -3}, new Shape(2));
            assertThat(address(l) % 64).isZero();
            assertThat(l.toLongArray()).containsExactly(1L << 40, -3);
            NDArray d = EngineArrays.doubles(m, new double[] {0.1, -2.5, 1e300}, new Shape(3, 1));
            assertThat(d.getShape()).isEqualTo(new Shape(3, 1));
            assertThat(d.toDoubleArray()).containsExactly(0.1, -2.5, 1e300);
            assertThat(EngineArrays.floats(m, new float[0], new Shape(0, 4)).getShape()).isEqualTo(new Shape(0, 4));
            assertThatThrownBy(() -> EngineArrays.floats(m, new float[5], new Shape(2, 3)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2, 3)")
                    .hasMessageContaining("6").hasMessageContaining("5");
        }
    }

    @Test
    void copyIntoOverwritesInPlaceEvenAParameterThatRequiresAGradient() {
        EngineSetup.engine();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.zeros(new Shape(2, 3));
            w.setRequiresGradient(true);
            long before = address(w);
            EngineArrays.copyInto(w, new float[] {1, 2, 3, 4, 5, 6});
            assertThat(address(w)).isEqualTo(before);
            assertThat(w.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
            NDArray scalar = m.zeros(new Shape());
            EngineArrays.copyInto(scalar, new float[] {9});
            assertThat(scalar.getFloat()).isEqualTo(9f);
        }
    }
}
