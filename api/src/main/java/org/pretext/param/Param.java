package org.pretext.param;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One typed, documented parameter of a provider: its name, type, default, description and the
 * range of values it accepts. Values arrive as strings (command line) or as parsed YAML/JSON
 * scalars; {@link #parse} turns either into the declared type or says what was expected.
 *
 * @param <T> the Java type of the value
 */
public final class Param<T> {
    /** The value types a parameter can have. */
    public enum Type {
        INT, LONG, DOUBLE, BOOLEAN, STRING, CHOICE
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
    private final String maxNote;

    private Param(String name, Type type, T defaultValue, String description, Double min,
            boolean minExclusive, Double max, boolean maxExclusive, List<String> choices) {
        this(name, type, defaultValue, description, min, minExclusive, max, maxExclusive, choices, null);
    }

    private Param(String name, Type type, T defaultValue, String description, Double min,
            boolean minExclusive, Double max, boolean maxExclusive, List<String> choices, String maxNote) {
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

    /** This parameter with values required to be {@code >= min}. */
    public Param<T> atLeast(double min) {
        return new Param<>(name, type, defaultValue, description, min, false, max, maxExclusive, choices, maxNote);
    }

    /** This parameter with values required to be {@code > min}. */
    public Param<T> above(double min) {
        return new Param<>(name, type, defaultValue, description, min, true, max, maxExclusive, choices, maxNote);
    }

    /**
     * A thread count: at most the processors available to this JVM
     * ({@link Runtime#availableProcessors()}), since more threads than cores only add contention,
     * and thousands of native threads can hang a machine.
     */
    public Param<T> atMostProcessors() {
        return new Param<>(name, type, defaultValue, description, min, minExclusive,
                (double) Runtime.getRuntime().availableProcessors(), false, choices,
                "the processors available to Java");
    }

    /** This parameter with values required to be {@code <= max}. */
    public Param<T> atMost(double max) {
        return new Param<>(name, type, defaultValue, description, min, minExclusive, max, false, choices, null);
    }

    /** This parameter with values required to be {@code < max}. */
    public Param<T> below(double max) {
        return new Param<>(name, type, defaultValue, description, min, minExclusive, max, true, choices, null);
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
        if (raw == null) {
            if (type == Type.STRING) {
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
