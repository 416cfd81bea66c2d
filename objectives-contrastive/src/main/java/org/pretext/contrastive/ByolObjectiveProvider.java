package org.pretext.contrastive;

import org.pretext.registry.ProviderBase;
import java.util.Arrays;
import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.transform.AugmentationParams;

/**
 * {@code byol}: Bootstrap Your Own Latent, see {@link ByolObjective}. τ_base = 0.996 is the
 * paper's; the MLP widths are scaled down from ResNet-50's 4,096 hidden units and 256 outputs to
 * suit 128-feature encoders.
 */
public final class ByolObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** τ_base. */
    public static final Param<Double> BASE_MOMENTUM = Param.ofDouble("base-momentum", 0.996,
            "τ_base, the target's EMA momentum at step 0, rising to 1 along a cosine (BYOL: 0.996)")
            .atLeast(0).atMost(1);
    /** Projector hidden width. */
    public static final Param<Integer> PROJECTION_HIDDEN = Param.ofInt("projection-hidden", 512,
            "hidden width of the projector (BYOL: 4,096 on ResNet-50)").atLeast(1);
    /** Projector output width. */
    public static final Param<Integer> PROJECTION_DIM = Param.ofInt("projection-dim", 128,
            "output width of projector and predictor (BYOL: 256)").atLeast(1);
    /** Predictor hidden width. */
    public static final Param<Integer> PREDICTOR_HIDDEN = Param.ofInt("predictor-hidden", 512,
            "hidden width of the predictor (BYOL: 4,096)").atLeast(1);
    /** The target network, for ablations. */
    public static final Param<String> TARGET = Param.ofChoice("target", "ema",
            Arrays.stream(ByolObjective.Target.values()).map(ByolObjective.Target::key).toList(),
            "regression target: ema (BYOL); online-stop-gradient (τ = 0 ablation, no EMA); online (ablation without"
                    + " stop-gradient or EMA, which collapses)");

    /** Which encoder the runner probes and exports. */
    public static final Param<String> PROBE_ENCODER = Param.ofChoice("probe-encoder", "online", List.of("online", "target"),
            "the encoder probed and exported after pretraining: online (BYOL's reported result) or target (the EMA"
                    + " network; needs target: ema)");

    public ByolObjectiveProvider() {
        super(Versions.SPI_VERSION, "byol", "BYOL: online predictor regresses an EMA target network's projection, normalised MSE",
                join(List.of(BASE_MOMENTUM, PROJECTION_HIDDEN, PROJECTION_DIM,
                PREDICTOR_HIDDEN, TARGET, PROBE_ENCODER), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        ByolObjective.Target target = ByolObjective.Target.of(p.get(TARGET));
        boolean probeTarget = p.get(PROBE_ENCODER).equals("target");
        p.require(!probeTarget || target == ByolObjective.Target.EMA, PROBE_ENCODER.name(),
                "online when target is not ema (there is no target encoder to probe)");
        return new ByolObjective(p.get(BASE_MOMENTUM), p.get(PROJECTION_HIDDEN), p.get(PROJECTION_DIM),
                p.get(PREDICTOR_HIDDEN), target, shape -> AugmentationParams.build(p, shape)).probingTarget(probeTarget);
    }
}
