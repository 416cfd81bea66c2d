package org.pretext.probe;

import java.util.List;
import org.pretext.Versions;
import org.pretext.evaluation.Probe;
import org.pretext.evaluation.ProbeProvider;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;

/** {@code mean}: nearest normalised class mean (Arora et al. 2019), see {@link MeanClassifier}. */
public final class MeanProbeProvider extends ProviderBase implements ProbeProvider {
    public MeanProbeProvider() {
        super(Versions.SPI_VERSION, "mean", "Nearest normalised class mean of the labelled rows (no fitting)",
                List.of(KnnProbeProvider.BATCH_SIZE));
    }

    @Override
    public Probe create(ParamValues p) {
        return new MeanClassifier(p.get(KnnProbeProvider.BATCH_SIZE));
    }
}
