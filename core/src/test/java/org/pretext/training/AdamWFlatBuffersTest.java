package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.runtime.EngineArrays;
import org.pretext.runtime.FlatAdamWKernel;
import org.pretext.training.optimizer.AdamW;

/**
 * {@link AdamW} over flat buffers ({@link FlatAdamWKernel}) gives the weights and moments of one fused
 * kernel call per tensor: with learning-rate scales and undecayed vectors splitting the parameters
 * into groups, clipping on some steps, a parameter that has no gradient for the first steps (bound
 * anew when its gradient appears), and a checkpoint's weights and moments copied into the views in
 * the middle of the run.
 */
class AdamWFlatBuffersTest {
    @Test
    void flatBuffersUpdateAsOneCallPerTensorDoes() throws IOException {
        assertThat(FlatAdamWKernel.get()).as("the flat AdamW module loads on the PyTorch engine").isPresent();
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, Parameter> a = AdamWFusedKernelTest.model(manager);
            Map<String, Parameter> b = AdamWFusedKernelTest.model(manager);
            float[] x = AdamWFusedKernelTest.inputs(11);
            try (AdamW flat = new AdamW(0.9, 0.95, 1e-6, 0.1, false);
                    AdamW perTensor = new AdamW(0.9, 0.95, 1e-6, 0.1, false).useFlatBuffers(false)) {
                AdamWFusedKernelTest.attachWithScales(flat, a, manager);
                AdamWFusedKernelTest.attachWithScales(perTensor, b, manager);
                byte[] checkpoint = null;
                Map<String, float[]> saved = null;
                for (int t = 1; t <= 60; t++) {
                    double lr = 0.01 * (1 + Math.cos(Math.PI * t / 60)) / 2 + 1e-3;
                    double clip = t % 3 == 0 ? 0.6 : 1.0;
                    boolean withGain = t > 10; // gain has no gradient before step 11
                    AdamWFusedKernelTest.backward(manager, a, x, withGain);
                    AdamWFusedKernelTest.backward(manager, b, x, withGain);
                    flat.step(lr, clip);
                    perTensor.step(lr, clip);
                    assertThat(flat.lastUpdateFused()).isTrue();
                    if (t == 30) {
                        checkpoint = state(perTensor);
                        saved = weights(b);
                    }
                    if (t == 45) { // back to step 30 on both: into the flat views, and into plain arrays
                        restore(flat, a, checkpoint, saved);
                        restore(perTensor, b, checkpoint, saved);
                    }
                }
                assertThat(flat.updates()).isEqualTo(perTensor.updates()).isEqualTo(30 + 15);
                for (String name : a.keySet()) {
                    float[] u = a.get(name).getArray().toFloatArray();
                    float[] v = b.get(name).getArray().toFloatArray();
                    float[] start = AdamWFusedKernelTest.initial(name);
                    double moved = 0;
                    for (int i = 0; i < u.length; i++) {
                        assertThat((double) u[i]).as("%s[%d]", name, i).isCloseTo(v[i], within(1e-6 * (1 + Math.abs(v[i]))));
                        moved = Math.max(moved, Math.abs(v[i] - start[i]));
                    }
                    assertThat(moved).as("%s moved", name).isGreaterThan(0.02);
                }
                List<NDArray> sf = flat.stateArrays();
                List<NDArray> sp = perTensor.stateArrays();
                for (int k = 0; k < sf.size(); k++) {
                    float[] u = sf.get(k).toFloatArray();
                    float[] v = sp.get(k).toFloatArray();
                    for (int i = 0; i < u.length; i++) {
                        assertThat((double) u[i]).as("moment %d [%d]", k, i).isCloseTo(v[i], within(1e-5 * (1e-3 + Math.abs(v[i]))));
                    }
                }
                assertThat(a.get("w1").getArray().getGradient().abs().sum().getFloat()).isZero();
            }
        }
    }

    private static byte[] state(AdamW optimizer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            optimizer.write(out);
        }
        return bytes.toByteArray();
    }

    private static Map<String, float[]> weights(Map<String, Parameter> p) {
        Map<String, float[]> w = new java.util.LinkedHashMap<>();
        p.forEach((name, param) -> w.put(name, param.getArray().toFloatArray()));
        return w;
    }

    private static void restore(AdamW optimizer, Map<String, Parameter> p, byte[] state, Map<String, float[]> w)
            throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            optimizer.read(in);
        }
        w.forEach((name, values) -> EngineArrays.copyInto(p.get(name).getArray(), values));
    }
}
