package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.blocks.EmaTarget;
import org.pretext.engine.Engines;

/**
 * {@link ForeachEma} gives bit for bit what three engine ops per tensor give (ξ − θ, times m, plus θ),
 * over 20 updates of tensors of several shapes, and {@link EmaTarget} uses it on PyTorch.
 */
class ForeachEmaTest {
    private static final Shape[] SHAPES = {new Shape(7), new Shape(3, 5), new Shape(4, 2, 3, 3), new Shape(1)};

    @Test
    void equalsTheEngineOpsBitForBit() {
        EngineSetup.engine();
        ForeachEma ema = ForeachEma.get().orElseThrow();
        try (NDManager m = NDManager.newBaseManager()) {
            SplittableRandom r = new SplittableRandom(3);
            List<NDArray[]> fused = new ArrayList<>();
            List<NDArray[]> ops = new ArrayList<>();
            for (Shape s : SHAPES) {
                float[] online = random(r, (int) s.size());
                float[] target = random(r, (int) s.size());
                fused.add(new NDArray[] {m.create(online, s), m.create(target, s)});
                ops.add(new NDArray[] {m.create(online, s), m.create(target, s)});
            }
            assertThat(ForeachEma.accepts(fused)).isTrue();
            for (int step = 0; step < 20; step++) {
                float momentum = (float) (0.9 + 0.005 * step);
                for (int i = 0; i < SHAPES.length; i++) { // the online weights move, as training moves them
                    float[] delta = random(r, (int) SHAPES[i].size());
                    fused.get(i)[0].addi(m.create(delta, SHAPES[i]));
                    ops.get(i)[0].addi(m.create(delta, SHAPES[i]));
                }
                ema.update(fused, momentum);
                for (NDArray[] p : ops) {
                    p[1].subi(p[0]).muli(momentum).addi(p[0]);
                }
            }
            for (int i = 0; i < SHAPES.length; i++) {
                assertThat(fused.get(i)[1].toFloatArray()).as("target %d", i).containsExactly(ops.get(i)[1].toFloatArray());
                assertThat(fused.get(i)[1].toFloatArray()).as("target %d moved", i)
                        .isNotEqualTo(fused.get(i)[0].toFloatArray());
            }
        }
    }

    @Test
    void theBridgeRunsItAndDeclinesWhatItCannotTake() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray online = m.create(new float[] {1f, 2f});
            NDArray target = m.create(new float[] {3f, 5f});
            assertThat(Engines.bridge().momentumUpdate(List.<NDArray[]>of(new NDArray[] {online, target}), 0.5f)).isTrue();
            assertThat(target.toFloatArray()).containsExactly(2f, 3.5f);
            NDArray doubles = m.create(new double[] {1, 2});
            assertThat(ForeachEma.accepts(List.<NDArray[]>of(new NDArray[] {doubles, doubles.toType(DataType.FLOAT64, true)})))
                    .isFalse();
            assertThat(Engines.bridge().momentumUpdate(List.of(), 0.5f)).isFalse();
        }
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
