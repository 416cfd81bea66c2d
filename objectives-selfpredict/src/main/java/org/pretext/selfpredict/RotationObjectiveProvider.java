package org.pretext.selfpredict;

import org.pretext.registry.ProviderBase;
import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code rotation}: RotNet (Gidaris et al. 2018), predict which of four rotations (0°, 90°, 180°,
 * 270°) was applied; 4-way cross-entropy. Defaults as in the paper: all four rotations of each
 * image in the same batch (so a batch of B images trains on 4B inputs).
 */
public final class RotationObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** Feed all four rotations of each image, or one drawn at random. */
    public static final Param<Boolean> ALL_ROTATIONS = Param.ofBoolean("all-rotations", true,
            "feed each image in all four rotations in the same batch (4B inputs per batch), as the paper found best;"
                    + " false: one rotation drawn at random per image");
    /** Hidden width of the rotation classifier; 0 for a linear classifier. */
    public static final Param<Integer> HEAD_HIDDEN = Param.ofInt("head-hidden", 0,
            "hidden width of the rotation classifier on the encoder's features (0: linear)").atLeast(0);

    public RotationObjectiveProvider() {
        super(Versions.SPI_VERSION, "rotation", "RotNet: predict which of four rotations (0/90/180/270 degrees) was applied to an image",
                List.of(ALL_ROTATIONS, HEAD_HIDDEN));
    }

    @Override
    public Objective create(ParamValues p) {
        return new RotationObjective(p.get(ALL_ROTATIONS), p.get(HEAD_HIDDEN));
    }
}
