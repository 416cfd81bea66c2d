package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IJepaMasksTest {
    /** The paper's settings on vit-tiny's 7×7 grid. */
    private static final IJepaMasks PAPER = new IJepaMasks(7, 7, 4, 0.15, 0.2, 0.75, 1.5, 0.85, 1.0, 3);

    @Test
    void theSameSeedGivesTheSameMasksAndAnotherSeedOthers() {
        IJepaMasks.Draw a = PAPER.draw(32, new SplittableRandom(3));
        IJepaMasks.Draw b = PAPER.draw(32, new SplittableRandom(3));
        IJepaMasks.Draw c = PAPER.draw(32, new SplittableRandom(4));
        assertThat(b.context()).containsExactly(a.context());
        assertThat(b.target()).containsExactly(a.target());
        assertThat(c.context()).isNotEqualTo(a.context());
    }

    @Test
    void contextAndTargetsAreDisjointRowMajorAndOfOneShapePerBatch() {
        SplittableRandom r = new SplittableRandom(11);
        for (int batch = 0; batch < 200; batch++) {
            int size = 1 + r.nextInt(64);
            IJepaMasks.Draw d = PAPER.draw(size, r);
            int k = d.contextCount();
            int t = d.targetCount();
            assertThat(k).isGreaterThan(3);
            assertThat(d.context()).hasSize(size * k);
            assertThat(d.target()).hasSize(size * 4 * t);
            for (int i = 0; i < size; i++) {
                Set<Integer> context = new HashSet<>();
                for (int j = 0; j < k; j++) {
                    int id = d.context()[i * k + j];
                    assertThat(id).isBetween(0, 48);
                    if (j > 0) {
                        assertThat(id).isGreaterThan(d.context()[i * k + j - 1]);
                    }
                    context.add(id);
                }
                for (int j = 0; j < 4 * t; j++) {
                    int id = d.target()[(i * 4) * t + j];
                    assertThat(id).isBetween(0, 48);
                    assertThat(context).as("batch %d image %d: target patch %d is in the context", batch, i, id)
                            .doesNotContain(id);
                }
            }
        }
    }

    @Test
    void targetBlocksAreRectanglesOfThePapersScaleAndAspect() {
        // with one image nothing is cut to a shorter block: each target block is a whole h×w rectangle,
        // of k = ⌊s·49⌋ = 7, 8 or 9 for s in [0.15, 0.2]: h = round(√(k·a)), w = round(√(k/a)) for a in [0.75, 1.5]
        // gives 2×3 (k = 7, a = 0.75), 3×2, 3×3 (k = 7..9, a near 1), 4×2 (k = 9, a = 1.5) and 4×3 (k = 9, a = 1.4)
        SplittableRandom r = new SplittableRandom(2);
        Set<Integer> areas = new HashSet<>();
        for (int n = 0; n < 300; n++) {
            IJepaMasks.Draw d = PAPER.draw(1, r);
            int t = d.targetCount();
            for (int b = 0; b < 4; b++) {
                int minR = 9;
                int maxR = -1;
                int minC = 9;
                int maxC = -1;
                for (int j = 0; j < t; j++) {
                    int id = d.target()[b * t + j];
                    minR = Math.min(minR, id / 7);
                    maxR = Math.max(maxR, id / 7);
                    minC = Math.min(minC, id % 7);
                    maxC = Math.max(maxC, id % 7);
                }
                int h = maxR - minR + 1;
                int w = maxC - minC + 1;
                assertThat(h * w).as("a full rectangle").isEqualTo(t);
                assertThat(h).isBetween(2, 4);
                assertThat(w).isBetween(2, 3);
                areas.add(t);
            }
        }
        assertThat(areas).containsExactlyInAnyOrder(6, 8, 9, 12);
    }

    @Test
    void anImpossibleContextIsRefusedNamingTheSettings() {
        IJepaMasks greedy = new IJepaMasks(4, 4, 4, 0.15, 0.2, 0.75, 1.5, 0.85, 1.0, 9);
        assertThatThrownBy(() -> greedy.draw(2, new SplittableRandom(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("min-keep = 9")
                .hasMessageContaining("4x4 grid");
        assertThatThrownBy(() -> new IJepaMasks(7, 7, 4, 0.3, 0.2, 0.75, 1.5, 0.85, 1.0, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target scale");
    }
}
