package org.pretext.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.pretext.Versions;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.text.FeatureMap;
import org.pretext.text.FeatureMapProvider;
import org.pretext.text.SequenceBatch;

/** {@code mean}: the mean of a sentence's hidden states, f(s) = 1/|s| Σ_t h_t (D values). */
public final class MeanFeatureMap implements FeatureMap, FeatureMapProvider {
    @Override
    public String name() {
        return "mean";
    }

    @Override
    public String description() {
        return "Mean of the hidden states over the sentence's tokens";
    }

    @Override
    public List<Param<?>> parameters() {
        return List.of();
    }

    @Override
    public int spiVersion() {
        return Versions.SPI_VERSION;
    }

    @Override
    public FeatureMap create(ParamValues params) {
        return this;
    }

    @Override
    public int featureSize(SequenceEncoder encoder) {
        return encoder.hiddenSize();
    }

    @Override
    public NDArray apply(SequenceEncoder encoder, ParameterStore store, SequenceBatch batch) {
        return batch.pool(batch.meanWeights());
    }
}
