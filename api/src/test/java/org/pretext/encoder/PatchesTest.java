package org.pretext.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PatchesTest {

    @Test
    void cutsRowMajorPatchesWithValuesInRowColumnChannelOrder() {
        // one 2-channel 4×4 image, values c·100 + y·10 + x; patch size 2 → 4 patches
        float[] img = new float[2 * 16];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    img[c * 16 + y * 4 + x] = c * 100 + y * 10 + x;
                }
            }
        }
        Patches patches = new Patches(2, 4, 4, 2);
        assertThat(patches.count()).isEqualTo(4);
        assertThat(patches.values()).isEqualTo(8);
        float[] out = patches.patchify(img, 1);
        // patch 1 is the top-right one: rows 0-1, columns 2-3
        assertThat(java.util.Arrays.copyOfRange(out, 8, 16)).containsExactly(2, 102, 3, 103, 12, 112, 13, 113);
        // patch 2 is the bottom-left one
        assertThat(java.util.Arrays.copyOfRange(out, 16, 24)).containsExactly(20, 120, 21, 121, 30, 130, 31, 131);
    }

    @Test
    void unpatchifyInvertsPatchify() {
        SplittableRandom r = new SplittableRandom(3);
        float[] img = new float[3 * 3 * 8 * 12];
        for (int i = 0; i < img.length; i++) {
            img[i] = (float) r.nextGaussian();
        }
        Patches patches = new Patches(3, 8, 12, 4);
        assertThat(patches.unpatchify(patches.patchify(img, 3), 3)).containsExactly(img);
    }
}
