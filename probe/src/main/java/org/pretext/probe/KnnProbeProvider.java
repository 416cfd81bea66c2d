package org.pretext.probe;

import java.util.List;
import org.pretext.Versions;
import org.pretext.evaluation.Probe;
import org.pretext.evaluation.ProbeProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;

/** {@code knn}: weighted cosine k-nearest-neighbours of Wu et al. 2018, see {@link KnnClassifier}. */
public final class KnnProbeProvider extends ProviderBase implements ProbeProvider {
    /** Neighbours that vote. */
    public static final Param<Integer> K = Param.ofInt("k", KnnClassifier.DEFAULT_K,
            "neighbours that vote (Wu et al. 2018: 200 on ImageNet; 20 is the usual choice on small sets)").atLeast(1);
    /** Vote temperature. */
    public static final Param<Double> TEMPERATURE = Param.ofDouble("temperature", KnnClassifier.DEFAULT_TEMPERATURE,
            "T of the vote weights exp(cosine/T)").above(0);
    /** Queries per similarity product. */
    public static final Param<Integer> BATCH_SIZE = Param.ofInt("batch-size", 1024,
            "test rows scored per similarity product (memory, not results)").atLeast(1);

    public KnnProbeProvider() {
        super(Versions.SPI_VERSION, "knn", "Weighted cosine k-nearest-neighbours of the labelled rows",
                List.of(K, TEMPERATURE, BATCH_SIZE));
    }

    @Override
    public Probe create(ParamValues p) {
        return new KnnClassifier(p.get(K), p.get(TEMPERATURE), p.get(BATCH_SIZE));
    }
}
