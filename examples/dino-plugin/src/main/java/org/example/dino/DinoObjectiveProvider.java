package org.example.dino;

import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;
import org.pretext.transform.AugmentationParams;

/**
 * {@code example-dino}: DINO as a plug-in objective (named so beside the built-in {@code dino}, which adds multi-crop), see {@link DinoObjective} and, for the formulas,
 * {@link DinoLoss}. Temperatures, momenta and the warm-up are the paper's; the head's widths are
 * scaled down from ViT-S/16's (2,048 hidden, 256 bottleneck, 65,536 prototypes) to suit 128-feature
 * encoders on a CPU. Runs are measured in steps, not epochs, so the paper's "first 30 of 100
 * epochs" and "first epoch" are given as fractions of the run.
 */
public final class DinoObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    public static final Param<Integer> HIDDEN = Param.ofInt("hidden-dim", 512,
            "hidden width of the head's two hidden layers (DINO: 2,048)").atLeast(1);
    public static final Param<Integer> BOTTLENECK = Param.ofInt("bottleneck-dim", 128,
            "width of the head's ℓ2-normalised bottleneck (DINO: 256)").atLeast(1);
    public static final Param<Boolean> HEAD_BATCH_NORM = Param.ofBoolean("head-batch-norm", false,
            "BatchNorm after each hidden layer of the head (DINO's use_bn_in_head: false)");
    public static final Param<Integer> OUT = Param.ofInt("out-dim", 1024,
            "K, the number of prototypes: the width of the weight-normalised last layer (DINO: 65,536)").atLeast(2);
    public static final Param<Boolean> NORM_LAST_LAYER = Param.ofBoolean("norm-last-layer", true,
            "keep every prototype at length 1; false gives each a trained gain starting at 1 (DINO's norm_last_layer:"
                    + " true for stability, false with ViT-S)");
    public static final Param<Double> STUDENT_TEMPERATURE = Param.ofDouble("student-temperature", 0.1,
            "τ_s, the student's softmax temperature (DINO: 0.1)").above(0);
    public static final Param<Double> TEACHER_TEMPERATURE = Param.ofDouble("teacher-temperature", 0.07,
            "τ_t after the warm-up (DINO: 0.07; its code's default is 0.04, raised when training is stable)")
            .above(0);
    public static final Param<Double> WARMUP_TEACHER_TEMPERATURE = Param.ofDouble("warmup-teacher-temperature", 0.04,
            "τ_t at the first step, rising linearly to teacher-temperature (DINO: 0.04)").above(0);
    public static final Param<Double> WARMUP_FRACTION = Param.ofDouble("teacher-temperature-warmup", 0.3,
            "fraction of the run over which τ_t rises (DINO: the first 30 of 100 epochs)").atLeast(0).atMost(1);
    public static final Param<Double> CENTRE_MOMENTUM = Param.ofDouble("centre-momentum", 0.9,
            "m of the centre's moving average of teacher outputs (DINO's center_momentum: 0.9)").atLeast(0).atMost(1);
    public static final Param<Double> BASE_MOMENTUM = Param.ofDouble("base-momentum", 0.996,
            "λ₀, the teacher's EMA momentum at step 0, rising to 1 along a cosine (DINO: 0.996)")
            .atLeast(0).atMost(1);
    public static final Param<Double> FREEZE_LAST_LAYER = Param.ofDouble("freeze-last-layer", 0.01,
            "fraction of the run during which the last layer (the prototypes) is not updated (DINO: the first"
                    + " epoch of 100)").atLeast(0).atMost(1);
    public static final Param<String> PROBE_ENCODER = Param.ofChoice("probe-encoder", "teacher",
            List.of("teacher", "student"), "the encoder probed and exported after pretraining: teacher (what DINO"
                    + " reports) or student (the encoder being trained)");

    public DinoObjectiveProvider() {
        super(Versions.SPI_VERSION, "example-dino",
                "DINO (Caron et al. 2021): a student matches a centred, sharpened EMA teacher across views, a plug-in",
                join(List.of(HIDDEN, BOTTLENECK, HEAD_BATCH_NORM, OUT, NORM_LAST_LAYER, STUDENT_TEMPERATURE, TEACHER_TEMPERATURE,
                        WARMUP_TEACHER_TEMPERATURE, WARMUP_FRACTION, CENTRE_MOMENTUM, BASE_MOMENTUM, FREEZE_LAST_LAYER,
                        PROBE_ENCODER), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new DinoObjective(new DinoObjective.Settings(p.get(HIDDEN), p.get(BOTTLENECK), p.get(HEAD_BATCH_NORM), p.get(OUT), p.get(NORM_LAST_LAYER),
                p.get(STUDENT_TEMPERATURE), p.get(TEACHER_TEMPERATURE), p.get(WARMUP_TEACHER_TEMPERATURE),
                p.get(WARMUP_FRACTION), p.get(CENTRE_MOMENTUM), p.get(BASE_MOMENTUM), p.get(FREEZE_LAST_LAYER),
                p.get(PROBE_ENCODER).equals("teacher")), shape -> AugmentationParams.build(p, shape));
    }
}
