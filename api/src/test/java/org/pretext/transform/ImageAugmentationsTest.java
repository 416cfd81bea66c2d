package org.pretext.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The invariants of each colour-image transform of SimCLR's recipe. */
class ImageAugmentationsTest {
    private static final int C = 3;
    private static final int H = 12;
    private static final int W = 10;
    private static final int PLANE = H * W;

    /** A random image in [0, 1]. */
    static float[] image(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[C * PLANE];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    static float[] run(Augmentation a, float[] x, long seed) {
        float[] out = new float[x.length];
        a.apply(x, out, new SplittableRandom(seed));
        return out;
    }

    static void assertInUnitRange(float[] x) {
        for (float v : x) {
            assertThat(v).isBetween(0f, 1f);
        }
    }

    /** Every transform, with its strongest settings. */
    static List<ImageAugmentation> all() {
        return List.of(new RandomResizedCrop(C, H, W, 0.08, 1, 0.75, 4.0 / 3), new HorizontalFlip(C, H, W, 0.5),
                ColourJitter.simclr(C, H, W, 2.0, 1.0), new RandomGreyscale(C, H, W, 0.5),
                new GaussianBlur(C, H, W, 1.0, 0.1, 2.0, 5));
    }

    @Test
    void sameSeedSameOutputInRangeAndInPlaceEqualsOutOfPlace() {
        for (ImageAugmentation a : all()) {
            boolean differs = false;
            for (long s = 0; s < 20; s++) {
                float[] x = image(100 + s);
                float[] one = run(a, x, s);
                assertThat(run(a, x, s)).as(a.name()).containsExactly(one);
                assertInUnitRange(one);
                float[] inPlace = x.clone();
                a.apply(inPlace, inPlace, new SplittableRandom(s));
                assertThat(inPlace).as(a.name() + " in place").containsExactly(one);
                differs |= !java.util.Arrays.equals(one, run(a, x, s + 1000));
            }
            assertThat(differs).as(a.name() + " depends on the seed").isTrue();
        }
    }

    @Test
    void flipTwiceIsIdentityAndMirrorsColumns() {
        HorizontalFlip f = new HorizontalFlip(C, H, W, 1.0);
        float[] x = image(1);
        float[] once = run(f, x, 0);
        assertThat(run(f, once, 0)).containsExactly(x);
        // channel 2, row 3, column 1 lands in column W - 2
        assertThat(once[2 * PLANE + 3 * W + (W - 2)]).isEqualTo(x[2 * PLANE + 3 * W + 1]);
        assertThat(run(new HorizontalFlip(C, H, W, 0.0), x, 0)).containsExactly(x);
        // about half of the draws flip at p = 0.5
        int flipped = 0;
        for (long s = 0; s < 400; s++) {
            if (!java.util.Arrays.equals(run(new HorizontalFlip(C, H, W, 0.5), x, s), x)) {
                flipped++;
            }
        }
        assertThat(flipped).isBetween(160, 240);
    }

    @Test
    void greyscaleGivesEqualChannelsOfTheLuma() {
        float[] x = image(2);
        float[] g = run(new RandomGreyscale(C, H, W, 1.0), x, 0);
        for (int p = 0; p < PLANE; p++) {
            float luma = 0.299f * x[p] + 0.587f * x[PLANE + p] + 0.114f * x[2 * PLANE + p];
            assertThat(g[p]).isEqualTo(luma, within(1e-6f));
            assertThat(g[PLANE + p]).isEqualTo(g[p]);
            assertThat(g[2 * PLANE + p]).isEqualTo(g[p]);
        }
        assertThat(run(new RandomGreyscale(C, H, W, 0.0), x, 0)).containsExactly(x);
        float[] one = java.util.Arrays.copyOf(x, PLANE);
        assertThat(run(new RandomGreyscale(1, H, W, 1.0), one, 0)).containsExactly(one);
    }

    @Test
    void jitterOfZeroStrengthIsIdentity() {
        float[] x = image(3);
        for (long s = 0; s < 10; s++) {
            assertThat(run(new ColourJitter(C, H, W, 0, 0, 0, 0, 1.0), x, s)).containsExactly(x);
            assertThat(run(ColourJitter.simclr(C, H, W, 1.0, 0.0), x, s)).containsExactly(x);
        }
    }

    @Test
    void eachJitterTermFollowsItsFormula() {
        ColourJitter j = new ColourJitter(C, H, W, 0, 0, 0, 0, 1);
        // brightness: x * f, clamped
        float[] x = image(4);
        float[] b = x.clone();
        j.brightness(b, 1.5f);
        for (int i = 0; i < x.length; i++) {
            assertThat(b[i]).isEqualTo(Math.min(1f, x[i] * 1.5f));
        }
        // contrast keeps the mean grey level when nothing clamps (factor < 1 shrinks towards it)
        float[] c = x.clone();
        j.contrast(c, 0.5f);
        assertThat(meanGrey(c)).isCloseTo(meanGrey(x), within(1e-5));
        // saturation 0 is greyscale
        float[] s = x.clone();
        j.saturation(s, 0f);
        assertThat(s).containsExactly(run(new RandomGreyscale(C, H, W, 1.0), x, 0));
        // hue: a third of a turn sends pure red to pure green, and a whole turn changes nothing
        float[] red = new float[C * PLANE];
        java.util.Arrays.fill(red, 0, PLANE, 1f);
        float[] h = red.clone();
        j.hue(h, 1.0 / 3);
        assertThat(h[0]).isZero();
        assertThat(h[PLANE]).isEqualTo(1f, within(1e-6f));
        assertThat(h[2 * PLANE]).isZero();
        float[] turn = x.clone();
        j.hue(turn, 1.0);
        for (int i = 0; i < x.length; i++) {
            assertThat(turn[i]).isEqualTo(x[i], within(1e-5f));
        }
    }

    private static double meanGrey(float[] x) {
        double sum = 0;
        for (int p = 0; p < PLANE; p++) {
            sum += 0.299 * x[p] + 0.587 * x[PLANE + p] + 0.114 * x[2 * PLANE + p];
        }
        return sum / PLANE;
    }

    @Test
    void blurKeepsConstantsAndIsSymmetric() {
        GaussianBlur g = new GaussianBlur(C, H, W, 1.0, 0.5, 2.0, 5);
        float[] flat = new float[C * PLANE];
        java.util.Arrays.fill(flat, 0.625f);
        for (float v : run(g, flat, 7)) {
            assertThat(v).isEqualTo(0.625f, within(1e-6f));
        }
        float[] dot = new float[C * PLANE];
        dot[5 * W + 5] = 1f;
        float[] out = run(g, dot, 7);
        assertThat(out[5 * W + 5]).isLessThan(1f).isGreaterThan(out[5 * W + 4]);
        assertThat(out[5 * W + 4]).isEqualTo(out[5 * W + 6], within(1e-7f));
        assertThat(out[4 * W + 5]).isEqualTo(out[6 * W + 5], within(1e-7f));
        assertThat(out[4 * W + 5]).isEqualTo(out[5 * W + 4], within(1e-7f));
        float[] kernel = GaussianBlur.kernel(5, 1.0);
        float sum = 0;
        for (float k : kernel) {
            sum += k;
        }
        assertThat(sum).isEqualTo(1f, within(1e-6f));
        assertThat(GaussianBlur.simclr(C, 32, 32, 0.5).kernelSize()).isEqualTo(3);
        assertThat(GaussianBlur.simclr(C, 224, 224, 0.5).kernelSize()).isEqualTo(23);
    }

    @Test
    void cropOfTheWholeImageIsIdentityAndBoxesStayInside() {
        float[] x = image(5);
        RandomResizedCrop whole = new RandomResizedCrop(C, H, H, 1, 1, 1, 1);
        float[] sq = java.util.Arrays.copyOf(x, C * H * H);
        assertThat(run(whole, sq, 3)).containsExactly(sq);
        RandomResizedCrop crop = RandomResizedCrop.simclr(C, H, W, 0.08);
        for (long s = 0; s < 500; s++) {
            int[] b = crop.box(new SplittableRandom(s));
            assertThat(b[0]).isBetween(0, H - b[2]);
            assertThat(b[1]).isBetween(0, W - b[3]);
            assertThat(b[2]).isBetween(1, H);
            assertThat(b[3]).isBetween(1, W);
        }
        // a crop of the left half of a left-black / right-white image is all black
        float[] halves = new float[C * PLANE];
        for (int c = 0; c < C; c++) {
            for (int y = 0; y < H; y++) {
                for (int u = W / 2; u < W; u++) {
                    halves[c * PLANE + y * W + u] = 1f;
                }
            }
        }
        float[] out = new float[halves.length];
        crop.resize(halves, out, 0, 0, H, W / 2);
        for (float v : out) {
            assertThat(v).isZero();
        }
    }

    @Test
    void simclrRecipeStaysInRangeAndIsSeeded() {
        NaturalImageAugmentation a = new NaturalImageAugmentation(C, H, W, 0.08, 0.5, 1.0, 0.8, 0.2, 0.5);
        assertThat(a.chain().describe()).isEqualTo(
                "random-resized-crop > horizontal-flip > colour-jitter > random-greyscale > gaussian-blur");
        for (long s = 0; s < 50; s++) {
            float[] x = image(s);
            float[] out = run(a, x, s);
            assertInUnitRange(out);
            assertThat(run(a, x, s)).containsExactly(out);
        }
    }
}
