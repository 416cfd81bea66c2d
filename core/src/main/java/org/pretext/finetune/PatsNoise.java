package org.pretext.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pretext.engine.NoGradient;
import org.pretext.engine.Scalars;
import org.pretext.runtime.EngineArrays;

/**
 * PATS, "Perturbation According To Sensitivity" (Zhang, Zhang, Wang, Wu and Li, EMNLP 2022, arXiv
 * 2210.12403): during fine-tuning, Gaussian noise on every parameter of the pretrained encoder,
 * larger for the parameters the task is less sensitive to, so that parameters that contribute little
 * are pushed to contribute while the sensitive ones are hardly disturbed.
 *
 * <p>Each step, for every element j of every encoder tensor W:
 *
 * <pre>
 *   I_j(t) = | θ_j(t) · ∂L/∂θ_j(t) |                       (1) sensitivity
 *   Ī_j(t) = β · Ī_j(t−1) + (1 − β) · I_j(t),  Ī_j(0) = 0   (2) smoothed over steps
 *   r_j    = Ī_j / max_{k ∈ W} Ī_k                        (3) relative sensitivity within W, in [0, 1]
 *   σ_j    = λ · (η_t / η_max) · std(W) · (1 − r_j)         (4) noise scale, decreasing in r_j
 *   θ_j   ← θ_j + σ_j · ε_j,   ε_j ~ N(0, 1)               (5) after the optimizer's update
 * </pre>
 *
 * Where each piece comes from:
 * <ul>
 *   <li>(1) is the paper's sensitivity: the magnitude of the first-order Taylor estimate of the change
 *       of the loss when θ_j is set to zero (the importance score of Molchanov et al. 2017/2019 that the
 *       paper takes, as SAGE, Liang et al. 2022, does), computed on each step's mini-batch gradient;
 *   <li>(2) the paper smooths sensitivities over steps with an exponential moving average; <b>β = 0.85 is
 *       this implementation's reading</b> (the smoothing constant of SAGE, which the paper compares
 *       with), since the paper's own value could not be read here;
 *   <li>(3)–(5) implement the paper's rule "bigger noise for parameters with lower sensitivity and vice
 *       versa" with Gaussian noise. <b>The exact mapping from sensitivity to noise scale is this
 *       implementation's reading</b>, not the paper's formula, which could not be read here: the
 *       sensitivity is normalised within each tensor (so tensors of different kinds are treated
 *       alike, as NoisyTune's matrix-wise scale does), the scale is in units of the tensor's standard
 *       deviation (NoisyTune's unit), the most sensitive element of a tensor gets none, and the scale
 *       follows the learning-rate schedule so the model ends without fresh noise. <b>λ = 0.01 per step
 *       is also a reading</b>: with a cosine schedule over T steps the accumulated noise has a standard
 *       deviation of about λ·std(W)·√(3T/8), about 0.2·std(W) for T = 1,000, the order of NoisyTune's
 *       one-off 0.15·std(W)/√12.
 * </ul>
 * Sensitivities are measured on the encoder's trainable parameters; the new head gets no noise. The
 * smoothed sensitivities Ī are the state saved with checkpoints. Every temporary a step makes belongs to
 * the caller's scratch manager; Ī lives in the owner's manager and is updated in place.
 */
public final class PatsNoise {
    private final double lambda;
    private final double beta;
    private final Map<String, Parameter> parameters;
    private final Map<String, NDArray> smoothed = new LinkedHashMap<>();

    /**
     * @param lambda λ, the largest per-step noise in standard deviations of a tensor
     * @param beta β, the smoothing of sensitivities over steps
     * @param parameters the encoder's trainable parameters, by name
     * @param owner where the smoothed sensitivities live (the model's manager)
     */
    public PatsNoise(double lambda, double beta, Map<String, Parameter> parameters, NDManager owner) {
        this.lambda = lambda;
        this.beta = beta;
        this.parameters = new LinkedHashMap<>(parameters);
        parameters.forEach((k, p) -> smoothed.put(k, owner.zeros(p.getArray().getShape(), p.getArray().getDataType())));
    }

    /** I = |θ · g| element-wise, in {@code scratch}. */
    public static NDArray sensitivity(NDArray theta, NDArray gradient, NDManager scratch) {
        NDArray product = theta.mul(gradient); // belongs to theta's manager until attached
        product.attach(scratch);
        return product.abs();
    }

    /**
     * Folds this step's sensitivities into Ī (2); call after the backward pass, before the optimizer
     * update zeroes the gradients.
     */
    public void observe(NDManager scratch) {
        NoGradient.run(() -> {
            for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
                NDArray w = e.getValue().getArray();
                NDArray g = w.getGradient();
                g.attach(scratch);
                NDArray s = sensitivity(w, g, scratch);
                smoothed.get(e.getKey()).muli(beta).addi(Scalars.mul(s, 1 - beta));
            }
        });
    }

    /**
     * σ of (4) for one tensor, in {@code scratch}.
     *
     * @param rateFraction η_t / η_max
     */
    public NDArray scales(String name, double rateFraction, NDManager scratch) {
        NDArray w = parameters.get(name).getArray();
        NDArray ibar = smoothed.get(name);
        NDArray max = ibar.max();
        max.attach(scratch);
        NDArray r = ibar.div(Scalars.maximum(max, Float.MIN_NORMAL));
        r.attach(scratch);
        NDArray std = UniformNoise.std(w, scratch);
        return Scalars.mul(r.neg().add(1f).muli(std), lambda * rateFraction);
    }

    /** Adds the noise (5) to every tensor in place; the engine's generator, seeded by the caller, draws ε. */
    public void perturb(double rateFraction, NDManager scratch) {
        if (lambda == 0 || rateFraction <= 0) {
            return;
        }
        NoGradient.run(() -> {
            for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
                NDArray w = e.getValue().getArray();
                NDArray eps = scratch.randomNormal(w.getShape(), w.getDataType());
                w.addi(scales(e.getKey(), rateFraction, scratch).muli(eps));
            }
        });
    }

    /** Ī of one tensor, copied to the host. */
    public float[] smoothed(String name) {
        return smoothed.get(name).toFloatArray();
    }

    /** Writes Ī. */
    void write(DataOutputStream out) throws IOException {
        out.writeInt(smoothed.size());
        for (Map.Entry<String, NDArray> e : smoothed.entrySet()) {
            out.writeUTF(e.getKey());
            float[] v = e.getValue().toFloatArray();
            out.writeInt(v.length);
            for (float f : v) {
                out.writeFloat(f);
            }
        }
    }

    /** Reads what {@link #write} wrote, into the same tensors. */
    void read(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n != smoothed.size()) {
            throw new IOException("PATS state holds " + n + " tensors; the encoder has " + smoothed.size());
        }
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            NDArray target = smoothed.get(name);
            int len = in.readInt();
            if (target == null || target.getShape().size() != len) {
                throw new IOException("PATS state for '" + name + "' (" + len + " values) does not fit the encoder");
            }
            float[] v = new float[len];
            for (int j = 0; j < len; j++) {
                v[j] = in.readFloat();
            }
            EngineArrays.copyInto(target, v);
        }
    }
}
