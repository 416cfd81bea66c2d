package org.example.pretext;

import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;
import org.pretext.transform.AugmentationParams;

/**
 * {@code align-uniform}: an objective that lives outside Pretext. Dropping this jar on the
 * runner's class path (or into plugins/ beside pretext.jar, or a folder named by --plugins) makes
 * it appear in {@code list} and run with {@code --objective align-uniform}; the file
 * META-INF/services/org.pretext.objective.ObjectiveProvider is all the registration there is.
 */
public final class AlignUniformObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    public static final Param<Double> T = Param.ofDouble("t", 2.0, "uniformity temperature t").above(0);
    public static final Param<Double> LAMBDA = Param.ofDouble("lambda", 1.0, "weight λ of the uniformity term")
            .atLeast(0);

    public AlignUniformObjectiveProvider() {
        // name, description and parameters once; Versions.SPI_VERSION is a compile-time constant, copied into
        // this class, so a runner of another SPI refuses this jar by name
        super(Versions.SPI_VERSION, "align-uniform",
                "Alignment and uniformity on the hypersphere (Wang and Isola 2020), a plug-in objective",
                join(List.of(T, LAMBDA), AugmentationParams.ALL));
    }

    @Override
    public Objective create(ParamValues p) {
        return new AlignUniformObjective(p.get(T), p.get(LAMBDA), shape -> AugmentationParams.build(p, shape));
    }
}
