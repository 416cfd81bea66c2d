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

    @Test
    void shuffledIndicesAreASeededPermutationWhoseFirstEntriesCoverEveryPatch() {
        int[] a = Patches.shuffledIndices(49, new SplittableRandom(5));
        assertThat(a).containsExactlyInAnyOrder(java.util.stream.IntStream.range(0, 49).toArray());
        assertThat(Patches.shuffledIndices(49, new SplittableRandom(5))).isEqualTo(a);
        assertThat(a).isNotEqualTo(java.util.stream.IntStream.range(0, 49).toArray());
        // the first 10 of many draws: every patch kept about 10/49 of the time
        int[] kept = new int[49];
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 4900; t++) {
            int[] o = Patches.shuffledIndices(49, r);
            for (int j = 0; j < 10; j++) {
                kept[o[j]]++;
            }
        }
        for (int c : kept) {
            assertThat(c).isBetween(1000 - 150, 1000 + 150);
        }
    }
}
