package org.pretext.contrastive;

import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;
import org.pretext.transform.AugmentationParams;

/**
 * {@code mmcr}: Maximum Manifold Capacity Representations, see {@link MmcrObjective} and
 * {@link MmcrLoss}. λ = 0 is the paper's loss; the projector is scaled down from lightly's
 * 8,192-512 defaults to the widths of lightly's CIFAR example (512, 128).
 */
public final class MmcrObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** k. */
    public static final Param<Integer> VIEWS = Param.ofInt("views", 2,
            "k, augmented views per example, averaged into its centroid (the paper studies how more views help;"
                    + " lightly's transform and example: 8); each view costs a forward and backward pass")
            .atLeast(2).atMost(64);
    /** λ. */
    public static final Param<Double> LAMBDA = Param.ofDouble("lambda", 0.0,
            "λ, weight of the mean nuclear norm of each example's k views, L = −‖C‖_* + λ·mean_i ‖Z_i‖_* (the"
                    + " paper: 0; lightly's MMCRLoss: 5e-3)").atLeast(0);
    /** Projector hidden width. */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 512,
            "hidden width of the projector Linear-BN-ReLU-Linear (lightly's MMCRProjectionHead: 8,192; its CIFAR"
                    + " example: 512)").atLeast(1);
    /** Projector output width. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 128,
            "output width of the projector, the dimension d of the centroids (lightly's MMCRProjectionHead: 512;"
                    + " its CIFAR example: 128); the nuclear norm's cost grows as batch·d² per iteration").atLeast(1);

    public MmcrObjectiveProvider() {
        super(Versions.SPI_VERSION, "mmcr",
                "MMCR: maximum manifold capacity, minus the nuclear norm of the matrix of each example's views' centroid",
                join(List.of(VIEWS, LAMBDA, PROJECTION_HIDDEN, PROJECTION_DIM), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new MmcrObjective(p.get(VIEWS), p.get(LAMBDA), p.get(PROJECTION_HIDDEN), p.get(PROJECTION_DIM),
                shape -> AugmentationParams.build(p, shape));
    }
}
