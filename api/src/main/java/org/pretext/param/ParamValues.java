package org.pretext.param;

import org.apiguardian.api.API;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Validated parameter values of one provider: every declared parameter has a value (given or its
 * default), every given key was declared, and every value fits its type and range.
 */
@API(status = API.Status.STABLE, since = "0.1")
public final class ParamValues {
    private final String owner;
    private final Map<String, Param<?>> specs;
    private final Map<String, Object> values;

    private ParamValues(String owner, Map<String, Param<?>> specs, Map<String, Object> values) {
        this.owner = owner;
        this.specs = specs;
        this.values = values;
    }

    /**
     * Validates raw values against declared parameters.
     *
     * @param owner who the parameters belong to, used in messages (e.g. "objective 'simclr'")
     * @param declared the provider's parameters
     * @param raw given values by key: Strings, Numbers or Booleans
     * @throws ParamException for an unknown key (listing the known ones) or a bad value
     */
    public static ParamValues resolve(String owner, List<Param<?>> declared, Map<String, ?> raw) {
        Map<String, Param<?>> specs = new LinkedHashMap<>();
        for (Param<?> p : declared) {
            if (specs.put(p.name(), p) != null) {
                throw new IllegalStateException(owner + " declares parameter '" + p.name() + "' twice");
            }
        }
        Map<String, Object> renamed = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : raw.entrySet()) {
            String key = e.getKey();
            Param<?> current = specs.containsKey(key) ? null : declared.stream()
                    .filter(p -> key.equals(p.deprecatedName())).findFirst().orElse(null);
            if (current != null) {
                deprecations.accept("'" + key + "' of " + owner + " is now spelt '" + current.name()
                        + "'; the old spelling is still read");
                if (raw.containsKey(current.name())) {
                    throw new ParamException("Parameter '" + current.name() + "' of " + owner + " is given twice, as '"
                            + current.name() + "' and under its old spelling '" + key + "'", key);
                }
            }
            renamed.put(current != null ? current.name() : key, e.getValue());
        }
        raw = renamed;
        for (String key : raw.keySet()) {
            if (!specs.containsKey(key)) {
                String nearest = Suggestions.nearest(key, specs.keySet());
                throw new ParamException("Unknown parameter '" + key + "' for " + owner
                        + (nearest != null ? ": did you mean '" + nearest + "'?" : "")
                        + (specs.isEmpty() ? ": it takes no parameters"
                                : (nearest != null ? " Expected one of " : ": expected one of ")
                                + new TreeSet<>(specs.keySet())), key);
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Param<?> p : declared) {
            if (p.isRequired() && raw.get(p.name()) == null) {
                throw new ParamException(owner, p.name(), "nothing", p.expectation() + " (required: it has no default)");
            }
            values.put(p.name(), raw.containsKey(p.name()) ? p.parse(owner, raw.get(p.name())) : p.defaultValue());
        }
        return new ParamValues(owner, specs, Collections.unmodifiableMap(values));
    }

    private static volatile java.util.function.Consumer<String> deprecations =
            message -> System.err.println("warning: " + message);

    /** Sends a deprecation warning where {@link #deprecationWarnings} says. */
    public static void warnDeprecated(String message) {
        deprecations.accept(message);
    }

    /** Where deprecation warnings go (standard error by default), e.g. a list in a test. */
    public static void deprecationWarnings(java.util.function.Consumer<String> sink) {
        deprecations = java.util.Objects.requireNonNull(sink);
    }

    /** All defaults. */
    public static ParamValues defaults(String owner, List<Param<?>> declared) {
        return resolve(owner, declared, Map.of());
    }

    /** The value of a declared parameter. */
    @SuppressWarnings("unchecked")
    public <T> T get(Param<T> param) {
        if (specs.get(param.name()) == null) {
            throw new IllegalArgumentException(owner + " has no parameter '" + param.name() + "'");
        }
        return (T) values.get(param.name());
    }

    /** Who these values belong to. */
    public String owner() {
        return owner;
    }

    /** Values by key, in declaration order; for provenance and resolved configs. */
    public Map<String, Object> asMap() {
        return values;
    }

    /**
     * Checks a relation between values that no single range can state; throws naming the key.
     */
    public void require(boolean condition, String key, String expected) {
        if (!condition) {
            throw new ParamException(owner, key, String.valueOf(values.get(key)), expected);
        }
    }

    @Override
    public String toString() {
        return owner + " " + values;
    }
}
