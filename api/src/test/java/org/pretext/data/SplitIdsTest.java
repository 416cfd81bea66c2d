package org.pretext.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;

/** The names a split gives its examples follow the rows through subsets and the unlabelled view. */
class SplitIdsTest {
    private static IndexedSplit split() {
        float[] values = {0, 0, 1, 1, 2, 2, 3, 3};
        return IndexedSplit.ofFloats(values, new Shape(2), new int[] {0, 1, 0, 1}, List.of("a", "b"));
    }

    @Test
    void aSplitHasNoNamesUntilItIsGivenThemAndThenKeepsThemThroughSubsetsAndTheUnlabelledView() {
        IndexedSplit s = split();
        assertThat(s.ids()).isEmpty();
        assertThat(s.identify(List.of("w.png", "x.png", "y.png", "z.png"))).isSameAs(s);
        assertThat(s.ids()).contains(List.of("w.png", "x.png", "y.png", "z.png"));
        IndexedSplit picked = s.subset(new int[] {3, 1});
        assertThat(picked.ids()).contains(List.of("z.png", "x.png"));
        assertThat(picked.floatData()).containsExactly(3, 3, 1, 1); // the names go with their rows
        assertThat(s.unlabelled().ids()).contains(List.of("w.png", "x.png", "y.png", "z.png"));
        assertThat(split().subset(new int[] {0}).ids()).isEmpty();
    }

    @Test
    void namesAreGivenOnceAndOnePerExample() {
        assertThatThrownBy(() -> split().identify(List.of("only-one"))).isInstanceOf(PretextException.class)
                .hasMessage("1 identifiers for 4 examples: expected one per example");
        IndexedSplit s = split().identify(List.of("a", "b", "c", "d"));
        assertThatThrownBy(() -> s.identify(List.of("a", "b", "c", "d"))).isInstanceOf(IllegalStateException.class);
    }
}
