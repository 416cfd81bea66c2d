package org.pretext.probe;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.pretext.PretextException;
import org.pretext.evaluation.Probe;
import org.pretext.evaluation.ProbeProvider;
import org.pretext.param.ParamValues;

/**
 * A probe with the name the report gives it and the parameters it was made with (recorded as the
 * result's {@code settings}).
 *
 * @param name the provider's name, e.g. "knn"
 * @param probe the evaluation
 * @param settings every parameter's value, defaults included
 * @param copies makes another instance of the same probe with the same settings, one per worker
 *     thread of a suite that evaluates draws at once ({@link ProbeSuite#withWorkers}); null when
 *     the probe's draws must run one at a time
 */
public record NamedProbe(String name, Probe probe, Map<String, Object> settings, Supplier<Probe> copies) {
    /** A probe whose draws run one at a time (no copies). */
    public NamedProbe(String name, Probe probe, Map<String, Object> settings) {
        this(name, probe, settings, null);
    }

    public NamedProbe {
        Map<String, Object> plain = new java.util.LinkedHashMap<>();
        settings.forEach((k, v) -> plain.put(k, v instanceof Number || v instanceof Boolean || v instanceof String
                ? v : String.valueOf(v)));
        settings = java.util.Collections.unmodifiableMap(plain);
    }

    /**
     * The provider's probe with validated parameters ({@code raw} may be empty: the defaults). The
     * built-in probes come with copies, so a suite with workers evaluates their draws at once; a
     * plug-in's probe does not (its draws run one at a time): the SPI promises a probe one thread
     * and leaves it free to draw from the engine's global random generator, which concurrent draws
     * would share.
     */
    public static NamedProbe of(ProbeProvider provider, Map<String, ?> raw) {
        ParamValues values = ParamValues.resolve("probe '" + provider.name() + "'", provider.parameters(), raw);
        boolean builtIn = BUILT_IN.stream().anyMatch(b -> b.getClass() == provider.getClass());
        return new NamedProbe(provider.name(), provider.create(values), values.asMap(),
                builtIn ? () -> provider.create(values) : null);
    }

    /** A built-in probe ({@code logistic}, {@code knn}, {@code mean}) with its defaults. */
    public static NamedProbe builtIn(String name) {
        for (ProbeProvider p : BUILT_IN) {
            if (p.name().equals(name)) {
                return of(p, Map.of());
            }
        }
        throw new PretextException("Unknown probe '" + name + "': the built-in probes are logistic, knn and mean");
    }

    /** The built-in probes with their defaults, in report order: logistic, knn, mean. */
    public static List<NamedProbe> builtIns() {
        return BUILT_IN.stream().map(p -> of(p, Map.of())).toList();
    }

    private static final List<ProbeProvider> BUILT_IN = List.of(new LogisticProbeProvider(), new KnnProbeProvider(),
            new MeanProbeProvider());
}
