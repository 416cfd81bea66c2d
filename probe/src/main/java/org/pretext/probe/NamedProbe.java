package org.pretext.probe;

import java.util.List;
import java.util.Map;
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
 */
public record NamedProbe(String name, Probe probe, Map<String, Object> settings) {
    public NamedProbe {
        Map<String, Object> plain = new java.util.LinkedHashMap<>();
        settings.forEach((k, v) -> plain.put(k, v instanceof Number || v instanceof Boolean || v instanceof String
                ? v : String.valueOf(v)));
        settings = java.util.Collections.unmodifiableMap(plain);
    }

    /** The provider's probe with validated parameters ({@code raw} may be empty: the defaults). */
    public static NamedProbe of(ProbeProvider provider, Map<String, ?> raw) {
        ParamValues values = ParamValues.resolve("probe '" + provider.name() + "'", provider.parameters(), raw);
        return new NamedProbe(provider.name(), provider.create(values), values.asMap());
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
