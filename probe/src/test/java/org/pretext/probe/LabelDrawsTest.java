package org.pretext.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;

class LabelDrawsTest {
    private static int[] labels(int n, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(classes);
        }
        return y;
    }

    @Test
    void drawsAreStratifiedSeededAndDistinct() {
        int[] y = labels(2000, 10, 3);
        int[] rows = LabelDraws.perClass(y, 10, 7, 42, "train");
        assertThat(rows).hasSize(70).isSorted().doesNotHaveDuplicates();
        int[] perClass = new int[10];
        for (int r : rows) {
            perClass[y[r]]++;
        }
        assertThat(perClass).containsOnly(7);
        assertThat(LabelDraws.perClass(y, 10, 7, 42, "train")).containsExactly(rows);
        int[] other = LabelDraws.perClass(y, 10, 7, 43, "train");
        assertThat(other).isNotEqualTo(rows);
    }

    @Test
    void everyRowOfAClassIsEquallyLikely() {
        // Class 0 has 4 rows; drawing 1 per class 4,000 times picks each about 1,000 times
        // (binomial sd ≈ 27; the bound is 5 sd).
        int[] y = {0, 1, 0, 1, 0, 0, 1};
        int[] counts = new int[y.length];
        for (int s = 0; s < 4000; s++) {
            for (int r : LabelDraws.perClass(y, 2, 1, s, "train")) {
                counts[r]++;
            }
        }
        for (int r : new int[] {0, 2, 4, 5}) {
            assertThat(counts[r]).isBetween(1000 - 137, 1000 + 137);
        }
    }

    @Test
    void aBudgetLargerThanAClassNamesTheClassAndItsCount() {
        int[] y = {0, 0, 0, 1, 1, 2, 2, 2};
        assertThatThrownBy(() -> LabelDraws.perClass(y, 3, 3, 1, "the training split"))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("3 per class")
                .hasMessageContaining("class '1'")
                .hasMessageContaining("(2 labelled examples)")
                .hasMessageContaining("the training split")
                .hasMessageContaining("at most 2");
        assertThatThrownBy(() -> LabelDraws.perClass(y, 3, 3, 1, "train", List.of("cat", "dog", "emu")))
                .hasMessageContaining("class 'dog'");
    }

    @Test
    void holdOutIsStratifiedDisjointAndComplete() {
        int[] y = labels(500, 5, 9);
        int[] rows = LabelDraws.perClass(y, 5, 10, 1, "train");
        int[][] split = LabelDraws.holdOut(rows, y, 5, 0.2, 77);
        assertThat(split[0]).hasSize(40);
        assertThat(split[1]).hasSize(10);
        Set<Integer> union = new HashSet<>();
        for (int[] part : split) {
            for (int r : part) {
                assertThat(union.add(r)).as("row %d in both parts", r).isTrue();
            }
        }
        assertThat(union).containsExactlyInAnyOrderElementsOf(Arrays.stream(rows).boxed().toList());
        int[] heldPerClass = new int[5];
        for (int r : split[1]) {
            heldPerClass[y[r]]++;
        }
        assertThat(heldPerClass).containsOnly(2);
        assertThat(LabelDraws.holdOut(rows, y, 5, 0.2, 77)[1]).containsExactly(split[1]);
        // With one row per class validation is impossible.
        assertThat(LabelDraws.holdOut(LabelDraws.perClass(y, 5, 1, 1, "train"), y, 5, 0.2, 1)).isNull();
        // Two rows per class: one held out, one kept.
        assertThat(LabelDraws.holdOut(LabelDraws.perClass(y, 5, 2, 1, "train"), y, 5, 0.2, 1)[1]).hasSize(5);
    }

    @Test
    void foldsAreStratifiedBalancedAndSeeded() {
        int[] y = labels(503, 4, 5);
        int[] fold = LabelDraws.folds(y, 4, 5, 11);
        int[][] perFoldClass = new int[5][4];
        int[] perFold = new int[5];
        for (int i = 0; i < y.length; i++) {
            perFoldClass[fold[i]][y[i]]++;
            perFold[fold[i]]++;
        }
        int[] counts = LabelDraws.classCounts(y, 4);
        for (int f = 0; f < 5; f++) {
            for (int c = 0; c < 4; c++) {
                // each class is dealt in turn: every fold gets floor or ceil of its count / 5
                assertThat(perFoldClass[f][c]).isBetween(counts[c] / 5, counts[c] / 5 + 1);
            }
            assertThat(perFold[f]).isBetween(503 / 5, 503 / 5 + 1);
        }
        assertThat(LabelDraws.folds(y, 4, 5, 11)).containsExactly(fold);
        assertThat(LabelDraws.folds(y, 4, 5, 12)).isNotEqualTo(fold);
        int[][] parts = LabelDraws.foldParts(fold, 2);
        assertThat(parts[0].length + parts[1].length).isEqualTo(503);
        assertThat(parts[1]).hasSize(perFold[2]).isSorted();
        for (int r : parts[1]) {
            assertThat(fold[r]).isEqualTo(2);
        }
    }

    @Test
    void budgetsParse() {
        assertThat(LabelBudget.parseList("1, 5,10,all")).containsExactly(LabelBudget.of(1), LabelBudget.of(5),
                LabelBudget.of(10), LabelBudget.all());
        assertThat(LabelBudget.all().perClass()).isNull();
        assertThatThrownBy(() -> LabelBudget.parseList("10,ten")).isInstanceOf(PretextException.class)
                .hasMessageContaining("'ten'");
        assertThatThrownBy(() -> LabelBudget.parse("0")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> LabelBudget.parseList("10,10")).hasMessageContaining("appears twice");
        assertThat(LabelDraws.drawSeed(1, LabelBudget.of(10), 0)).isNotEqualTo(LabelDraws.drawSeed(1, LabelBudget.of(10), 1))
                .isNotEqualTo(LabelDraws.drawSeed(1, LabelBudget.of(5), 0))
                .isBetween(0L, 1L << 53);
    }
}
