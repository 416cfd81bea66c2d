package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.data.HostTensor;

class HalvesTest {
    // two 1×3×2 images: rows (0 1 | 2 3 | 4 5) and (10 11 | 12 13 | 14 15)
    private static final HostTensor IMAGES = HostTensor.of(new float[] {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15},
            new Shape(2, 1, 3, 2));

    @Test
    void rowsCutTopFromBottomWithTheShorterHalfFirst() {
        Halves h = Halves.of(new Shape(1, 3, 2), "rows", true, "test");
        assertThat(h.contextShape()).isEqualTo(new Shape(1, 1, 2));
        assertThat(h.targetShape()).isEqualTo(new Shape(1, 2, 2));
        assertThat(h.context(IMAGES).floats()).containsExactly(0, 1, 10, 11);
        assertThat(h.target(IMAGES).floats()).containsExactly(2, 3, 4, 5, 12, 13, 14, 15);
        assertThat(h.target(IMAGES).shape()).isEqualTo(new Shape(2, 1, 2, 2));
    }

    @Test
    void columnsCutLeftFromRightAndContextCanBeTheSecondHalf() {
        Halves h = Halves.of(new Shape(1, 3, 2), "columns", false, "test");
        assertThat(h.contextShape()).isEqualTo(new Shape(1, 3, 1));
        assertThat(h.context(IMAGES).floats()).containsExactly(1, 3, 5, 11, 13, 15);
        assertThat(h.target(IMAGES).floats()).containsExactly(0, 2, 4, 10, 12, 14);
    }

    @Test
    void cutsEveryChannelOfAnImage() {
        HostTensor twoChannels = HostTensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new Shape(1, 2, 2, 2));
        Halves h = Halves.of(new Shape(2, 2, 2), "rows", true, "test");
        assertThat(h.context(twoChannels).floats()).containsExactly(1, 2, 5, 6);
        assertThat(h.target(twoChannels).floats()).containsExactly(3, 4, 7, 8);
    }

    @Test
    void vectorsAreCutIntoFirstAndSecondHalf() {
        Halves h = Halves.of(new Shape(4), "rows", true, "test");
        HostTensor v = HostTensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new Shape(2, 4));
        assertThat(h.context(v).floats()).containsExactly(1, 2, 5, 6);
        assertThat(h.target(v).floats()).containsExactly(3, 4, 7, 8);
        assertThatThrownBy(() -> Halves.of(new Shape(4), "columns", true, "objective 'part-prediction'"))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("objective 'part-prediction': split 'columns' needs images")
                .hasMessageContaining("use split=rows");
        assertThatThrownBy(() -> Halves.of(new Shape(2, 3), "rows", true, "objective 'part-prediction'"))
                .isInstanceOf(PretextException.class).hasMessageContaining("examples of shape (2, 3)");
    }
}
