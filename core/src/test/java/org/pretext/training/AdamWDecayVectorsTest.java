package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.training.optimizer.AdamW;

class AdamWDecayVectorsTest {
    @Test
    void decaysMatricesOnlyWhenAskedTo() {
        // zero gradient: Adam moves nothing, so a step is the decoupled decay alone, w ← (1 − ηλ)w = 0.95·w
        for (boolean decayVectors : new boolean[] {true, false}) {
            try (NDManager manager = NDManager.newBaseManager();
                    AdamW opt = new AdamW(0.9, 0.999, 1e-8, 0.5, decayVectors)) {
                Parameter matrix = param(manager, "m", new Shape(2, 2), 2f);
                Parameter vector = param(manager, "v", new Shape(3), 2f);
                Map<String, Parameter> ps = new LinkedHashMap<>();
                ps.put("m", matrix);
                ps.put("v", vector);
                opt.attach(ps, manager);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(org.pretext.engine.Scalars.mul(matrix.getArray().sum().add(vector.getArray().sum()), 0));
                }
                opt.step(0.1, 1.0);
                assertThat(matrix.getArray().toFloatArray()).containsOnly(1.9f);
                float expected = decayVectors ? 1.9f : 2f;
                for (float x : vector.getArray().toFloatArray()) {
                    assertThat(x).isCloseTo(expected, within(1e-6f));
                }
            }
        }
    }

    private static Parameter param(NDManager manager, String name, Shape shape, float value) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
                .optInitializer(new ai.djl.training.initializer.ConstantInitializer(0f)).build();
        p.setShape(shape);
        p.initialize(manager, DataType.FLOAT32);
        p.getArray().subi(p.getArray()).addi(value);
        return p;
    }
}
