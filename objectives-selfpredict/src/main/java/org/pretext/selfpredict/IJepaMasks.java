package org.pretext.selfpredict;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.pretext.encoder.Patches;

/**
 * I-JEPA's multi-block masking (Assran et al. 2023, §3 and the authors' {@code MaskCollator}) on a
 * rows × cols grid of patch tokens. For a batch:
 *
 * <ol>
 *   <li>one target block size is drawn for the whole batch: scale s ~ U(target scale range),
 *       aspect ratio a with log a ~ U(log range), area k = ⌊s·rows·cols⌋, height round(√(k·a)),
 *       width round(√(k/a)), each cut to at most rows − 1 (cols − 1) as in the collator and raised
 *       to at least 1; one context block size likewise from the context scale range with a = 1;
 *   <li>per image, M target blocks are placed uniformly at random (they may overlap each other);
 *       the context block is placed uniformly at random and every target patch is removed from it,
 *       so context and targets are disjoint; a context that keeps no more than {@code minKeep}
 *       patches is placed again (after 20 failures the image's target blocks are drawn again too:
 *       the collator instead drops the constraints one by one, which lets context and targets
 *       overlap; here they never do);
 *   <li>every index list is in row-major order and is cut to the shortest of its kind in the batch
 *       (the context lists to the shortest context, all target lists to the shortest target
 *       block), as the collator does, so the batch has one shape.
 * </ol>
 *
 * A block's top-left corner is drawn from every position where it fits, 0…rows − h (the collator's
 * {@code randint(0, height − h)} excludes the last one).
 *
 * @param rows grid rows
 * @param cols grid columns
 * @param targets M, target blocks per image
 * @param targetScaleMin lower end of the target scale range (I-JEPA: 0.15)
 * @param targetScaleMax upper end (I-JEPA: 0.2)
 * @param aspectMin lower end of the target aspect-ratio range (I-JEPA: 0.75)
 * @param aspectMax upper end (I-JEPA: 1.5)
 * @param contextScaleMin lower end of the context scale range (I-JEPA: 0.85)
 * @param contextScaleMax upper end (I-JEPA: 1.0)
 * @param minKeep a context must keep more than this many patches (I-JEPA: 10 of 196; the collator
 *     checks target blocks against it too, which at the paper's block sizes always pass)
 */
