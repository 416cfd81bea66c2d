package org.pretext.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.Map;
import org.pretext.engine.NoGradient;
import org.pretext.engine.Scalars;

/**
 * NoisyTune (Wu, Wu, Qi, Huang and Xie, ACL 2022, arXiv 2202.12024), the uniform-noise baseline
 * PATS compares with: once, before fine-tuning, every parameter tensor W of the pretrained encoder
 * gets matrix-wise uniform noise scaled by its own spread,
 *
 * <pre>  W̃ = W + U(−λ/2, λ/2) · std(W),    λ = 0.15</pre>
 *
 * (λ = 0.15 is NoisyTune's setting as recalled; the text read here confirmed the matrix-wise,
 * std-scaled uniform form but not the value.)
 *
 * so every element of one tensor sees noise of the same distribution, whatever the task thinks
 * of it. A tensor whose elements are all equal (a LayerNorm gain of ones) has std 0 and is left as
 * it is, as in the paper's formula. The noise comes from the engine's generator, which the caller
 * seeds.
 */
public final class UniformNoise {
    private UniformNoise() {}

    /**
     * Perturbs the parameters in place.
     *
     * @param parameters the tensors to perturb (the encoder's, not the new head's)
     * @param lambda λ
     * @param scratch where temporaries go (freed by the caller)
     */
    public static void perturb(Map<String, Parameter> parameters, double lambda, NDManager scratch) {
        NoGradient.run(() -> {
            for (Parameter p : parameters.values()) {
                NDArray w = p.getArray();
                NDArray std = std(w, scratch);
                NDArray u = scratch.randomUniform(-0.5f, 0.5f, w.getShape(), w.getDataType());
                w.addi(Scalars.mul(u, lambda).muli(std));
            }
        });
    }

    /** The population standard deviation of a tensor's elements, as a scalar array in {@code scratch}. */
    static NDArray std(NDArray w, NDManager scratch) {
        NDArray mean = w.mean();
        mean.attach(scratch);
        NDArray centred = w.sub(mean);
        centred.attach(scratch);
        return centred.square().mean().sqrt();
    }
}
