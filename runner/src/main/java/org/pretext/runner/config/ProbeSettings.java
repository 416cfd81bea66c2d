package org.pretext.runner.config;

import java.util.ArrayList;
import java.util.List;
import org.pretext.PretextException;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/** The {@code probe:} section of a config: every key documented here. */
public final class ProbeSettings {
    public static final Param<String> LABELS_PER_CLASS = Param.ofString("labelsPerClass", "10,all",
            "label budgets: labels per class drawn from the training split, or 'all' (e.g. [1, 10, all])");
    public static final Param<Integer> DRAWS = Param.ofInt("draws", 5,
            "random draws of the labelled subset per budget (mean and standard deviation are reported)").atLeast(1);
    public static final Param<String> FEATURES = Param.ofString("features", "pretrained,random-encoder,raw-input",
            "feature sets to probe: pretrained, random-encoder (same encoder, untrained), raw-input");
    public static final Param<String> PROBES = Param.ofString("probes", "logistic",
            "probes to run: logistic (linear probe), knn, mean (nearest class mean)");
    public static final Param<Integer> BATCH_SIZE = Param.ofInt("batchSize", 1024,
            "examples per batch for feature extraction").atLeast(1);
    public static final Param<Boolean> ENABLED = Param.ofBoolean("enabled", true, "run the probes after pretraining");
    public static final Param<Integer> MONITOR_EVERY = Param.ofInt("monitorEvery", 10,
            "during pretraining, kNN accuracy (k=20, T=0.07) of 1,000 labelled training examples on 1,000 test"
            + " examples every N epochs, logged as knnAccuracy (0: off; off anyway without labels)").atLeast(0);

    /** Every key of the section. */
    public static final List<Param<?>> ALL = List.of(LABELS_PER_CLASS, DRAWS, FEATURES, PROBES, BATCH_SIZE, ENABLED,
            MONITOR_EVERY);
    /** Known feature sets. */
    public static final List<String> FEATURE_SETS = List.of("pretrained", "random-encoder", "raw-input");
    /** Known probes. */
    public static final List<String> PROBE_KINDS = List.of("logistic", "knn", "mean");

    private ProbeSettings() {}

    /** Budgets as labels per class, null for "all", in the order given. */
    public static List<Integer> budgets(ParamValues v) {
        List<Integer> out = new ArrayList<>();
        for (String part : split(v.get(LABELS_PER_CLASS))) {
            if (part.equalsIgnoreCase("all")) {
                out.add(null);
            } else {
                try {
                    int k = Integer.parseInt(part);
                    if (k < 1) {
                        throw new NumberFormatException();
                    }
                    out.add(k);
                } catch (NumberFormatException e) {
                    throw new PretextException("Invalid value '" + part + "' in probe.labelsPerClass: expected"
                            + " positive integers or 'all', e.g. [10, all]");
                }
            }
        }
        return out;
    }

    /** A comma-separated list checked against known names. */
    public static List<String> names(ParamValues v, Param<String> key, List<String> known) {
        List<String> out = split(v.get(key));
        for (String s : out) {
            if (!known.contains(s)) {
                throw new PretextException("Invalid value '" + s + "' in probe." + key.name() + ": expected any of "
                        + known);
            }
        }
        return out;
    }

    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        for (String p : text.split(",")) {
            if (!p.isBlank()) {
                out.add(p.trim());
            }
        }
        return out;
    }
}
