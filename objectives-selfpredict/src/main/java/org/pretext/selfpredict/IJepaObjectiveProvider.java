package org.pretext.selfpredict;

import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;

/**
 * {@code ijepa}: I-JEPA (Assran et al. 2023), see {@link IJepaObjective}, {@link IJepaMasks} and
 * {@link IJepaLoss}. The block scales and aspect ratios are the paper's; they are fractions of the
 * grid, so they carry over unchanged from its 14×14 grid (224 px, 16 px patches) to vit-tiny's 7×7
 * (28 px, 4 px patches), where a target block is about 3×3 patches and the context block 6×6 before
 * the targets are cut out of it. Only {@code min-keep}, a count, is scaled: the paper's 10 of 196
 * patches is 2.5 of 49, here 3. The predictor is scaled down from the paper's 384 wide, 12 deep
 * (for ViT-H/14) to 64 wide, 2 deep, narrower than vit-tiny's 128. Each image is first a random
 * resized crop of scale 0.3–1, as the authors' {@code make_transforms} ({@code crop-scale-min: 1}: off).
 */
public final class IJepaObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    public static final Param<Integer> NUM_TARGETS = Param.ofInt("num-targets", 4,
            "M, target blocks per image (I-JEPA: 4)").atLeast(1);
    public static final Param<Double> TARGET_SCALE_MIN = Param.ofDouble("target-scale-min", 0.15,
            "smallest target block, as a fraction of the patch grid (I-JEPA: 0.15)").above(0).atMost(1);
    public static final Param<Double> TARGET_SCALE_MAX = Param.ofDouble("target-scale-max", 0.2,
            "largest target block, as a fraction of the patch grid (I-JEPA: 0.2)").above(0).atMost(1);
    public static final Param<Double> ASPECT_MIN = Param.ofDouble("aspect-min", 0.75,
            "smallest height/width ratio of a target block, drawn log-uniformly (I-JEPA: 0.75)").above(0);
    public static final Param<Double> ASPECT_MAX = Param.ofDouble("aspect-max", 1.5,
            "largest height/width ratio of a target block (I-JEPA: 1.5)").above(0);
    public static final Param<Double> CONTEXT_SCALE_MIN = Param.ofDouble("context-scale-min", 0.85,
            "smallest context block (square), as a fraction of the patch grid, before the targets are removed"
                    + " (I-JEPA: 0.85)").above(0).atMost(1);
    public static final Param<Double> CONTEXT_SCALE_MAX = Param.ofDouble("context-scale-max", 1.0,
            "largest context block (I-JEPA: 1.0)").above(0).atMost(1);
    public static final Param<Integer> MIN_KEEP = Param.ofInt("min-keep", 3,
            "a context must keep more than this many patches once the targets are removed (I-JEPA: 10 of 196"
                    + " patches; 3 of 49 keeps the proportion)").atLeast(0);
    public static final Param<Double> MOMENTUM_START = Param.ofDouble("momentum-start", 0.996,
            "m₀, the target encoder's EMA momentum at the first step (I-JEPA: 0.996)").atLeast(0).atMost(1);
    public static final Param<Double> MOMENTUM_END = Param.ofDouble("momentum-end", 1.0,
            "m₁: the momentum rises linearly towards it over 1.25 times the run (I-JEPA: 1.0)").atLeast(0).atMost(1);
    public static final Param<String> LOSS = Param.ofChoice("loss", "smooth-l1", List.of("smooth-l1", "l2"),
            "smooth-l1: Huber with β = 1, as the authors' code; l2: the squared distance of the paper's eq. 1;"
                    + " each averaged over target blocks, patches and features");
    public static final Param<Integer> PREDICTOR_WIDTH = Param.ofInt("predictor-width", 64,
            "width of the predictor, divisible by predictor-heads and by 4 (I-JEPA: 384 for ViT-H's 1,280)")
            .atLeast(4);
    public static final Param<Integer> PREDICTOR_DEPTH = Param.ofInt("predictor-depth", 2,
            "blocks of the predictor (I-JEPA: 12)").atLeast(1);
    public static final Param<Integer> PREDICTOR_HEADS = Param.ofInt("predictor-heads", 4,
            "attention heads of the predictor").atLeast(1);
    public static final Param<String> PROBE_ENCODER = Param.ofChoice("probe-encoder", "target",
            List.of("target", "context"), "the encoder probed and exported: the EMA target, as the paper evaluates,"
                    + " or the context encoder being trained");

    public static final Param<Double> CROP_SCALE_MIN = Param.ofDouble("crop-scale-min", 0.3,
            "smallest area fraction of the random resized crop each image is first cut to (aspect 3/4 to 4/3,"
                    + " resized back; I-JEPA's crop_scale: 0.3); 1 turns the crop off").above(0).atMost(1);
    public static final Param<Double> CROP_SCALE_MAX = Param.ofDouble("crop-scale-max", 1.0,
            "largest area fraction of the random resized crop (I-JEPA: 1.0)").above(0).atMost(1);

    public IJepaObjectiveProvider() {
        super(Versions.SPI_VERSION, "ijepa",
                "I-JEPA: predict an EMA target encoder's states of target blocks from a context block (needs vit-tiny)",
                List.of(NUM_TARGETS, TARGET_SCALE_MIN, TARGET_SCALE_MAX, ASPECT_MIN, ASPECT_MAX, CONTEXT_SCALE_MIN,
                        CONTEXT_SCALE_MAX, MIN_KEEP, MOMENTUM_START, MOMENTUM_END, LOSS, PREDICTOR_WIDTH,
                        PREDICTOR_DEPTH, PREDICTOR_HEADS, PROBE_ENCODER, CROP_SCALE_MIN, CROP_SCALE_MAX));
    }

    @Override
    public Objective create(ParamValues p) {
        int width = p.get(PREDICTOR_WIDTH);
        int heads = p.get(PREDICTOR_HEADS);
        p.require(width % heads == 0 && width % 4 == 0, PREDICTOR_WIDTH.name(),
                "a multiple of predictor-heads (" + heads + ") and of 4");
        p.require(p.get(TARGET_SCALE_MIN) <= p.get(TARGET_SCALE_MAX), TARGET_SCALE_MIN.name(),
                "at most target-scale-max (" + p.get(TARGET_SCALE_MAX) + ")");
        p.require(p.get(CONTEXT_SCALE_MIN) <= p.get(CONTEXT_SCALE_MAX), CONTEXT_SCALE_MIN.name(),
                "at most context-scale-max (" + p.get(CONTEXT_SCALE_MAX) + ")");
        p.require(p.get(ASPECT_MIN) <= p.get(ASPECT_MAX), ASPECT_MIN.name(),
                "at most aspect-max (" + p.get(ASPECT_MAX) + ")");
        p.require(p.get(MOMENTUM_START) <= p.get(MOMENTUM_END), MOMENTUM_START.name(),
                "at most momentum-end (" + p.get(MOMENTUM_END) + ")");
        p.require(p.get(CROP_SCALE_MIN) <= p.get(CROP_SCALE_MAX), CROP_SCALE_MIN.name(),
                "at most crop-scale-max (" + p.get(CROP_SCALE_MAX) + ")");
        IJepaObjective.IJepaMasksSpec spec = new IJepaObjective.IJepaMasksSpec(p.get(NUM_TARGETS),
                p.get(TARGET_SCALE_MIN), p.get(TARGET_SCALE_MAX), p.get(ASPECT_MIN), p.get(ASPECT_MAX),
                p.get(CONTEXT_SCALE_MIN), p.get(CONTEXT_SCALE_MAX), p.get(MIN_KEEP));
        return new IJepaObjective(spec, p.get(MOMENTUM_START), p.get(MOMENTUM_END), p.get(LOSS).equals("smooth-l1"),
                width, p.get(PREDICTOR_DEPTH), heads, p.get(PROBE_ENCODER).equals("target"), p.get(CROP_SCALE_MIN),
                p.get(CROP_SCALE_MAX));
    }
}
