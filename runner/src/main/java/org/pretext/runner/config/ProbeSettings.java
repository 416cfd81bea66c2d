package org.pretext.runner.config;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pretext.evaluation.ProbeProvider;
import org.pretext.probe.LabelBudget;
import org.pretext.probe.NamedProbe;
import org.pretext.probe.ProbeOptions;
import org.pretext.registry.ProviderRegistry;
import java.util.List;
import org.pretext.PretextException;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/** The {@code probe:} section of a config: every key documented here. */
public final class ProbeSettings {
    public static final Param<String> LABELS_PER_CLASS = Param.ofString("labels-per-class", "10,all",
            "label budgets: labels per class drawn from the training split, or 'all' (e.g. [1, 10, all])").formerly("labelsPerClass");
    public static final Param<Integer> DRAWS = Param.ofInt("draws", 5,
            "random draws of the labelled subset per budget (mean and standard deviation are reported)").atLeast(1);
    public static final Param<String> FEATURES = Param.ofString("features", "pretrained,random-encoder,raw-input",
            "feature sets to probe: pretrained, random-encoder (same encoder, untrained), raw-input");
    public static final Param<String> PROBES = Param.ofString("probes", "logistic",
            "probes to run, by name: the built-in logistic (linear probe), knn, mean (nearest class mean), or a"
            + " plug-in's (see 'list')");
    public static final Param<java.util.Map<String, Object>> PARAMS = Param.ofSection("params",
            "each probe's parameters by probe name, e.g. {knn: {k: 10, temperature: 0.1}} or --set"
            + " probe.params.knn.k=10 (see 'list' for every probe's keys)");
    public static final Param<Integer> BATCH_SIZE = Param.ofInt("batch-size", 1024,
            "examples per batch for feature extraction").atLeast(1).formerly("batchSize");
    public static final Param<Boolean> ENABLED = Param.ofBoolean("enabled", true, "run the probes after pretraining");
    public static final Param<Integer> MONITOR_EVERY = Param.ofInt("monitor-every", 10,
            "during pretraining, kNN accuracy (k=20, T=0.07) of 1,000 labelled training examples on 1,000 test"
            + " examples every N epochs, logged as knnAccuracy (0: off; off anyway without labels)").atLeast(0).formerly("monitorEvery");

    public static final Param<Double> ROBUST_EPSILON = Param.ofDouble("robust-epsilon", 0.0,
            "adversarial robustness of the linear probe: L∞ radius ε of a PGD attack, in input units, on the"
            + " classifier encoder → standardiser → logistic probe fitted on all labels of the pretrained features,"
            + " run on the test inputs; clean and robust accuracy go into report.json ('robust') (0: off; 8/255 ="
            + " 0.0314 is the adversarial objective's training radius on [0, 1] pixels)").atLeast(0).formerly("robustEpsilon");
    public static final Param<Double> ROBUST_STEP_SIZE = Param.ofDouble("robust-step-size", 0.0,
            "α, the size of each signed-gradient PGD step (0: ε/4)").atLeast(0).formerly("robustStepSize");
    public static final Param<Integer> ROBUST_STEPS = Param.ofInt("robust-steps", 20,
            "PGD ascent steps, each a forward and backward pass of the encoder on the attacked examples (0: the"
            + " random start alone)").atLeast(0).formerly("robustSteps");
    public static final Param<Boolean> ROBUST_RANDOM_START = Param.ofBoolean("robust-random-start", true,
            "start each attack from a uniform random point of the ε-ball (seeded by the run seed)").formerly("robustRandomStart");
    public static final Param<Double> ROBUST_MIN = Param.ofDouble("robust-min", 0.0,
            "lowest valid input value: attacked inputs are clamped to [robustMin, robustMax] (Pretext's image"
            + " datasets give pixels in [0, 1])").formerly("robustMin");
    public static final Param<Double> ROBUST_MAX = Param.ofDouble("robust-max", 1.0, "highest valid input value").formerly("robustMax");
    public static final Param<Integer> ROBUST_EXAMPLES = Param.ofInt("robust-examples", 0,
            "attack the first N test examples only (0: the whole test split)").atLeast(0).formerly("robustExamples");

