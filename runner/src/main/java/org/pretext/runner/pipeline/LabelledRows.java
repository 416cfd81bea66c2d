package org.pretext.runner.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.data.IndexedSplit;
import org.pretext.data.Split;
import org.pretext.finetune.FinetuneBudget;

/**
 * The rows that label budgets' draws use, as a split of their own with the draws renumbered into
 * it, so that a baseline extracts features of the labelled rows only (on SST-2 at 1 %: 3,370 of
 * 67,349 sentences). A split that cannot be subset (not indexed), or whose every row is used, is
 * kept whole with the draws as they are.
 *
 * @param split the rows used, in ascending order of their index in the original split
 * @param rows every budget's draws as indices into {@code split}
 */
record LabelledRows(Split split, Map<FinetuneBudget, List<int[]>> rows) {
    static LabelledRows of(Split train, Map<FinetuneBudget, List<int[]>> draws) {
        int[] used = draws.values().stream().flatMap(List::stream).flatMapToInt(Arrays::stream).distinct().sorted()
                .toArray();
        if (!(train instanceof IndexedSplit indexed) || used.length == train.size()) {
            return new LabelledRows(train, draws);
        }
        Map<FinetuneBudget, List<int[]>> renumbered = new LinkedHashMap<>();
        for (Map.Entry<FinetuneBudget, List<int[]>> e : draws.entrySet()) {
            List<int[]> r = new ArrayList<>();
            for (int[] draw : e.getValue()) {
                r.add(Arrays.stream(draw).map(i -> Arrays.binarySearch(used, i)).toArray());
            }
            renumbered.put(e.getKey(), r);
        }
        return new LabelledRows(indexed.subset(used), renumbered);
    }
}
