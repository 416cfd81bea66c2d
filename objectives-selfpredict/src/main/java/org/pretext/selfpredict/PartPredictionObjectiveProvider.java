package org.pretext.selfpredict;

import org.pretext.registry.ProviderBase;
import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code part-prediction}: predict one half of each input from the other (Lee, Lei, Saunshi, Zhuo
 * 2021). Defaults follow the paper's analysis: the first half (top half of an image) predicts the
 * second, with an affine predictor on the encoder's features and squared error. The encoder sees
 * only the context half, also when its features are extracted.
 */
public final class PartPredictionObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** How inputs are cut in two. */
    public static final Param<String> SPLIT = Param.ofChoice("split", "rows", List.of("rows", "columns"),
            "rows: images into top and bottom halves, vectors into first and second half; "
                    + "columns: images into left and right halves");
    /** Which half the encoder sees. */
    public static final Param<String> CONTEXT = Param.ofChoice("context", "first", List.of("first", "second"),
            "the half the encoder sees (first: top, left or first coordinates); the other half is predicted");
    /** Hidden width of the predictor head; 0 for an affine predictor. */
    public static final Param<Integer> HEAD_HIDDEN = Param.ofInt("head-hidden", 0,
            "hidden width of the predictor head on the encoder's features (0: affine)").atLeast(0);

    public PartPredictionObjectiveProvider() {
        super(Versions.SPI_VERSION, "part-prediction", "Predict one half of the input from the other half (reconstruction pretext task, Lee et al. 2021)",
                List.of(SPLIT, CONTEXT, HEAD_HIDDEN));
    }

    @Override
    public Objective create(ParamValues p) {
        return new PartPredictionObjective(p.get(SPLIT), "first".equals(p.get(CONTEXT)), p.get(HEAD_HIDDEN));
    }
}
