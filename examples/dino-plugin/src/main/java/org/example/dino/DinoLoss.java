package org.example.dino;

import ai.djl.ndarray.NDArray;
import org.pretext.engine.Scalars;

/**
 * DINO's loss and the two rules that move its targets (Caron et al. 2021, "Emerging Properties in
 * Self-Supervised Vision Transformers", arXiv 2104.14294, Algorithm 1 and §3.1). For N examples,
 * each in two augmented views x¹, x², with student head outputs g_s and teacher head outputs g_t
 * (K prototype scores per view):
 *
 * <pre>
 *   P_s(x) = softmax( g_s(x) / τ_s )                      student, τ_s = 0.1
 *   P_t(x) = softmax( (g_t(x) − c) / τ_t )                 teacher: centred by c, sharpened by τ_t; no gradient
 *   H(a, b) = − Σ_k a_k · log b_k
 *
 *   L = 1/(2N) · Σ_n [ H(P_t(x¹_n), P_s(x²_n)) + H(P_t(x²_n), P_s(x¹_n)) ]
 *       (each student view against the other view's teacher output; paper: mean over the pairs)
 *
 *   c ← m·c + (1 − m) · 1/(2N) · Σ_{both views, n} g_t(x)            centre, m = 0.9, c₀ = 0
 *
 *   τ_t(k) = τ_w + (τ − τ_w) · k / W  for step k &lt; W,  τ after       τ_w = 0.04, τ = 0.07,
 *            W = 30% of the run (the paper warms up over the first 30 of 100 epochs)
 *
 *   θ_t ← λ_k·θ_t + (1 − λ_k)·θ_s,   λ_k = 1 − (1 − λ₀)·(cos(πk/K_steps) + 1)/2,  λ₀ = 0.996 → 1
 * </pre>
 *
 * Centring keeps one prototype from dominating, sharpening keeps the teacher's output from going
 * uniform: the two together, not a contrast between examples, are what stops collapse. The centre
 * is updated with the teacher outputs of the batch after the optimizer step (the objective's
 * {@code afterUpdate}), as DINO's {@code update_center} does after the loss. Other defaults of the
 * paper's ViT-S/16 recipe: K = 65,536 prototypes (1,024 here, for a CPU), the last layer frozen for
 * the first epoch, 2 global crops plus 10 local crops (2 global views here; multi-crop is not done).
 *
 * <p>Every constant on the gradient path goes through {@link Scalars}; the loss needs none but
 * the temperatures.
 */
public final class DinoLoss {
    private DinoLoss() {}

    /**
     * The teacher's targets P_t: softmax((g_t − c)/τ_t) over the last axis, with no gradient.
     *
     * @param teacher teacher head outputs (2N, K)
     * @param centre the centre c (1, K)
     */
    public static NDArray teacherProbabilities(NDArray teacher, NDArray centre, double temperature) {
        return Scalars.div(teacher.sub(centre), temperature).softmax(-1).stopGradient();
    }

    /**
     * L: the mean over the 2N rows of the cross-entropy between each student row and the teacher's
     * target for the other view of the same example.
     *
     * @param student student head outputs (2N, K): view 1's N rows, then view 2's
     * @param teacherTargets {@link #teacherProbabilities} of the teacher outputs, in the same order
     * @param studentTemperature τ_s
     */
    public static NDArray crossEntropy(NDArray student, NDArray teacherTargets, double studentTemperature) {
        long n = student.getShape().get(0) / 2;
        // row n of view 1 meets the teacher's row n of view 2, and the other way round
        NDArray swapped = teacherTargets.get(n + ":").concat(teacherTargets.get("0:" + n), 0);
        NDArray logStudent = Scalars.div(student, studentTemperature).logSoftmax(-1);
        return swapped.mul(logStudent).sum(new int[] {1}).mean().neg();
    }

    /** The batch's contribution to the centre: the mean of the teacher outputs over all rows, (1, K). */
    public static NDArray batchCentre(NDArray teacher) {
        return teacher.mean(new int[] {0}, true);
    }

    /**
     * c ← m·c + (1 − m)·batchCentre, in place (call it with autograd off, e.g. inside
     * {@code NoGradient.run}). Creates no array that outlives the call in {@code centre}'s manager.
     */
    public static void updateCentre(NDArray centre, NDArray batchCentre, double momentum) {
        try (NDArray m = Scalars.constant(centre, momentum)) {
            centre.muli(m).addi(Scalars.mul(batchCentre, 1 - momentum));
        }
    }

    /** τ_t at step {@code k} of {@code total}: linear from {@code warmup} to {@code last} over the first {@code fraction} of the run. */
    public static double teacherTemperature(long k, long total, double warmup, double last, double fraction) {
        double w = fraction * total;
        return k >= w ? last : warmup + (last - warmup) * k / w;
    }
}
