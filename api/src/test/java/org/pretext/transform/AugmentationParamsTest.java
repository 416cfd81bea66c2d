package org.pretext.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

class AugmentationParamsTest {
    private static ParamValues params(Map<String, ?> raw) {
        return ParamValues.resolve("objective 'x'", AugmentationParams.ALL, raw);
    }

    @Test
    void greyImagesGetExactlyTheDigitRecipeAsBefore() {
        Augmentation a = AugmentationParams.build(params(Map.of()), new Shape(1, 28, 28));
        assertThat(a).isEqualTo(new DigitAugmentation(1, 28, 28, 0.35, 15, 10, 0.4, 0.1, 0.5));
    }

    @Test
    void colourImagesGetTheNaturalRecipeUnlessToldOtherwise() {
        assertThat(AugmentationParams.build(params(Map.of()), new Shape(3, 32, 32)))
                .isInstanceOf(NaturalImageAugmentation.class);
        assertThat(AugmentationParams.build(params(Map.of("recipe", "digits")), new Shape(3, 32, 32)))
                .isEqualTo(new DigitAugmentation(3, 32, 32, 0.35, 15, 10, 0.4, 0.1, 0.5));
        assertThat(AugmentationParams.build(params(Map.of("recipe", "natural")), new Shape(1, 28, 28)))
                .isInstanceOf(NaturalImageAugmentation.class);
        assertThat(AugmentationParams.build(params(Map.of()), new Shape(16))).isInstanceOf(VectorAugmentation.class);
        assertThatThrownBy(() -> AugmentationParams.build(params(Map.of("recipe", "vector")), new Shape(1, 8, 8)))
                .isInstanceOf(PretextException.class).hasMessageContaining("recipe 'vector'");
    }

    @Test
    void naturalParametersReachTheTransforms() {
        NaturalImageAugmentation a = (NaturalImageAugmentation) AugmentationParams.build(
                params(Map.of("jitter-strength", "0.5", "blur-probability", "0", "flip", "0.25",
                        "natural-crop-min-scale", "0.2")), new Shape(3, 32, 32));
        List<Augmentation> steps = a.chain().steps();
        assertThat(steps.get(0)).isEqualTo(RandomResizedCrop.simclr(3, 32, 32, 0.2));
        assertThat(steps.get(1)).isEqualTo(new HorizontalFlip(3, 32, 32, 0.25));
        assertThat(steps.get(2)).isEqualTo(ColourJitter.simclr(3, 32, 32, 0.5, 0.8));
        assertThat(steps.get(3)).isEqualTo(new RandomGreyscale(3, 32, 32, 0.2));
        assertThat(((GaussianBlur) steps.get(4)).probability()).isZero();
    }

    @Test
    void objectivesDeclaringOnlyTheOldListStillWork() {
        List<Param<?>> old = AugmentationParams.ALL.subList(0, 8);
        ParamValues p = ParamValues.resolve("objective 'old'", old, Map.of());
        assertThat(AugmentationParams.build(p, new Shape(3, 16, 16))).isInstanceOf(NaturalImageAugmentation.class);
        assertThat(AugmentationParams.build(p, new Shape(1, 28, 28)))
                .isEqualTo(new DigitAugmentation(1, 28, 28, 0.35, 15, 10, 0.4, 0.1, 0.5));
    }
}
