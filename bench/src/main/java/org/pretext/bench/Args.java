package org.pretext.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --key value} pairs. */
final class Args {
    private Args() {}

    static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --key value, got '" + args[i] + "'");
            }
            String key = args[i].substring(2);
            String value = i + 1 < args.length && !args[i + 1].startsWith("--") ? args[++i] : "true";
            m.put(key, value);
        }
        return m;
    }

    /**
     * Refuses an option not in {@code known}, naming it and the ones there are (a misspelt flag would
     * otherwise be ignored, and a run of half an hour start without it).
     */
    static void requireKnown(Map<String, String> args, java.util.Collection<String> known) {
        for (String key : args.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key + "; the options are --"
                        + String.join(", --", known));
            }
        }
    }

    /** The whole number given for {@code --key}, or {@code fallback}; a clear error for anything else. */
    static int integer(Map<String, String> args, String key, int fallback) {
        return Math.toIntExact(longValue(args, key, fallback));
    }

    /** The whole number given for {@code --key}, or {@code fallback}; a clear error for anything else. */
    static long longValue(Map<String, String> args, String key, long fallback) {
        String v = args.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " expects a whole number, not '" + v + "'");
        }
    }
}
