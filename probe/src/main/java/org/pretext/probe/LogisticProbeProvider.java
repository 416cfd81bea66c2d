package org.pretext.probe;

import java.util.Arrays;
import java.util.List;
import org.pretext.Versions;
import org.pretext.evaluation.Probe;
import org.pretext.evaluation.ProbeProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;

/**
 * {@code logistic}: the linear probe, multinomial logistic regression on standardised features
 * with L2 strength chosen on the training labels only; see {@link LogisticProbe} and
 * {@link LogisticOptions#defaults()} for the measured reasons behind each default.
 */
public final class LogisticProbeProvider extends ProviderBase implements ProbeProvider {
    private static final LogisticOptions DEFAULTS = LogisticOptions.defaults();
    /** Candidate C. */
    public static final Param<String> C_GRID = Param.ofString("c-grid", String.join(",",
            Arrays.stream(LogisticOptions.DEFAULT_GRID).mapToObj(c -> String.valueOf(c)).toList()),
            "candidate inverse L2 strengths C = 1/λ, comma-separated (scikit-learn's C: the loss is a sum)");
    /** Cross-validation folds. */
    public static final Param<Integer> FOLDS = Param.ofInt("folds", DEFAULTS.folds(),
            "folds of the cross-validation that chooses C on small labelled subsets").atLeast(2);
    /** Largest subset chosen by cross-validation. */
    public static final Param<Integer> CROSS_VALIDATION_MAX_ROWS = Param.ofInt("cross-validation-max-rows",
            DEFAULTS.crossValidationMaxRows(), "labelled subsets up to this many rows choose C by cross-validation,"
            + " larger ones on one held-out split (0: always one split)").atLeast(0);
    /** Held-out fraction of large subsets. */
    public static final Param<Double> VALIDATION_FRACTION = Param.ofDouble("validation-fraction",
            DEFAULTS.validationFraction(), "fraction of each class held out to choose C on large subsets").above(0);
    /** Early stop of the C path. */
    public static final Param<Integer> PATIENCE = Param.ofInt("patience", DEFAULTS.patience(),
            "stop the C path after this many candidates without improvement (0: try every C)").atLeast(0);
    /** Solver iterations. */
    public static final Param<Integer> MAX_ITERATIONS = Param.ofInt("max-iterations", DEFAULTS.solver().maxIterations(),
            "L-BFGS iterations per fit at most").atLeast(1);

    public LogisticProbeProvider() {
        super(Versions.SPI_VERSION, "logistic", "Linear probe: multinomial logistic regression, L2 chosen on the"
                + " training labels", List.of(C_GRID, FOLDS, CROSS_VALIDATION_MAX_ROWS, VALIDATION_FRACTION, PATIENCE,
                        MAX_ITERATIONS));
    }

    @Override
    public Probe create(ParamValues p) {
        double[] grid;
        try {
            grid = Arrays.stream(p.get(C_GRID).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .mapToDouble(Double::parseDouble).toArray();
        } catch (NumberFormatException e) {
            throw new org.pretext.param.ParamException(p.owner(), C_GRID.name(), p.get(C_GRID),
                    "comma-separated numbers > 0, e.g. 0.01,0.1,1");
        }
        return new LogisticProbe(DEFAULTS.withGrid(grid).withCrossValidation(p.get(FOLDS),
                p.get(CROSS_VALIDATION_MAX_ROWS)).withValidationFraction(p.get(VALIDATION_FRACTION))
                .withPatience(p.get(PATIENCE)).withSolver(Lbfgs.Options.sklearnLike(p.get(MAX_ITERATIONS))));
    }
}
