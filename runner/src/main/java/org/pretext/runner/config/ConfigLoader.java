package org.pretext.runner.config;

import org.pretext.training.TrainingSettings;
import org.pretext.runtime.DeviceSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.pretext.PretextException;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Reads and merges configuration: the bundled defaults, a YAML file, flags and {@code --set
 * key.path=value} overrides, then validates every key before anything trains. YAML is read with
 * SnakeYAML's {@link SafeConstructor}: plain maps, lists and scalars only, never objects.
 */
public final class ConfigLoader {
    /** Top-level keys and what they hold. */
    public static final Map<String, String> TOP_LEVEL = topLevel();
    private static final List<String> SECTIONS = List.of("dataset", "encoder", "objective");
    static final Param<Long> SEED = Param.ofLong("seed", 42, "run seed");
    static final Param<String> DEVICE = Param.ofChoice("device", "auto", List.of("auto", "cpu", "gpu"),
            "training device");
    static final Param<String> DEVICES = Param.ofString("devices", "1",
            "replicas of the encoder for data-parallel pretraining: N, auto or GPU ids such as 0,1,3");
    static final Param<Integer> THREADS = Param.ofInt("threads", 0, "engine intra-op threads (0: one per core)")
            .atLeast(0).atMostProcessors();

    private ConfigLoader() {}

