package org.pretext.param;

import org.apiguardian.api.API;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One typed, documented parameter of a provider: its name, type, default, description and the
 * range of values it accepts. Values arrive as strings (command line) or as parsed YAML/JSON
 * scalars; {@link #parse} turns either into the declared type or says what was expected.
 *
 * @param <T> the Java type of the value
 */
@API(status = API.Status.STABLE, since = "0.1")
public final class Param<T> {
    /** The value types a parameter can have. */
    public enum Type {
        INT, LONG, DOUBLE, BOOLEAN, STRING, CHOICE,
        /** A file or folder, resolved against the working directory. */
        PATH,
        /** A nested section of key/value pairs, e.g. a wrapped objective's own parameters. */
        SECTION
    }

    private final String name;
    private final Type type;
    private final T defaultValue;
    private final String description;
    private final Double min;
    private final boolean minExclusive;
    private final Double max;
    private final boolean maxExclusive;
    private final List<String> choices;
    private final boolean required;
    private final String deprecatedName;
    private final String maxNote;

    private Param(String name, Type type, T defaultValue, String description, Double min,
            boolean minExclusive, Double max, boolean maxExclusive, List<String> choices) {
        this(name, type, defaultValue, description, min, minExclusive, max, maxExclusive, choices, false, null, null);
    }

    private Param(String name, Type type, T defaultValue, String description, Double min, boolean minExclusive,
            Double max, boolean maxExclusive, List<String> choices, boolean required, String deprecatedName,
            String maxNote) {
        if (!name.matches("[a-z][a-zA-Z0-9-]*")) {
            throw new IllegalArgumentException("parameter name '" + name
                    + "' must start with a lower-case letter and hold only letters, digits and '-'");
        }
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = Objects.requireNonNull(description, "description");
        this.min = min;
        this.minExclusive = minExclusive;
        this.max = max;
        this.maxExclusive = maxExclusive;
        this.choices = choices;
        this.required = required;
        this.deprecatedName = deprecatedName;
        this.maxNote = maxNote;
    }

    public static Param<Integer> ofInt(String name, int defaultValue, String description) {
        return new Param<>(name, Type.INT, defaultValue, description, null, false, null, false, null);
    }

    public static Param<Long> ofLong(String name, long defaultValue, String description) {
        return new Param<>(name, Type.LONG, defaultValue, description, null, false, null, false, null);
    }

    public static Param<Double> ofDouble(String name, double defaultValue, String description) {
        return new Param<>(name, Type.DOUBLE, defaultValue, description, null, false, null, false, null);
    }

    public static Param<Boolean> ofBoolean(String name, boolean defaultValue, String description) {
        return new Param<>(name, Type.BOOLEAN, defaultValue, description, null, false, null, false, null);
    }

    /** A free-form string; {@code defaultValue} may be null for "not set". */
    public static Param<String> ofString(String name, String defaultValue, String description) {
        return new Param<>(name, Type.STRING, defaultValue, description, null, false, null, false, null);
    }

    /** One of a fixed list of strings. */
    public static Param<String> ofChoice(String name, String defaultValue, List<String> choices,
            String description) {
        if (!choices.contains(defaultValue)) {
            throw new IllegalArgumentException("default '" + defaultValue + "' of " + name
                    + " is not among " + choices);
        }
        return new Param<>(name, Type.CHOICE, defaultValue, description, null, false, null, false,
                List.copyOf(choices));
    }

    /** A file or folder path; {@code defaultValue} may be null for "not set". */
    public static Param<java.nio.file.Path> ofPath(String name, String defaultValue, String description) {
        return new Param<>(name, Type.PATH, defaultValue == null ? null : java.nio.file.Path.of(defaultValue),
                description, null, false, null, false, null);
    }

    /**
     * A nested section: a map of keys to values (from YAML, a mapping; on the command line,
     * {@code --set a.b.key=value} or the legacy {@code key=value,key=value} text), validated later by
     * whoever owns the keys, e.g. a wrapped objective's provider. Empty by default.
     */
    public static Param<Map<String, Object>> ofSection(String name, String description) {
        return new Param<>(name, Type.SECTION, Map.of(), description, null, false, null, false, null);
    }

    /** This parameter with no default: a value must be given. */
    public Param<T> required() {
        return new Param<>(name, type, null, description, min, minExclusive, max, maxExclusive, choices, true, deprecatedName, maxNote);
    }

    /**
     * This parameter also accepting an older spelling of its name, with a deprecation warning, so
     * that configs written before a rename keep working.
     */
    public Param<T> formerly(String oldName) {
        return new Param<>(name, type, defaultValue, description, min, minExclusive, max, maxExclusive, choices,
                required, oldName, maxNote);
    }

    /** The older spelling still accepted, or null. */
    public String deprecatedName() {
        return deprecatedName;
    }

    /** Whether a value must be given (there is no default). */
    public boolean isRequired() {
        return required;
    }

    /** This parameter with values required to be {@code >= min}. */
    public Param<T> atLeast(double min) {
        return new Param<>(name, type, defaultValue, description, min, false, max, maxExclusive, choices, required, deprecatedName, maxNote);
    }

    /** This parameter with values required to be {@code > min}. */
    public Param<T> above(double min) {
        return new Param<>(name, type, defaultValue, description, min, true, max, maxExclusive, choices, required, deprecatedName, maxNote);
    }

    /**
     * A thread count: at most the processors available to this JVM
     * ({@link Runtime#availableProcessors()}), since more threads than cores only add contention,
     * and thousands of native threads can hang a machine.
     */
    public Param<T> atMostProcessors() {
        return new Param<>(name, type, defaultValue, description, min, minExclusive,
                (double) Runtime.getRuntime().availableProcessors(), false, choices, required, deprecatedName,
                "the processors available to Java");
    }

    /** This parameter with values required to be {@code <= max}. */
    public Param<T> atMost(double max) {
        return new Param<>(name, type, defaultValue, description, min, minExclusive, max, false, choices, required, deprecatedName, null);
    }

    /** This parameter with values required to be {@code < max}. */
    public Param<T> below(double max) {
        return new Param<>(name, type, defaultValue, description, min, minExclusive, max, true, choices, required, deprecatedName, null);
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** The accepted values in words, e.g. "a number > 0" or "one of [a, b]". */
    public String expectation() {
        StringBuilder sb = new StringBuilder();
        switch (type) {
            case INT -> sb.append("an integer");
            case LONG -> sb.append("an integer");
            case DOUBLE -> sb.append("a number");
            case BOOLEAN -> sb.append("true or false");
            case STRING -> sb.append("a string");
            case CHOICE -> sb.append("one of ").append(choices);
            case PATH -> sb.append("a file or folder path");
            case SECTION -> sb.append("a section of key: value pairs");
        }
        if (min != null && max != null) {
            sb.append(minExclusive ? " > " : " >= ").append(fmt(min));
            sb.append(" and").append(maxExclusive ? " < " : " <= ").append(fmt(max));
        } else if (min != null) {
            sb.append(minExclusive ? " > " : " >= ").append(fmt(min));
        } else if (max != null) {
            sb.append(maxExclusive ? " < " : " <= ").append(fmt(max));
        }
        if (maxNote != null) {
            sb.append(" (").append(maxNote).append(')');
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /**
     * Converts a raw value (a String, Number or Boolean) into this parameter's type, checking its
     * range.
     *
     * @param owner who the parameter belongs to, for the message (e.g. "objective 'simclr'")
     * @throws ParamException naming the owner, key, value and what was expected
     */
    @SuppressWarnings("unchecked")
    public T parse(String owner, Object raw) {
        if (type == Type.SECTION) {
            return (T) section(owner, raw);
        }
        if (raw == null) {
            if (type == Type.STRING || type == Type.PATH) {
                return null;
            }
            throw new ParamException(owner, name, "null", expectation());
        }
        String text = raw.toString().trim();
        Object value;
        try {
            value = switch (type) {
                case INT -> raw instanceof Number n && isWhole(n) ? Math.toIntExact(n.longValue())
                        : Integer.parseInt(text.replace("_", ""));
                case LONG -> raw instanceof Number n && isWhole(n) ? n.longValue()
                        : Long.parseLong(text.replace("_", ""));
                case DOUBLE -> raw instanceof Number n ? n.doubleValue() : Double.parseDouble(text);
                case BOOLEAN -> parseBoolean(text);
                case STRING -> text;
                case PATH -> {
                    if (text.isEmpty() || text.indexOf('\0') >= 0) {
                        throw new IllegalArgumentException();
                    }
                    yield java.nio.file.Path.of(text);
                }
                case SECTION -> throw new IllegalStateException();
                case CHOICE -> {
                    String lower = text.toLowerCase(Locale.ROOT);
                    if (!choices.contains(lower)) {
                        throw new IllegalArgumentException();
                    }
                    yield lower;
                }
            };
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ParamException(owner, name, text, expectation());
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            boolean ok = !Double.isNaN(d)
                    && (min == null || (minExclusive ? d > min : d >= min))
                    && (max == null || (maxExclusive ? d < max : d <= max));
            if (!ok) {
                throw new ParamException(owner, name, text, expectation());
            }
        }
        return (T) value;
    }

    private Map<String, Object> section(String owner, Object raw) {
        if (raw == null) {
            return Map.of();
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        if (raw instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), v));
            return java.util.Collections.unmodifiableMap(out);
        }
        String text = raw.toString();
        String separator = text.contains(";") ? ";" : ",";
        for (String entry : text.split(separator)) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new ParamException(owner, name, e, "key=value pairs separated by '" + separator
                        + "', or a section of key: value pairs");
            }
            String key = e.substring(0, eq).trim();
            if (out.put(key, e.substring(eq + 1).trim()) != null) {
                throw new ParamException(owner, name, text, "each key at most once ('" + key + "' is given twice)");
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static boolean isWhole(Number n) {
        return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                || (n.doubleValue() == Math.rint(n.doubleValue()) && !Double.isInfinite(n.doubleValue()));
    }

    private static boolean parseBoolean(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(text);
        };
    }

    @Override
    public String toString() {
        return name + " (" + expectation() + ", default " + defaultValue + "): " + description;
    }
}
