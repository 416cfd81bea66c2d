package org.pretext.selfpredict;

import org.pretext.registry.ProviderBase;
import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code mlm}: BERT's masked language modelling (Devlin et al. 2019) on a text dataset with a
 * bidirectional sequence encoder ({@code transformer} with {@code causal=false}). Paper defaults:
 * 15% of the tokens chosen; of those 80% replaced by the mask token, 10% by a random token, 10%
 * kept.
 */
public final class MlmObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    public static final Param<Double> MASK_RATE = Param.ofDouble("mask-rate", 0.15,
            "fraction of each sequence's tokens chosen for prediction (exactly round(rate*n), at least 1)")
            .above(0).below(1);
    public static final Param<Double> MASK_TOKEN_FRACTION = Param.ofDouble("mask-token-fraction", 0.8,
            "of the chosen tokens, the fraction replaced by the mask token").atLeast(0).atMost(1);
    public static final Param<Double> RANDOM_TOKEN_FRACTION = Param.ofDouble("random-token-fraction", 0.1,
            "of the chosen tokens, the fraction replaced by a random token (the rest are kept)").atLeast(0).atMost(1);

    public MlmObjectiveProvider() {
        super(Versions.SPI_VERSION, "mlm", "BERT masked language modelling: predict 15% of tokens (80% [MASK], 10% random, 10% kept)",
                List.of(MASK_RATE, MASK_TOKEN_FRACTION, RANDOM_TOKEN_FRACTION));
    }

    @Override
    public Objective create(ParamValues p) {
        p.require(p.get(MASK_TOKEN_FRACTION) + p.get(RANDOM_TOKEN_FRACTION) <= 1, RANDOM_TOKEN_FRACTION.name(),
                "at most 1 - mask-token-fraction (" + (1 - p.get(MASK_TOKEN_FRACTION)) + ")");
        return new MlmObjective(p.get(MASK_RATE), p.get(MASK_TOKEN_FRACTION), p.get(RANDOM_TOKEN_FRACTION));
    }
}
