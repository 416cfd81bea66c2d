package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.pretext.blocks.Norms;
import org.pretext.engine.Scalars;

/**
 * The MMCR loss (Yerxa, Kuang, Simoncelli and Chung 2023, "Learning Efficient Coding of Natural
 * Images with Maximum Manifold Capacity Representations"). For k views of B examples, their
 * projections z_{v,i} ∈ ℝ^d each normalised to the unit sphere, the centroid of every example's
 * views and the matrix of centroids:
 *
 * <pre>
 *   c_i = 1/k Σ_v z_{v,i} / ‖z_{v,i}‖,      C = [c_1 … c_B]ᵀ  (B × d),      Z_i = [z_{1,i} … z_{k,i}]ᵀ  (k × d)
 *   L   = −‖C‖_*  +  λ · 1/B Σ_i ‖Z_i‖_*          ‖X‖_* = Σ_j σ_j(X), the nuclear norm
 * </pre>
 *
 * The paper's loss is the first term (λ = 0): maximising the nuclear norm of the centroids pulls
 * each example's views together (a centroid's norm is largest when its views agree) and spreads the
 * centroids over many directions. The second term is lightly's {@code MMCRLoss(lmda)} (which
 * defaults to λ = 5e-3); lightly takes the views already normalised, Pretext normalises them here.
 *
 * <p><b>How the nuclear norm is computed.</b> DJL 0.35 has no SVD or eigendecomposition (the
 * PyTorch engine's {@code norm} takes an integer order only, a vector norm, so {@code 'nuc'} is not
 * reachable either). The nuclear norm's gradient is the polar factor of its argument: for
 * X = U Σ Vᵀ, ∂‖X‖_*∕∂X = U Vᵀ = W (where X has full rank; elsewhere U Vᵀ over the non-zero
 * singular values is a subgradient), and ‖X‖_* = ⟨W, X⟩. So {@link #nuclearNorm} computes W with
 * autograd off and returns Σ W ⊙ X: its value is the nuclear norm and its autograd gradient is W,
 * with no backward pass through an iteration. W comes from the Newton–Schulz iteration for the
 * polar factor, in float64, each product on the smaller side (a min(m, n)-square Gram matrix):
 *
 * <pre>
 *   W₀ = X / ‖X‖_F,     W_{t+1} = W_t (3I − W_tᵀW_t) / 2     (or (3I − W_tW_tᵀ) W_t / 2 when m &lt; n)
 * </pre>
 *
 * Every singular value s of W follows s ← s(3 − s²)/2: dividing by the Frobenius norm puts them in
 * (0, 1], from where each converges to 1 (and a zero one stays 0), so W_t → U Vᵀ. A small one grows
 * by 3/2 per iteration before it converges quadratically; the iteration stops when W moves by less
 * than {@link #TOLERANCE} = 10⁻⁹ in Frobenius norm (at most {@link #MAX_ITERATIONS} = 60). A singular
 * value s still growing moves W by s/2, so every one above 2·10⁻⁹ of ‖X‖_F, far below float32's
 * resolution of X, has converged; the last step of the converged ones moved them by less than 10⁻⁹.
 * Well spread centroids stop after about 10–15 iterations; nearly collapsed ones (singular values
 * down to 10⁻⁶ of the largest) after about 40: the count is logged. Float64 is needed: in numpy
 * trials the same iteration in float32 left gradient errors of 10⁻⁵ to 3·10⁻³ on centroids of nearly
 * collapsed views, where LAPACK's float32 SVD stays at 10⁻⁷. The iteration on X itself is used
 * rather than one for the square root of the Gram matrix (trace((XᵀX)^½), cheaper when m ≫ n):
 * rounding makes the Gram matrix of a nearly rank-deficient X slightly indefinite, and there a
 * negative eigenvalue grows by 9/4 per step until it overflows. In those trials the coupled
 * Newton–Schulz square root overflowed in float32 on nearly collapsed centroids after 25 iterations,
 * and a Gram-side polar iteration in float64 on a rank-3 256 × 128 matrix after 60; the iteration on X
 * recomputes WᵀW from W every step, so rounding is not amplified. {@code MmcrLossTest} measures the
 * value and the gradient against a Jacobi SVD in double precision.
 *
 * <p>Cost per nuclear norm of an m × n matrix, m ≥ n: 4mn² float64 operations per iteration;
 * for the centroids of 256 examples in 128 dimensions 17 MFLOP per iteration. The views' term works
 * on k × k Gram matrices, batched.
 */
public final class MmcrLoss {
    /** Newton–Schulz stops when the polar factor moves by less than this (Frobenius norm) in an iteration. */
    public static final double TOLERANCE = 1e-9;
    /** Newton–Schulz iterations at most. */
    public static final int MAX_ITERATIONS = 60;

    private MmcrLoss() {}

