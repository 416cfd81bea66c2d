package org.pretext.datasets.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Class indices for raw label values: the distinct values sorted (numerically when every value is
 * an integer, so labels 0..K−1 keep their numbers; otherwise as text), index = rank. Class names
 * are the values themselves.
 */
public final class LabelCoding {
    private final List<String> names;
    private final Map<String, Integer> index = new HashMap<>();

    private LabelCoding(List<String> names) {
        this.names = List.copyOf(names);
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
    }

    /** The coding of a collection of raw values (duplicates allowed). */
    public static LabelCoding of(Collection<String> values) {
        boolean numeric = true;
        for (String v : values) {
            if (!isInteger(v)) {
                numeric = false;
                break;
            }
        }
        Comparator<String> order = numeric ? Comparator.comparing(java.math.BigInteger::new)
                : Comparator.naturalOrder();
        TreeSet<String> distinct = new TreeSet<>(order);
        for (String v : values) {
            distinct.add(numeric ? new java.math.BigInteger(v).toString() : v);
        }
        return new LabelCoding(new ArrayList<>(distinct));
    }

    private static boolean isInteger(String v) {
        if (v.isEmpty()) {
            return false;
        }
        int i = v.charAt(0) == '-' || v.charAt(0) == '+' ? 1 : 0;
        if (i == v.length()) {
            return false;
        }
        for (; i < v.length(); i++) {
            if (!Character.isDigit(v.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The class index of a raw value; -1 if it was not among the values the coding was made from. */
    public int indexOf(String value) {
        Integer i = index.get(value);
        if (i == null && isInteger(value)) {
            i = index.get(new java.math.BigInteger(value).toString());
        }
        return i == null ? -1 : i;
    }

    /** Class names by index. */
    public List<String> classNames() {
        return names;
    }

    /** The indices of raw values. */
    public int[] encode(List<String> values) {
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = indexOf(values.get(i));
        }
        return out;
    }
}