    /** Every key of the section. */
    public static final List<Param<?>> ALL = List.of(LABELS_PER_CLASS, DRAWS, FEATURES, PROBES, PARAMS, BATCH_SIZE, ENABLED,
            MONITOR_EVERY, ROBUST_EPSILON, ROBUST_STEP_SIZE, ROBUST_STEPS, ROBUST_RANDOM_START, ROBUST_MIN, ROBUST_MAX,
            ROBUST_EXAMPLES);
    /** Examples attacked together by the robust-accuracy measurement. */
    public static final int ROBUST_BATCH_SIZE = 256;
    /** Known feature sets. */
    public static final List<String> FEATURE_SETS = List.of("pretrained", "random-encoder", "raw-input");

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
                    throw new PretextException("Invalid value '" + part + "' in probe.labels-per-class: expected"
                            + " positive integers or 'all', e.g. [10, all]");
                }
            }
        }
        return out;
    }

    /**
     * The probe module's options from the config's {@code probe:} section: each name in
     * {@code probes} found among the probe providers, with its parameters from
     * {@code params.<name>}.
     */
    public static ProbeOptions options(ParamValues probe, long seed, Device device,
            ProviderRegistry<ProbeProvider> probes) {
        List<LabelBudget> budgets = budgets(probe).stream()
                .map(k -> k == null ? LabelBudget.all() : LabelBudget.of(k)).toList();
        List<String> names = probeNames(probe);
        Map<String, Object> params = probe.get(PARAMS);
        for (String key : params.keySet()) {
            if (!names.contains(key)) {
                throw new PretextException("Config key 'probe.params." + key + "' names no probe of probe.probes "
                        + names + ": expected parameters of a probe that runs");
            }
        }
        List<NamedProbe> chosen = new ArrayList<>();
        for (String name : names) {
            ProbeProvider provider = probes.get(name);
            Object raw = params.getOrDefault(name, Map.of());
            if (!(raw instanceof Map<?, ?> m)) {
                throw new PretextException("Config key 'probe.params." + name + "' must be a section of the probe's"
                        + " parameters (e.g. {k: 10}), not '" + raw + "'");
            }
            Map<String, Object> values = new LinkedHashMap<>();
            m.forEach((k, v) -> values.put(String.valueOf(k), v));
            chosen.add(NamedProbe.of(provider, values));
        }
        return ProbeOptions.defaults(device).withBudgets(budgets).withDraws(probe.get(DRAWS))
                .withSeed(seed).withProbes(chosen);
    }

    /** Whether the robust-accuracy measurement is on (ε > 0). */
    public static boolean robust(ParamValues v) {
        return v.get(ROBUST_EPSILON) > 0;
    }

    /** The robust-accuracy settings; checks the valid range. */
    public static org.pretext.probe.RobustAccuracy.Settings robustSettings(ParamValues v, long seed) {
        if (!(v.get(ROBUST_MAX) > v.get(ROBUST_MIN))) {
            throw new PretextException("Invalid probe.robust-max " + v.get(ROBUST_MAX) + ": expected a number >"
                    + " probe.robust-min (" + v.get(ROBUST_MIN) + ")");
        }
        return new org.pretext.probe.RobustAccuracy.Settings(v.get(ROBUST_EPSILON), v.get(ROBUST_STEP_SIZE),
                v.get(ROBUST_STEPS), v.get(ROBUST_RANDOM_START), v.get(ROBUST_MIN), v.get(ROBUST_MAX),
                v.get(ROBUST_EXAMPLES), ROBUST_BATCH_SIZE, org.pretext.Seeds.derive(seed, 0x0b057L));
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

    /**
     * {@code --probe-param} values ({@code knn.k=5}) as the {@code params} section:
     * {@code {knn: {k: "5"}}}.
     */
    public static java.util.Map<String, Object> parseProbeParams(List<String> assignments) {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (String a : assignments) {
            int dot = a.indexOf('.');
            int eq = a.indexOf('=');
            if (dot <= 0 || eq < dot + 2) {
                throw new PretextException("Invalid --probe-param '" + a + "': expected PROBE.KEY=VALUE, e.g. knn.k=5");
            }
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> probe = (java.util.Map<String, Object>) out.computeIfAbsent(
                    a.substring(0, dot).trim(), k -> new java.util.LinkedHashMap<String, Object>());
            probe.put(a.substring(dot + 1, eq).trim(), a.substring(eq + 1).trim());
        }
        return out;
    }

    /** The probes' names, in the order given. */
    public static List<String> probeNames(ParamValues v) {
        return split(v.get(PROBES));
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
