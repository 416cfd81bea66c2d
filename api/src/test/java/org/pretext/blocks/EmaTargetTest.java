package org.pretext.blocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.engine.Engines;

class EmaTargetTest {

    private static Block linear(NDManager m, int out) {
        Block b = Linear.builder().setUnits(out).build();
        b.initialize(m, DataType.FLOAT32, new Shape(1, 3));
        return b;
    }

    private static float[] values(Block b) {
        float[] w = b.getParameters().get("weight").getArray().toFloatArray();
        float[] bias = b.getParameters().get("bias").getArray().toFloatArray();
        float[] all = new float[w.length + bias.length];
        System.arraycopy(w, 0, all, 0, w.length);
        System.arraycopy(bias, 0, all, w.length, bias.length);
        return all;
    }

    @Test
    void startsAsACopyFrozenAndMovesByTheMomentumFormula() {
        Engines.engine().setRandomSeed(1);
        try (NDManager m = NDManager.newBaseManager()) {
            Block online = linear(m, 2);
            Block target = linear(m, 2);
            EmaTarget ema = new EmaTarget();
            ema.track("head", online, target);
            assertThat(values(target)).containsExactly(values(online));
            for (Parameter p : ema.parameters().values()) {
                assertThat(p.requiresGradient()).isFalse();
                assertThat(p.getArray().hasGradient()).isFalse();
            }
            float[] xi = values(target);
            // the online weights move: θ ← θ + 1 (weights) and bias set to (3, -1)
            online.getParameters().get("weight").getArray().addi(1f);
            online.getParameters().get("bias").getArray().set(new float[] {3, -1});
            float[] theta = values(online);
            ema.update(0.9);
            float[] moved = values(target);
            for (int i = 0; i < moved.length; i++) {
                assertThat(moved[i]).isCloseTo(0.9f * xi[i] + 0.1f * theta[i], within(1e-6f));
            }
            ema.update(0);
            assertThat(values(target)).containsExactly(theta);
        }
    }

    @Test
    void survivesAWriteAndReadExactly() throws IOException {
        Engines.engine().setRandomSeed(2);
        try (NDManager m = NDManager.newBaseManager()) {
            EmaTarget a = new EmaTarget();
            Block onlineA = linear(m, 2);
            Block targetA = linear(m, 2);
            a.track("head", onlineA, targetA);
            onlineA.getParameters().get("weight").getArray().muli(3f);
            a.update(0.5);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.write(new DataOutputStream(bytes));

            EmaTarget b = new EmaTarget();
            Block targetB = linear(m, 2);
            b.track("head", linear(m, 2), targetB);
            b.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), "test");
            assertThat(values(targetB)).containsExactly(values(targetA));
        }
    }

    @Test
    void refusesADifferentArchitecture() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> new EmaTarget().track("head", linear(m, 2), linear(m, 3)))
                    .isInstanceOf(PretextException.class)
                    .hasMessageContaining("EMA target 'head' parameter")
                    .hasMessageContaining("has shape (3, 3)");
        }
    }

    @Test
    void byolMomentumRisesFromItsBaseToOneAlongACosine() {
        MomentumSchedule s = MomentumSchedule.cosine(0.996);
        assertThat(s.at(0, 100)).isCloseTo(0.996, within(1e-12));
        // k = K/2: 1 - 0.004·(cos(π/2) + 1)/2 = 0.998
        assertThat(s.at(50, 100)).isCloseTo(0.998, within(1e-12));
        // k = K/4: 1 - 0.004·(√2/2 + 1)/2
        assertThat(s.at(25, 100)).isCloseTo(1 - 0.004 * (Math.sqrt(2) / 2 + 1) / 2, within(1e-12));
        assertThat(s.at(100, 100)).isCloseTo(1.0, within(1e-12));
        assertThat(MomentumSchedule.constant(0.99).at(70, 100)).isEqualTo(0.99);
        List.of(0L, 10L, 99L).forEach(k -> assertThat(s.at(k + 1, 100)).isGreaterThan(s.at(k, 100)));
    }
}
