package org.pretext.runner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.runner.config.ConfigLoader;
import org.pretext.data.DatasetProvider;
import org.pretext.datasets.DatasetPaths;
import org.pretext.registry.ProviderRegistry;
import org.pretext.runner.config.RunConfig;
import picocli.CommandLine.Option;

/** Options shared by {@code run} and {@code pretrain}: what to train, on what, where the results go. */
final class RunOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (merged over the defaults)")
    Path config;

    @Option(names = "--objective", paramLabel = "NAME", description = "objective provider (see `list`)")
    String objective;

    @Option(names = "--dataset", paramLabel = "NAME|DIR",
            description = "dataset provider by name (see 'list'), or a path Pretext recognises: a folder of the four"
                    + " MNIST-style IDX files, a folder of class sub-folders of images, a .npy/.npz/.csv file or a"
                    + " folder of them, CIFAR batches, a .txt text (see the README's 'Your own data')")
    String dataset;

    @Option(names = "--encoder", paramLabel = "NAME", description = "encoder provider (see `list`)")
    String encoder;

    @Option(names = "--epochs", paramLabel = "N", description = "passes over the pretraining data")
    Integer epochs;

    @Option(names = "--steps", paramLabel = "N", description = "exact number of optimizer steps (overrides epochs)")
    Long steps;

    @Option(names = "--seed", paramLabel = "N", description = "seed of everything random")
    Long seed;

    @Option(names = "--device", paramLabel = "auto|cpu|gpu", description = "training device (default auto)")
    String device;

    @Option(names = "--devices", paramLabel = "N|auto|IDS",
            description = "data-parallel replicas of the encoder: N, auto (every GPU) or GPU ids such as 0,1,3"
                    + " (default 1; N on the CPU gives the same numbers as 1, more slowly)")
    String devices;

    @Option(names = "--threads", paramLabel = "N", description = "engine intra-op threads (0: one per core)")
    Integer threads;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "override any config key, e.g. --set objective.temperature=0.2 (repeatable)")
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "run folder (default runs/OBJECTIVE-DATASET-TIME)")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "continue the interrupted run in DIR from its last checkpoint, with its saved config")
    Path resume;

    @Option(names = "--force", description = "overwrite a run folder that already holds a run")
    boolean force;

    @Option(names = "--plugins", paramLabel = "DIR", description = "folder of plug-in jars (repeatable)")
    List<Path> plugins = new ArrayList<>();

    /** The merged, validated configuration; {@code --dataset PATH} asks the context class loader's providers. */
    RunConfig resolve() {
        return resolve(null);
    }

    /**
     * The merged, validated configuration.
     *
     * @param loader where {@code --dataset PATH} looks for the provider that recognises the path
     *     (plug-ins included); the thread's context class loader when null
     */
    RunConfig resolve(ClassLoader loader) {
        Map<String, Object> tree;
        if (resume != null) {
            if (config != null || objective != null || dataset != null || encoder != null || epochs != null
                    || steps != null || seed != null || !sets.isEmpty()) {
                throw new PretextException("--resume continues a run with the config saved in " + resume
                        + "/config.yaml; drop --config, --objective, --dataset, --encoder, --epochs, --steps, --seed"
                        + " and --set");
            }
            Path saved = resume.resolve("config.yaml");
            if (!Files.exists(saved)) {
                throw new PretextException("Cannot resume: " + saved + " does not exist (is " + resume
                        + " a Pretext run folder?)");
            }
            tree = ConfigLoader.read(saved);
        } else {
            tree = ConfigLoader.defaults();
            if (config != null) {
                ConfigLoader.merge(tree, ConfigLoader.read(config));
            }
        }
        Map<String, Object> flags = new LinkedHashMap<>();
        if (objective != null) {
            flags.put("objective", Map.of("name", objective));
        }
        if (encoder != null) {
            flags.put("encoder", Map.of("name", encoder));
        }
        if (dataset != null) {
            flags.put("dataset", datasetSection(dataset, loader));
        }
        Map<String, Object> training = new LinkedHashMap<>();
        if (epochs != null) {
            training.put("epochs", epochs);
            training.put("steps", 0);
        }
        if (steps != null) {
            training.put("steps", steps);
        }
        if (!training.isEmpty()) {
            flags.put("training", training);
        }
        if (seed != null) {
            flags.put("seed", seed);
        }
        if (device != null) {
            flags.put("device", device);
        }
        if (devices != null) {
            flags.put("devices", devices);
        }
        if (threads != null) {
            int cores = org.pretext.engine.ThreadLimit.available();
            if (threads < 0 || threads > cores) {
                throw new PretextException("--threads " + threads + " is not between 0 (one thread per core) and " + cores
                        + ", the processors available to Java");
            }
            flags.put("threads", threads);
        }
        ConfigLoader.merge(tree, flags);
        for (String s : sets) {
            ConfigLoader.set(tree, s);
        }
        return ConfigLoader.resolve(tree);
    }

    /**
     * A provider name, or a file or folder read by the one provider that recognises it (see
     * {@link DatasetPaths}), among those {@code loader} finds.
     */
    static Map<String, Object> datasetSection(String value, ClassLoader loader) {
        Path p = Path.of(value);
        boolean looksLikePath = value.contains("/") || value.contains("\\") || value.startsWith(".") || Files.exists(p);
        if (!looksLikePath) {
            return Map.of("name", value);
        }
        if (!Files.exists(p)) {
            throw new PretextException("Dataset path " + value + " does not exist: expected a folder or file of data"
                    + " (MNIST-style IDX files, class folders of images, .npy, .csv, CIFAR binaries) or a dataset"
                    + " name (see `list`)");
        }
        DatasetPaths.Resolved r = DatasetPaths.resolve(p.toAbsolutePath().normalize(),
                ProviderRegistry.load(DatasetProvider.class, "dataset", loader).all().values());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.provider());
        m.putAll(r.params());
        return m;
    }

    /** The run folder: --resume's, --out, or a new one under runs/. */
    Path runFolder(RunConfig c) {
        if (resume != null) {
            return resume;
        }
        if (out != null) {
            return out;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Object source = c.dataset().params().getOrDefault("dir", c.dataset().params().get("path"));
        String data = source != null ? Path.of(String.valueOf(source)).getFileName().toString().replaceAll(
                "[^A-Za-z0-9._-]", "_") : c.dataset().name();
        return Path.of("runs", c.objective().name() + "-" + data + "-" + stamp);
    }
}