    private static Map<String, String> topLevel() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("seed", "run seed (integer)");
        m.put("device", "auto, cpu or gpu");
        m.put("devices", "data-parallel replicas: N, auto or GPU ids (e.g. 0,1,3); 1 by default");
        m.put("threads", "engine intra-op threads (0: one per core)");
        m.put("dataset", "dataset provider: name and parameters");
        m.put("encoder", "encoder provider: name and parameters");
        m.put("objective", "objective provider: name and parameters");
        m.put("training", "pretraining settings");
        m.put("probe", "linear-evaluation settings");
        m.put("finetune", "fine-tuning settings: when present, run fine-tunes the encoder after probing");
        m.put(org.pretext.runner.mining.MiningSettings.SECTION, "mining-based zero-shot labels for the probes (patterns,"
                + " per-class, corpus, prompt)");
        return m;
    }

    /** The bundled defaults. */
    public static Map<String, Object> defaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("/org/pretext/runner/default.yaml")) {
            return asMap(yaml().load(in), "bundled default.yaml");
        } catch (IOException e) {
            throw new PretextException("cannot read the bundled default configuration", e);
        }
    }

    /** A YAML config file as a map; errors name the file and line. */
    public static Map<String, Object> read(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object o = yaml().load(r);
            return o == null ? new LinkedHashMap<>() : asMap(o, file.toString());
        } catch (NoSuchFileException e) {
            throw new PretextException("Config file " + file + " does not exist");
        } catch (YAMLException e) {
            throw new PretextException("Config file " + file + " is not valid YAML: " + e.getMessage()
                    .replace("\n", " "), e);
        } catch (IOException e) {
            throw new PretextException("Config file " + file + " could not be read: " + e.getMessage(), e);
        }
    }

    /** Deep-merges {@code overlay} into {@code base}; a provider section whose name changes loses its old parameters. */
    /**
     * A settings section with keys under their old camelCase spellings ({@code learningRate})
     * renamed to the current ones ({@code learning-rate}), with a deprecation warning, so that an
     * old file or --set overrides the default it means instead of standing beside it.
     */
    static Map<String, Object> renamed(String section, Map<String, Object> settings) {
        List<Param<?>> declared = section.equals("training") ? TrainingSettings.ALL
                : section.equals("probe") ? ProbeSettings.ALL
                : section.equals(FinetuneSettings.SECTION) ? FinetuneSettings.ALL : List.of();
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : settings.entrySet()) {
            String key = e.getKey();
            Param<?> current = declared.stream().filter(p -> key.equals(p.deprecatedName())).findFirst().orElse(null);
            if (current != null) {
                ParamValues.warnDeprecated("config key '" + section + "." + key + "' is now spelt '" + section + "."
                        + current.name() + "'; the old spelling is still read");
            }
            out.put(current != null ? current.name() : key, e.getValue());
        }
        return out;
    }

    public static void merge(Map<String, Object> base, Map<String, Object> overlay) {
        for (Map.Entry<String, Object> e : overlay.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            if (SECTIONS.contains(key)) {
                Map<String, Object> incoming = sectionMap(key, value);
                Map<String, Object> current = base.get(key) == null ? new LinkedHashMap<>() : sectionMap(key, base.get(key));
                if (incoming.containsKey("name") && !incoming.get("name").equals(current.get("name"))) {
                    current = new LinkedHashMap<>();
                }
                current.putAll(incoming);
                base.put(key, current);
            } else if (value instanceof Map<?, ?> m && base.get(key) instanceof Map<?, ?>) {
                @SuppressWarnings("unchecked")
                Map<String, Object> b = (Map<String, Object>) base.get(key);
                merge(b, renamed(key, asMap(m, key)));
            } else {
                base.put(key, value);
            }
        }
    }

    /** Applies {@code a.b=value}; the value is parsed as a YAML scalar or list ({@code 0.2}, {@code [10, all]}). */
    public static void set(Map<String, Object> tree, String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new PretextException("Invalid --set '" + assignment + "': expected key.path=value, e.g."
                    + " objective.temperature=0.2");
        }
        String path = assignment.substring(0, eq).trim();
        String text = assignment.substring(eq + 1).trim();
        Object value;
        try {
            value = text.isEmpty() ? "" : yaml().load(text);
        } catch (YAMLException e) {
            value = text;
        }
        String[] keys = path.split("\\.");
        Map<String, Object> overlay = new LinkedHashMap<>();
        Map<String, Object> cur = overlay;
        for (int i = 0; i < keys.length - 1; i++) {
            Map<String, Object> next = new LinkedHashMap<>();
            cur.put(keys[i], next);
            cur = next;
        }
        cur.put(keys[keys.length - 1], value);
        if (keys.length == 1 && SECTIONS.contains(keys[0])) {
            overlay.put(keys[0], Map.of("name", String.valueOf(value)));
        }
        merge(tree, overlay);
    }

    /** Validates a merged tree into a run config; every error names the key and what was expected. */
    public static RunConfig resolve(Map<String, Object> tree) {
        for (String key : tree.keySet()) {
            if (!TOP_LEVEL.containsKey(key)) {
                String nearest = org.pretext.param.Suggestions.nearest(key, TOP_LEVEL.keySet());
                throw new PretextException("Unknown config key '" + key + "': "
                        + (nearest != null ? "did you mean '" + nearest + "'? Expected" : "expected") + " one of "
                        + TOP_LEVEL.keySet());
            }
        }
        List<Param<?>> top = List.of(SEED, DEVICE, DEVICES, THREADS);
        Map<String, Object> scalars = new LinkedHashMap<>();
        for (String k : List.of("seed", "device", "devices", "threads")) {
            if (tree.containsKey(k)) {
                Object v = scalar(k, tree.get(k));
                scalars.put(k, k.equals("devices") && v != null ? String.valueOf(v) : v);
            }
        }
        ParamValues t = ParamValues.resolve("the config", top, scalars);
        try {
            DeviceSet.parse(t.get(DEVICES));
        } catch (PretextException e) {
            throw new PretextException("Config key 'devices': " + e.getMessage(), e);
        }
        ParamValues training = ParamValues.resolve("config section 'training'", TrainingSettings.ALL,
                flat("training", tree.get("training")));
        TrainingSettings.validate(training);
        ParamValues probe = ParamValues.resolve("config section 'probe'", ProbeSettings.ALL,
                flat("probe", tree.get("probe")));
        ProbeSettings.budgets(probe);
        ProbeSettings.names(probe, ProbeSettings.FEATURES, ProbeSettings.FEATURE_SETS);
        ProbeSettings.robustSettings(probe, 0);
        finetune(tree);
        org.pretext.runner.mining.MiningSettings.of(tree); // validated now; applied when the dataset opens
        return new RunConfig(tree, t.get(SEED), t.get(DEVICE), t.get(DEVICES), t.get(THREADS), section(tree, "dataset"), section(tree, "encoder"), section(tree, "objective"), training, probe);
    }

    /**
     * The validated {@code finetune:} section of a tree, or null when it has none (an empty section,
     * {@code finetune: {}}, asks for fine-tuning with every default).
     */
    public static ParamValues finetune(Map<String, Object> tree) {
        if (!tree.containsKey(FinetuneSettings.SECTION)) {
            return null;
        }
        Object v = tree.get(FinetuneSettings.SECTION);
        return FinetuneSettings.resolve(v == null ? Map.of() : flat(FinetuneSettings.SECTION, v));
    }

    /** The tree as YAML text, for the run's {@code config.yaml}. */
    public static String toYaml(Map<String, Object> tree) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        return new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(o), o).dump(tree);
    }

    private static Section section(Map<String, Object> tree, String key) {
        Object v = tree.get(key);
        if (v == null) {
            throw new PretextException("Config has no '" + key + "' section: expected " + key + ": {name: ...}");
        }
        Map<String, Object> m = sectionMap(key, v);
        Object name = m.remove("name");
        if (!(name instanceof String s) || s.isBlank()) {
            throw new PretextException("Config section '" + key + "' has no provider name: expected " + key
                    + ".name, e.g. " + key + ": {name: ...}");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            // a map is a nested section (e.g. a wrapped objective's own parameters), validated by its owner
            params.put(e.getKey(), e.getValue() instanceof Map<?, ?> nested ? nested : scalar(key + "." + e.getKey(), e.getValue()));
        }
        return new Section(s, params);
    }

    /** A section as {name, params...}, accepting a bare name and a nested {@code params:} map. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> sectionMap(String key, Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (value instanceof String s) {
            out.put("name", s);
            return out;
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw new PretextException("Config key '" + key + "' must be a provider name or a map with 'name', not '"
                    + value + "'");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (k.equals("params") && e.getValue() instanceof Map<?, ?> p) {
                p.forEach((pk, pv) -> out.put(String.valueOf(pk), pv));
            } else if (k.equals("params") && e.getValue() == null) {
                continue;
            } else {
                out.put(k, e.getValue());
            }
        }
        return out;
    }

    /** Keys whose value is itself a section (a map) rather than a scalar. */
    private static final java.util.Set<String> NESTED_KEYS = java.util.Set.of("probe.params");

    private static Map<String, Object> flat(String section, Object v) {
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new PretextException("Config key '" + section + "' must be a map of settings, not '" + v + "'");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, val) -> out.put(String.valueOf(k), val instanceof Map<?, ?> && NESTED_KEYS.contains(section + "." + k)
                ? val : scalar(section + "." + k, val)));
        return out;
    }

    /** Lists become comma-separated strings; maps are refused. */
    private static Object scalar(String key, Object v) {
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object o : l) {
                parts.add(String.valueOf(o));
            }
            return String.join(",", parts);
        }
        if (v instanceof Map<?, ?>) {
            throw new PretextException("Config key '" + key + "' must be a single value or a list, not a map");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o, String source) {
        if (!(o instanceof Map<?, ?>)) {
            throw new PretextException("Config " + source + " must be a YAML map of keys (seed, dataset, ...), not "
                    + (o == null ? "empty" : o.getClass().getSimpleName()));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        ((Map<Object, Object>) o).forEach((k, v) -> m.put(String.valueOf(k), v));
        return m;
    }

    private static Yaml yaml() {
        LoaderOptions lo = new LoaderOptions();
        lo.setAllowDuplicateKeys(false);
        lo.setMaxAliasesForCollections(20);
        return new Yaml(new SafeConstructor(lo));
    }

    /** Known keys of a section, for messages. */
    public static TreeSet<String> keys(List<Param<?>> params) {
        TreeSet<String> s = new TreeSet<>();
        params.forEach(p -> s.add(p.name()));
        return s;
    }
}
