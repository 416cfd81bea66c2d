package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import org.pretext.engine.Scalars;

/**
 * DINO's loss and the rules that move its targets (Caron et al. 2021, "Emerging Properties in
 * Self-Supervised Vision Transformers", arXiv 2104.14294, Algorithm 1, §3.1 and the reference
 * code's {@code DINOLoss}). Each of N examples gives V = 2 + L views: two global views x¹, x² at the
 * input size and L local views x³…x^V (multi-crop). The student (the encoder being trained and its
 * head) sees every view, the teacher (an EMA of the student) the global views only:
 *
 * <pre>
 *   P_s(x) = softmax( g_s(x) / τ_s )                      student, τ_s = 0.1
 *   P_t(x) = softmax( (g_t(x) − c) / τ_t )                 teacher: centred by c, sharpened by τ_t; no gradient
 *   H(a, b) = − Σ_k a_k · log b_k
 *
 *   L = 1/(N·(2V − 2)) · Σ_n Σ_{i ∈ {1,2}} Σ_{v = 1..V, v ≠ i}  H( P_t(x^i_n), P_s(x^v_n) )
 *       (every student view against every global teacher view but its own: 2V − 2 pairs per example;
 *        with no local views, V = 2: each global view against the other)
 *
 *   c ← m·c + (1 − m) · 1/(2N) · Σ_{i ∈ {1,2}, n} g_t(x^i_n)          centre, m = 0.9, c₀ = 0
 *
 *   τ_t(k) = τ_w + (τ − τ_w) · k / W  for step k &lt; W,  τ after       τ_w = 0.04, τ = 0.07,
 *            W = 30% of the run (the paper: the first 30 of 100 epochs)
 *
 *   θ_t ← λ_k·θ_t + (1 − λ_k)·θ_s,   λ_k = 1 − (1 − λ₀)·(cos(πk/K_steps) + 1)/2,  λ₀ = 0.996 → 1
 * </pre>
 *
 * The head g is an MLP to a bottleneck, ℓ2 normalisation, then K weight-normalised prototypes
 * ({@link WeightNormLinear}), which are not updated during the first epoch. Centring keeps one
 * prototype from dominating, sharpening keeps the teacher's output from going uniform: the two
 * together, not a contrast between examples, are what stops collapse. The centre moves with the
 * batch's teacher outputs after the optimizer step, as the reference code's {@code update_center}.
 *
 * <p>Implemented as one product: the student's log-probabilities of the V·N rows (views in order)
 * against a target matrix [P_t(x²); P_t(x¹); P_t(x¹) + P_t(x²) repeated L times], summed and
 * divided by N·(2V − 2).
 */
public final class DinoLoss {
    private DinoLoss() {}

    /**
     * The teacher's targets P_t: softmax((g_t − c)/τ_t) over the last axis, with no gradient.
     *
     * @param teacher teacher head outputs (2N, K) of the global views, view 1's rows then view 2's
     * @param centre the centre c (1, K)
     */
    public static NDArray teacherProbabilities(NDArray teacher, NDArray centre, double temperature) {
        return Scalars.div(teacher.sub(centre), temperature).softmax(-1).stopGradient();
    }

    /**
     * L over V = {@code student rows / N} views.
     *
     * @param student student head outputs (V·N, K): global view 1's N rows, global view 2's, then each
     *     local view's
     * @param teacherTargets {@link #teacherProbabilities} of the global views (2N, K), in the same order
     * @param studentTemperature τ_s
     */
    public static NDArray crossEntropy(NDArray student, NDArray teacherTargets, double studentTemperature) {
        long n = teacherTargets.getShape().get(0) / 2;
        long v = student.getShape().get(0) / n;
        if (n * v != student.getShape().get(0) || v < 2) {
            throw new IllegalArgumentException("the student has " + student.getShape().get(0) + " rows, not a multiple"
                    + " (at least 2) of the teacher's " + n + " examples");
        }
        NDArray first = teacherTargets.get("0:" + n);
        NDArray second = teacherTargets.get(n + ":");
        NDList targets = new NDList(second, first); // global view 1 meets the teacher's view 2, and the other way round
        if (v > 2) {
            NDArray both = first.add(second); // each local view meets both global teacher views
            for (long i = 2; i < v; i++) {
                targets.add(both);
            }
        }
        NDArray target = NDArrays.concat(targets, 0);
        NDArray logStudent = Scalars.div(student, studentTemperature).logSoftmax(-1);
        return Scalars.div(target.mul(logStudent).sum().neg(), (double) (n * (2 * v - 2)));
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
