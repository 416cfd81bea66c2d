package org.pretext.encoders.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.pretext.engine.HostArrays;

/**
 * Bicubic interpolation of a grid of position embeddings to another grid, as DINO's
 * {@code interpolate_pos_encoding} does for its local crops (there with PyTorch's
 * {@code F.interpolate(mode='bicubic')}). Here it is a fixed linear map of the table: for a table E
 * of the G_r × G_c grid, row-major (G_r·G_c, D), the embeddings of the g_r × g_c grid are
 *
 * <pre>
 *   E' = (A_r ⊗ A_c) · E,      A (g × G): A[i, j] = Σ_{k=-1..2} w_k(t_i) · [clamp(⌊s_i⌋ + k, 0, G−1) = j]
 *   s_i = (i + ½)·G/g − ½,  t_i = s_i − ⌊s_i⌋          (half-pixel centres: align_corners=False)
 *   w_{-1}(t) = W(t + 1), w_0(t) = W(t), w_1(t) = W(1 − t), w_2(t) = W(2 − t),
 *   W(x) = (a+2)|x|³ − (a+3)|x|² + 1 for |x| ≤ 1,  a|x|³ − 5a|x|² + 8a|x| − 4a for 1 < |x| < 2,  a = −0.75
 * </pre>
 *
 * which is PyTorch's bicubic kernel and border rule (indices clamped to the edge) with the output size
 * given; DINO passes a scale factor nudged by 0.1 instead, which moves the sample points by a few
 * hundredths of a cell. Each row of A sums to 1, and A is the identity when g = G.
 */
public final class PositionInterpolation {
    private static final double A = -0.75;
    private static final Map<String, float[]> CACHE = new ConcurrentHashMap<>();

    private PositionInterpolation() {}

    /** The 1-D bicubic weights A (to × from), row-major. */
    public static double[] axis(int from, int to) {
        double[] a = new double[to * from];
        double scale = (double) from / to;
        for (int i = 0; i < to; i++) {
            double s = (i + 0.5) * scale - 0.5;
            int base = (int) Math.floor(s);
            double t = s - base;
            double[] w = {cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)};
            for (int k = 0; k < 4; k++) {
                int j = Math.max(0, Math.min(from - 1, base - 1 + k));
                a[i * from + j] += w[k];
            }
        }
        return a;
    }

    /** (g_r·g_c × G_r·G_c) = kron(A_r, A_c), float32, row-major. */
    public static float[] values(int fromRows, int fromCols, int toRows, int toCols) {
        return CACHE.computeIfAbsent(fromRows + "x" + fromCols + ">" + toRows + "x" + toCols, k -> {
            double[] ar = axis(fromRows, toRows);
            double[] ac = axis(fromCols, toCols);
            int n = fromRows * fromCols;
            float[] m = new float[toRows * toCols * n];
            for (int i = 0; i < toRows; i++) {
                for (int j = 0; j < toCols; j++) {
                    int row = (i * toCols + j) * n;
                    for (int r = 0; r < fromRows; r++) {
                        double wr = ar[i * fromRows + r];
                        if (wr == 0) {
                            continue;
                        }
                        for (int c = 0; c < fromCols; c++) {
                            m[row + r * fromCols + c] = (float) (wr * ac[j * fromCols + c]);
                        }
                    }
                }
            }
            return m;
        });
    }

    /** The interpolation matrix as a float32 array of {@code manager} (the step's: it is a constant). */
    public static NDArray matrix(NDManager manager, int fromRows, int fromCols, int toRows, int toCols) {
        return HostArrays.floats(manager, values(fromRows, fromCols, toRows, toCols),
                new Shape((long) toRows * toCols, (long) fromRows * fromCols));
    }

    private static double cubic1(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    private static double cubic2(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
}
