package org.pretext.contrastive;

import java.util.Map;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.testkit.FixtureData;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/**
 * The objective contract for {@code dino} with multi-crop: the kit's 8×8 bar images, two global
 * views and three local views of 4×4 through a small ViT (2×2 patches, so a 4×4 grid of tokens for
 * the global views and a 2×2 grid, with interpolated positions, for the local ones). Every check
 * of the kit runs on it: gradients against finite differences in float64 through the interpolated
 * positions, exact resume, no arrays left, and one step on 2 and 3 replicas, each shard of both view
 * sizes through its replica. The centre is held at 0 (centre-momentum 1) here: with it moving
 * at m = 0.9 per step, the loss of a 16-step run falls for two or three steps (the student
 * matching a sharp teacher) and then rises as the centre flattens the teacher's targets (1.10,
 * 0.64, 0.56, then up to 2.7; with τ_t = τ_s = 0.1, 1.78, 1.50, then up to 2.9), and the kit's
 * check, first against last quarter of the run, measures the centre rather than the gradient. The
 * centre's update and its exact resume are checked by {@link DinoContractTest} (vectors, m = 0.9),
 * {@link DinoLossTest} and {@code ResumeTest}.
 */
class DinoMultiCropContractTest implements ObjectiveContract {
    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new DinoObjectiveProvider(), Map.of("hidden-dim", 16, "bottleneck-dim", 8,
                "out-dim", 16, "base-momentum", 0.9, "freeze-last-layer", 0.25, "local-crops", 3,
                "local-crop-size", 4, "local-crop-min-scale", 0.2,
                // the centre held at 0: see the class comment
                "centre-momentum", 1.0))
                .withExamples(FixtureData.images())
                .withEncoder("vit-tiny", shape -> VitEncoderProvider.create(shape, 2, 16, 1, 2, 2, 0f, true,
                        VisionTransformer.Pooling.MEAN))
                .withoutInputGradients("each global view also feeds the teacher, whose output is a stop-gradient");
    }
}