    /**
     * The loss and its terms.
     *
     * @param total L
     * @param centroids ‖C‖_*
     * @param views 1/B Σ_i ‖Z_i‖_*, null when λ is 0 (not computed)
     * @param iterations Newton–Schulz iterations the centroids' polar factor took
     */
    public record Terms(NDArray total, NDArray centroids, NDArray views, int iterations) {}

    /**
     * The MMCR loss of k ≥ 2 views.
     *
     * @param views projections (k, B, d), view-major: views.get(v) is every example's view v; not yet normalised
     * @param lambda λ ≥ 0, weight of the views' own nuclear norms
     */
    public static Terms compute(NDArray views, double lambda) {
        Shape s = views.getShape();
        if (s.dimension() != 3 || s.get(0) < 2) {
            throw new IllegalArgumentException("MMCR takes k >= 2 views of shape (k, B, d), got " + s);
        }
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("MMCR's lambda must be >= 0, got " + lambda);
        }
        NDArray z = Norms.unitRows(views.reshape(s.get(0) * s.get(1), s.get(2))).reshape(s);
        Iterated centroids = nuclearNormIterated(z.mean(new int[] {0}));
        NDArray perExample = lambda == 0 ? null : nuclearNorm(z.transpose(1, 0, 2)).mean();
        NDArray total = lambda == 0 ? centroids.value().neg()
                : Scalars.mul(perExample, lambda).sub(centroids.value());
        return new Terms(total, centroids.value(), perExample, centroids.iterations());
    }

    /**
     * The nuclear norm of a matrix (m, n), or of each matrix of a batch (b, m, n): a scalar, or (b).
     * Its autograd gradient is the polar factor (see the class comment).
     */
    public static NDArray nuclearNorm(NDArray x) {
        return nuclearNormIterated(x).value();
    }

    /** A nuclear norm and the Newton–Schulz iterations its polar factor took. */
    record Iterated(NDArray value, int iterations) {}

    static Iterated nuclearNormIterated(NDArray x) {
        int dims = x.getShape().dimension();
        if (dims != 2 && dims != 3) {
            throw new IllegalArgumentException("nuclear norm of a matrix (m, n) or a batch (b, m, n), got " + x.getShape());
        }
        Polar p = polar(x);
        return new Iterated(x.mul(p.factor()).sum(new int[] {dims - 2, dims - 1}), p.iterations());
    }

    /** A polar factor and the iterations it took. */
    record Polar(NDArray factor, int iterations) {}

    /**
     * The polar factor U Vᵀ of X (m, n) or of each matrix of a batch (b, m, n), without gradient,
     * returned in X's type: Newton–Schulz in float64 on the Frobenius-normalised X until it moves by
     * less than {@link #TOLERANCE} (Frobenius norm, over the whole batch) or {@link #MAX_ITERATIONS}.
     * Zero where X is zero.
     */
    static Polar polar(NDArray x) {
        int dims = x.getShape().dimension();
        long rows = x.getShape().get(dims - 2);
        long cols = x.getShape().get(dims - 1);
        boolean tall = rows >= cols; // X(3I − XᵀX)/2 with an n × n Gram matrix, else (3I − XXᵀ)X/2
        int n = (int) Math.min(rows, cols);
        int[] lastTwo = {dims - 2, dims - 1};
        NDManager m = x.getManager();
        try (NDManager scratch = m.newSubManager()) {
            NDArray detached = x.stopGradient();
            detached.attach(scratch);
            NDArray xd = detached.toType(DataType.FLOAT64, true);
            NDArray eye = m.eye(n, n, 0, DataType.FLOAT64);
            eye.attach(scratch);
            NDArray threeHalves = Scalars.mul(eye, 1.5);
            NDArray w = xd.div(Scalars.maximum(xd.square().sum(lastTwo, true).sqrt(), 1e-30));
            int t = 0;
            while (t < MAX_ITERATIONS) {
                NDArray next;
                double moved;
                try (NDManager iteration = scratch.newSubManager()) {
                    w.attach(iteration); // every array made from it below is the iteration's, freed at its end
                    NDArray gram = tall ? swap(w).matMul(w) : w.matMul(swap(w));
                    NDArray half = Scalars.mul(gram, -0.5).add(threeHalves);
                    next = tall ? w.matMul(half) : half.matMul(w);
                    moved = next.sub(w).square().sum().sqrt().getDouble();
                    next.attach(scratch);
                }
                t++;
                w = next;
                if (moved < TOLERANCE) {
                    break;
                }
            }
            NDArray out = w.toType(x.getDataType(), true);
            out.attach(m);
            return new Polar(out, t);
        }
    }

    /** Transpose of the last two axes. */
    private static NDArray swap(NDArray a) {
        return a.getShape().dimension() == 2 ? a.transpose() : a.transpose(0, 2, 1);
    }
}
