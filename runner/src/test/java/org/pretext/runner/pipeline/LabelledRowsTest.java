package org.pretext.runner.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.data.BatchPlan;
import org.pretext.data.IndexedSplit;
import org.pretext.finetune.FinetuneBudget;

class LabelledRowsTest {
    /** Ten rows of two values each, row i holding (i, 10 i), label i mod 2. */
    private static IndexedSplit tenRows() {
        float[] v = new float[20];
        int[] labels = new int[10];
        for (int i = 0; i < 10; i++) {
            v[2 * i] = i;
            v[2 * i + 1] = 10 * i;
            labels[i] = i % 2;
        }
        return IndexedSplit.ofFloats(v, new Shape(2), labels, List.of("even", "odd"));
    }

    @Test
    void keepsOnlyTheDrawnRowsAndRenumbersTheDrawsIntoThem() {
        Map<FinetuneBudget, List<int[]>> draws = new LinkedHashMap<>();
        draws.put(FinetuneBudget.perClassOf(1), List.of(new int[] {7, 2}, new int[] {2, 9}));
        draws.put(FinetuneBudget.fractionOf(0.1), List.of(new int[] {4}));
        LabelledRows r = LabelledRows.of(tenRows(), draws);

        assertThat(r.split().size()).isEqualTo(4); // rows 2, 4, 7, 9
        assertThat(r.rows().get(FinetuneBudget.perClassOf(1))).containsExactly(new int[] {2, 0}, new int[] {0, 3});
        assertThat(r.rows().get(FinetuneBudget.fractionOf(0.1))).containsExactly(new int[] {1});
        // each renumbered index reads the original row's values and label
        float[] values = r.split().batches(BatchPlan.sequential(4)).next().inputs().floats();
        assertThat(values).containsExactly(2, 20, 4, 40, 7, 70, 9, 90);
        assertThat(r.split().labels()).containsExactly(0, 0, 1, 1);
        assertThat(r.split().classNames()).containsExactly("even", "odd");
    }

    @Test
    void aSplitWhoseEveryRowIsDrawnStaysWhole() {
        IndexedSplit all = tenRows();
        Map<FinetuneBudget, List<int[]>> draws = Map.of(FinetuneBudget.all(), List.of(new int[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
        LabelledRows r = LabelledRows.of(all, draws);
        assertThat(r.split()).isSameAs(all);
        assertThat(r.rows()).isSameAs(draws);
    }
}