public record IJepaMasks(int rows, int cols, int targets, double targetScaleMin, double targetScaleMax,
        double aspectMin, double aspectMax, double contextScaleMin, double contextScaleMax, int minKeep) {
    private static final int TIMEOUT = 20;
    private static final int MAX_ATTEMPTS = 10_000;

    public IJepaMasks {
        if (rows < 2 || cols < 2) {
            throw new IllegalArgumentException("a grid of " + rows + "x" + cols + " patches is too small for a context"
                    + " and target blocks: expected at least 2x2");
        }
        if (targets < 1) {
            throw new IllegalArgumentException("expected at least one target block, got " + targets);
        }
        check("target scale", targetScaleMin, targetScaleMax, 0, 1);
        check("context scale", contextScaleMin, contextScaleMax, 0, 1);
        check("aspect ratio", aspectMin, aspectMax, 0, Double.MAX_VALUE);
        if (minKeep < 0) {
            throw new IllegalArgumentException("min-keep must be at least 0, got " + minKeep);
        }
    }

    private static void check(String what, double lo, double hi, double min, double max) {
        if (!(lo > min && lo <= hi && hi <= max)) {
            throw new IllegalArgumentException(what + " range [" + lo + ", " + hi + "] must satisfy " + min
                    + " < lower ≤ upper ≤ " + max);
        }
    }

    /** Patches in the grid. */
    public int patchCount() {
        return rows * cols;
    }

    /**
     * One batch's masks.
     *
     * @param context (B·K) context patch indices, K per image, row-major within each image
     * @param contextCount K
     * @param target (B·M·T) target patch indices, T per block, M blocks per image
     * @param targetCount T
     */
    public record Draw(int[] context, int contextCount, int[] target, int targetCount) {}

    /** Height and width of a block drawn with scale and log-uniform aspect ratio, as the collator's {@code _sample_block_size}. */
    int[] blockSize(SplittableRandom random, double scaleMin, double scaleMax, double aspMin, double aspMax) {
        double s = scaleMin + random.nextDouble() * (scaleMax - scaleMin);
        int keep = (int) (rows * cols * s);
        double a = Math.exp(Math.log(aspMin) + random.nextDouble() * (Math.log(aspMax) - Math.log(aspMin)));
        int h = (int) Math.round(Math.sqrt(keep * a));
        int w = (int) Math.round(Math.sqrt(keep / a));
        h = Math.max(1, Math.min(h, rows - 1));
        w = Math.max(1, Math.min(w, cols - 1));
        return new int[] {h, w};
    }

    private boolean[] place(SplittableRandom random, int h, int w) {
        boolean[] m = new boolean[rows * cols];
        int top = random.nextInt(rows - h + 1);
        int left = random.nextInt(cols - w + 1);
        for (int r = top; r < top + h; r++) {
            for (int c = left; c < left + w; c++) {
                m[r * cols + c] = true;
            }
        }
        return m;
    }

    private static int[] indices(boolean[] m) {
        int n = 0;
        for (boolean b : m) {
            n += b ? 1 : 0;
        }
        int[] out = new int[n];
        int j = 0;
        for (int i = 0; i < m.length; i++) {
            if (m[i]) {
                out[j++] = i;
            }
        }
        return out;
    }

    /** The masks of a batch of {@code batch} images. */
    public Draw draw(int batch, SplittableRandom random) {
        int[] t = blockSize(random, targetScaleMin, targetScaleMax, aspectMin, aspectMax);
        int[] c = blockSize(random, contextScaleMin, contextScaleMax, 1, 1);
        List<int[]> contexts = new ArrayList<>(batch);
        List<int[][]> blocks = new ArrayList<>(batch);
        int minContext = Integer.MAX_VALUE;
        int minTarget = Integer.MAX_VALUE;
        for (int i = 0; i < batch; i++) {
            int[] context = null;
            int[][] image = new int[targets][];
            for (int attempt = 0; context == null; attempt++) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw new IllegalStateException("no context block of " + c[0] + "x" + c[1] + " patches keeps more"
                            + " than min-keep = " + minKeep + " patches outside " + targets + " target blocks of " + t[0]
                            + "x" + t[1] + " on a " + rows + "x" + cols + " grid: lower min-keep or num-targets");
                }
                boolean[] covered = new boolean[rows * cols];
                for (int j = 0; j < targets; j++) {
                    boolean[] b = place(random, t[0], t[1]);
                    image[j] = indices(b);
                    for (int k = 0; k < b.length; k++) {
                        covered[k] |= b[k];
                    }
                }
                for (int tries = 0; tries < TIMEOUT && context == null; tries++) {
                    boolean[] b = place(random, c[0], c[1]);
                    for (int k = 0; k < b.length; k++) {
                        b[k] &= !covered[k];
                    }
                    int[] kept = indices(b);
                    if (kept.length > minKeep && kept.length > 0) {
                        context = kept;
                    }
                }
            }
            contexts.add(context);
            blocks.add(image);
            minContext = Math.min(minContext, context.length);
            for (int[] b : image) {
                minTarget = Math.min(minTarget, b.length);
            }
        }
        int[] context = new int[batch * minContext];
        int[] target = new int[batch * targets * minTarget];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(contexts.get(i), 0, context, i * minContext, minContext);
            for (int j = 0; j < targets; j++) {
                System.arraycopy(blocks.get(i)[j], 0, target, (i * targets + j) * minTarget, minTarget);
            }
        }
        return new Draw(context, minContext, target, minTarget);
    }
}
