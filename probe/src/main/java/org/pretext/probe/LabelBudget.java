package org.pretext.probe;

import java.util.ArrayList;
import java.util.List;
import org.pretext.PretextException;

/**
 * How many labelled training examples a probe may use: {@code k} per class, or all of them.
 *
 * @param perClass labels per class, or null for all labels
 */
public record LabelBudget(Integer perClass) {
    /** The usual label-efficiency curve: 1, 5, 10, 50, 100 labels per class and all labels. */
    public static final List<LabelBudget> EFFICIENCY_CURVE = List.of(of(1), of(5), of(10), of(50), of(100), all());

    public LabelBudget {
        if (perClass != null && perClass < 1) {
            throw new PretextException("Invalid label budget " + perClass + " per class: expected at least 1");
        }
    }

    /** {@code k} labels per class. */
    public static LabelBudget of(int k) {
        return new LabelBudget(k);
    }

    /** Every labelled training example. */
    public static LabelBudget all() {
        return new LabelBudget(null);
    }

    public boolean isAll() {
        return perClass == null;
    }

    /** Parses {@code all} or a positive integer. */
    public static LabelBudget parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.equalsIgnoreCase("all")) {
            return all();
        }
        try {
            return of(Integer.parseInt(t));
        } catch (NumberFormatException e) {
            throw new PretextException("Invalid label budget '" + text + "': expected a positive number of labels per"
                    + " class or 'all'");
        }
    }

    /** Parses a comma-separated list such as {@code 1,5,10,all}. */
    public static List<LabelBudget> parseList(String text) {
        if (text == null || text.isBlank()) {
            throw new PretextException("Empty list of label budgets: expected e.g. '10,all'");
        }
        List<LabelBudget> out = new ArrayList<>();
        for (String part : text.split(",")) {
            LabelBudget b = parse(part);
            if (out.contains(b)) {
                throw new PretextException("Label budget '" + part.trim() + "' appears twice in '" + text + "'");
            }
            out.add(b);
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return isAll() ? "all" : perClass.toString();
    }
}
