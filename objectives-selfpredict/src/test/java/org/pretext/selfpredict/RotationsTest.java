package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RotationsTest {

    private static float[] rotate(float[] img, int side, int k) {
        float[] out = new float[img.length];
        Rotations.rotate(img, 0, out, 0, img.length / (side * side), side, k);
        return out;
    }

    @Test
    void rotatesCounterClockwiseByQuarterTurns() {
        // 1 2 3        3 6 9        9 8 7        7 4 1
        // 4 5 6  -90-> 2 5 8  -90-> 6 5 4  -90-> 8 5 2
        // 7 8 9        1 4 7        3 2 1        9 6 3
        float[] img = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertThat(rotate(img, 3, 0)).containsExactly(img);
        assertThat(rotate(img, 3, 1)).containsExactly(3, 6, 9, 2, 5, 8, 1, 4, 7);
        assertThat(rotate(img, 3, 2)).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1);
        assertThat(rotate(img, 3, 3)).containsExactly(7, 4, 1, 8, 5, 2, 9, 6, 3);
    }

    @Test
    void quarterTurnsComposeOnEveryChannel() {
        SplittableRandom r = new SplittableRandom(1);
        float[] img = new float[2 * 5 * 5];
        for (int i = 0; i < img.length; i++) {
            img[i] = (float) r.nextGaussian();
        }
        assertThat(rotate(rotate(img, 5, 1), 5, 3)).containsExactly(img);
        assertThat(rotate(rotate(img, 5, 1), 5, 1)).containsExactly(rotate(img, 5, 2));
        assertThat(rotate(rotate(rotate(rotate(img, 5, 1), 5, 1), 5, 1), 5, 1)).containsExactly(img);
    }
}
