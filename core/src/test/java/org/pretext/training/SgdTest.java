package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.training.optimizer.AdamW;
import org.pretext.training.optimizer.Sgd;

class SgdTest {
    @Test
    void twoStepsFollowTheFormulaAndTheStateRoundTrips() throws Exception {
        // f(w) = Σ w², ∇f = 2w; w ← w − η·λ·w − η·s·∇w
        double lr = 0.1;
        double wd = 0.05;
        double scale = 0.5;
        double[] w = {1.0, -2.0, 0.5};
        try (NDManager manager = NDManager.newBaseManager(); Sgd opt = new Sgd(wd, true)) {
            Parameter p = weight(manager);
            p.getArray().set(new float[] {1f, -2f, 0.5f});
            opt.attach(Map.of("w", p), manager);
            for (int t = 1; t <= 2; t++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = p.getArray().square().sum();
                    gc.backward(loss);
                }
                opt.step(lr, scale);
                for (int i = 0; i < 3; i++) {
                    double g = 2 * w[i];
                    w[i] = w[i] - lr * wd * w[i] - lr * scale * g;
                }
                float[] got = p.getArray().toFloatArray();
                for (int i = 0; i < 3; i++) {
                    assertThat((double) got[i]).as("w[%d] after step %d", i, t).isCloseTo(w[i], within(1e-6));
                }
            }
            assertThat(p.getArray().getGradient().abs().sum().getFloat()).isZero();
            assertThat(opt.stateArrays()).isEmpty();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            opt.write(new DataOutputStream(bytes));
            assertThat((long) bytes.size()).isEqualTo(opt.stateBytes());
            try (Sgd again = new Sgd(wd, true); AdamW adam = new AdamW(0.9, 0.999, 1e-8, 0)) {
                again.attach(Map.of("w", p), manager);
                again.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
                assertThat(again.updates()).isEqualTo(2);
                adam.attach(Map.of("w", p), manager);
                assertThatThrownBy(() -> adam.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
                        .isInstanceOf(PretextException.class).hasMessageContaining("written by sgd")
                        .hasMessageContaining("training.optimizer: sgd");
            }
        }
    }

    private static Parameter weight(NDManager manager) {
        Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
        p.setShape(new Shape(1, 3));
        p.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32);
        return p;
    }
}
