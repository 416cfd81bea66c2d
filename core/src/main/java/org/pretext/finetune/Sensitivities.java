package org.pretext.finetune;

import java.util.Arrays;
import java.util.Map;

/**
 * The distribution of parameter sensitivities I_j = |θ_j·∂L/∂θ_j| of a fine-tuned encoder, the
 * quantity PATS's second finding is about (Zhang et al. 2022: the parameters of well-performing
 * models have more concentrated distributions of sensitivities).
 *
 * @param count parameters measured
 * @param mean mean sensitivity
 * @param std population standard deviation
 * @param cv coefficient of variation std/mean (lower: more concentrated)
 * @param median the median
 * @param zeros parameters with sensitivity exactly 0 (no gradient reaches them, e.g. unused embedding rows)
 * @param log10Edges bin edges of log10(I) (LOW, LOW + STEP, ..., HIGH)
 * @param counts parameters per bin, non-zero sensitivities only (values outside the range in the end bins)
 */
public record Sensitivities(long count, double mean, double std, double cv, double median, long zeros,
        double[] log10Edges, long[] counts) {
    /** The lowest bin edge, log10. */
    public static final double LOW = -14;
    /** The highest bin edge, log10. */
    public static final double HIGH = 0;
    /** The bins' width in log10 units. */
    public static final double STEP = 0.5;

    /** The distribution of all values of all tensors. */
    public static Sensitivities of(Map<String, float[]> byTensor) {
        int n = 0;
        for (float[] v : byTensor.values()) {
            n += v.length;
        }
        double[] all = new double[n];
        int k = 0;
        for (float[] v : byTensor.values()) {
            for (float f : v) {
                all[k++] = f;
            }
        }
        return of(all);
    }

    /** The distribution of the given values (each at least 0). */
    public static Sensitivities of(double[] values) {
        int bins = (int) Math.round((HIGH - LOW) / STEP);
        double[] edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) {
            edges[i] = LOW + i * STEP;
        }
        long[] counts = new long[bins];
        double sum = 0;
        long zeros = 0;
        for (double v : values) {
            sum += v;
            if (v == 0) {
                zeros++;
                continue;
            }
            int bin = (int) Math.floor((Math.log10(v) - LOW) / STEP);
            counts[Math.max(0, Math.min(bins - 1, bin))]++;
        }
        int n = values.length;
        double mean = n == 0 ? Double.NaN : sum / n;
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double std = n == 0 ? Double.NaN : Math.sqrt(ss / n);
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double median = n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Sensitivities(n, mean, std, mean > 0 ? std / mean : Double.NaN, median, zeros, edges, counts);
    }
}
