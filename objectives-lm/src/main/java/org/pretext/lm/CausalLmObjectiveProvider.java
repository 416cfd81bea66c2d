package org.pretext.lm;

import org.pretext.registry.ProviderBase;
import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/** {@code causal-lm}: next-token prediction with a causal transformer and a tied output layer. */
public final class CausalLmObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** Cap on validation windows. */
    public static final Param<Long> VALIDATION_WINDOWS = Param.ofLong("validation-windows", 0,
            "held-out windows the validation loss reads, evenly spread over the held-out text (0: all)").atLeast(0);

    public CausalLmObjectiveProvider() {
        super(Versions.SPI_VERSION, "causal-lm", "Causal language modelling: next-token cross-entropy (nats), validation loss and bits per character",
                List.of(VALIDATION_WINDOWS));
    }

    @Override
    public Objective create(ParamValues params) {
        return new CausalLmObjective(params.get(VALIDATION_WINDOWS));
    }
}
