package org.pretext.runner;

import com.google.inject.Guice;
import com.google.inject.Injector;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pretext.PretextException;
import org.pretext.param.Param;
import org.pretext.runtime.ChildJvm;
import org.pretext.runtime.MallocTuning;
import org.pretext.registry.NamedProvider;
import org.pretext.registry.ProviderRegistry;
import org.pretext.runner.config.ProbeSettings;
import org.pretext.runner.config.RunConfig;
import org.pretext.training.TrainingSettings;
import org.pretext.runner.pipeline.RunDirectory;
import org.pretext.runner.pipeline.RunLock;
import org.pretext.runner.pipeline.RunPipeline;
import org.pretext.runner.pipeline.ProbeStage;
import org.pretext.runner.report.RunReport;
import org.pretext.probe.FileProbe;
import org.pretext.probe.ProbeResult;
import org.pretext.runner.pipeline.TrainedModel;
import org.pretext.runner.pipeline.Embedding;
import org.pretext.runner.pipeline.TextProbes;
import org.pretext.data.Dataset;
import org.pretext.encoder.FeatureMap;
import org.pretext.runner.wiring.RunComponents;
import org.pretext.checkpoint.ExportedEncoder;
import org.pretext.export.onnx.OnnxExporter;
import org.pretext.runner.report.ReportRenderer;
import org.pretext.runner.wiring.PluginClassLoader;
import org.pretext.runner.wiring.Registries;
import org.pretext.runner.wiring.RunModule;
import org.pretext.runner.mining.Corpus;
import org.pretext.runner.mining.Miner;
import org.pretext.runner.mining.MiningOutput;
import org.pretext.runner.mining.PatternFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code pretext} command line. */
@Command(name = "pretext", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Self-supervised pretraining with pluggable objectives, then linear evaluation.",
        subcommands = {Main.Run.class, Main.Pretrain.class, Main.Probe.class, Main.Export.class, Main.Embed.class,
            Main.Finetune.class, Main.Sample.class, Main.Mine.class,
            Main.ListProviders.class, Main.Report.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for bad input or configuration. */
    static final int USAGE_ERROR = 2;
    /** Exit code for a failure of the machine (a folder that cannot be written, a full disk) or of Pretext itself. */
    static final int FAILURE = 1;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "on an error, also print the stack trace")
    boolean verbose;

    public static void main(String[] args) throws Exception {
        Map<String, String> child = usesTheEngine(args) ? MallocTuning.childEnvironment(System.getenv()) : Map.of();
        if (!child.isEmpty()) { // glibc's settings for large arrays exist only from a process's start
            try {
                System.exit(ChildJvm.run(ChildJvm.command(List.of(), System.getProperty("java.class.path"),
                        Main.class.getName(), List.of(args)), child));
            } catch (java.io.IOException e) {
                System.err.println("warning: running in this JVM, without " + child + ": the child JVM did not start: "
                        + e.getMessage());
            }
        }
        ChildJvm.stopWithLauncher();
        System.exit(execute(args, System.out, System.err));
    }

    /** Whether a command line may run the engine (not help, the version, {@code list} or {@code report}). */
    static boolean usesTheEngine(String[] args) {
        if (args.length == 0 || List.of("help", "list", "report").contains(args[0])) {
            return false;
        }
        return java.util.Arrays.stream(args).noneMatch(a -> List.of("-h", "--help", "-V", "--version").contains(a));
    }

    /** Runs the command line and returns its exit code (0 success, 2 bad input, 1 failure). */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        org.pretext.runner.report.RunReport.Invocation.record(args);
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            int code = exitCode(ex);
            err.println("error: " + describe(ex, code));
            if (verbose(parse)) {
                ex.printStackTrace(err);
            }
            return code;
        });
        return cl.execute(args);
    }

    private static boolean verbose(CommandLine.ParseResult parse) {
        for (CommandLine.ParseResult p = parse; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /**
     * 1 for a failure of the machine (an I/O error such as a folder that cannot be written or a full
     * disk, anywhere in the causes) or an unexpected one; 2 for bad input or configuration (a
     * {@link PretextException}, whose message names the file, key or value at fault).
     */
    static int exitCode(Throwable ex) {
        boolean pretext = false;
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.io.IOException io && machineFailure(io)) {
                return FAILURE;
            }
            pretext |= t instanceof PretextException;
        }
        return pretext ? USAGE_ERROR : FAILURE;
    }

    /**
     * An I/O error the machine caused rather than the input: no permission, a read-only file
     * system, a full disk or quota, a device error. (A missing or malformed file is bad input.)
     */
    static boolean machineFailure(java.io.IOException io) {
        if (io instanceof java.nio.file.AccessDeniedException) {
            return true;
        }
        String m = io instanceof java.nio.file.FileSystemException fs ? fs.getReason() : io.getMessage();
        if (m == null) {
            return false;
        }
        String lower = m.toLowerCase(java.util.Locale.ROOT);
        return lower.contains("no space left") || lower.contains("read-only file system")
                || lower.contains("operation not permitted") || lower.contains("permission denied")
                || lower.contains("disk quota") || lower.contains("input/output error");
    }

    /**
     * One line for an error: a {@link PretextException}'s message; for an I/O error, what failed
     * on which file and why; for anything else, the exception and where it was thrown, with a
     * pointer to {@code --verbose}.
     */
    static String describe(Throwable ex, int code) {
        String line = null;
        for (Throwable t = ex; t != null && line == null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PretextException) {
                line = t.getMessage();
            }
        }
        if (line == null) {
            for (Throwable t = ex; t != null && line == null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof java.io.UncheckedIOException u) {
                    line = u.getMessage() + (u.getCause() == null ? "" : ": " + ioReason(u.getCause()));
                } else if (t instanceof java.io.IOException io) {
                    line = ioReason(io);
                }
            }
        }
        if (line == null) {
            Throwable root = ex;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            StackTraceElement[] at = root.getStackTrace();
            line = "unexpected " + root.getClass().getSimpleName() + (root.getMessage() == null ? ""
                    : ": " + root.getMessage()) + (at.length == 0 ? "" : " at " + at[0]) + " (run again with"
                    + " --verbose for the stack trace)";
        }
        if (code == FAILURE) {
            for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof java.io.IOException io && machineFailure(io) && !line.contains(ioReason(io))) {
                    line = line + ": " + ioReason(io);
                    break;
                }
            }
        }
        return line.replaceAll("\\s*\\R\\s*", " ");
    }

    /** "FILE: reason" for a file-system error, else the exception's message. */
    static String ioReason(java.io.IOException io) {
        if (io instanceof java.nio.file.FileSystemException fs) {
            String reason = fs.getReason() != null ? fs.getReason()
                    : io instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : io.getClass().getSimpleName();
            return (fs.getFile() == null ? "" : fs.getFile() + ": ") + reason
                    + (fs.getOtherFile() == null ? "" : " (" + fs.getOtherFile() + ")");
        }
        return io.getMessage() != null ? io.getMessage() : io.getClass().getSimpleName();
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** {@code run}: pretrain, probe, report. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Pretrain an encoder, then probe its frozen features and write a report.")
    static final class Run implements Callable<Integer> {
        @Mixin
        RunOptions options;

        @Override
        public Integer call() throws Exception {
            return execute(options, true);
        }
    }

    /** {@code pretrain}: pretrain only. */
    @Command(name = "pretrain", mixinStandardHelpOptions = true,
            description = "Pretrain an encoder (checkpoints and metrics in the run folder), without probes.")
    static final class Pretrain implements Callable<Integer> {
        @Mixin
        RunOptions options;

        @Override
        public Integer call() throws Exception {
            return execute(options, false);
        }
    }

    static int execute(RunOptions options, boolean probes) throws Exception {
        if (options.resume != null) {
            options.plugins = org.pretext.runner.wiring.RunPlugins.foldersFor(options.resume, options.plugins);
        }
        ClassLoader plugins = PluginClassLoader.create(options.plugins);
        Thread.currentThread().setContextClassLoader(plugins);
        RunConfig config = options.resolve(plugins);
        RunDirectory dir = new RunDirectory(options.runFolder(config));
        dir.checkUsable(options.resume != null, options.force);
        String doing = "pretext " + (probes ? "run" : "pretrain") + (options.resume != null ? " --resume"
                : options.force ? " --force" : "");
        // a folder that exists may be another run's: refuse at once; a new one is locked once validated
        RunLock lock = java.nio.file.Files.isDirectory(dir.root()) ? RunLock.acquire(dir.root(), doing) : null;
        try {
            Injector injector = Guice.createInjector(new RunModule(config, plugins, dir.root()));
            RunPipeline pipeline = injector.getInstance(RunPipeline.class); // validates the configuration and data
            pipeline.preflight(probes); // and what depends on both, before anything is written
            if (lock == null) {
                lock = RunLock.acquire(dir.root(), doing);
            }
            dir.prepare(options.resume != null, options.force);
            System.err.println("run folder: " + dir.root().toAbsolutePath());
            pipeline.run(dir, options.resume != null, probes, System.out);
            return 0;
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    /** Wiring of an existing run folder from its saved config. */
    static Injector injectorFor(Path run, List<Path> pluginFolders) {
        RunOptions o = new RunOptions();
        o.resume = run;
        o.plugins = pluginFolders;
        ClassLoader plugins = PluginClassLoader.create(org.pretext.runner.wiring.RunPlugins.foldersFor(run, pluginFolders));
        Thread.currentThread().setContextClassLoader(plugins);
        RunConfig config = o.resolve(plugins);
        return Guice.createInjector(new RunModule(config, plugins, run));
    }

    /** {@code probe}: frozen-feature evaluation of a run's checkpoint, or of features files from any tool. */
    @Command(name = "probe", mixinStandardHelpOptions = true,
            description = "Probe the frozen features of a run's newest checkpoint (--run DIR), of an exported or"
                    + " PyTorch-trained encoder on a dataset (--encoder FILE|FOLDER --dataset NAME|PATH), or of NumPy"
                    + " features made by any tool (--features ... --labels ... --test-features ... --test-labels ...).")
    static final class Probe implements Callable<Integer> {
        @Option(names = "--run", paramLabel = "DIR", description = "a run folder: probe its newest valid checkpoint")
        Path run;

        @Option(names = "--encoder", paramLabel = "FILE|FOLDER", description = "an encoder written by export (a"
                + " file, --format pretext) or a folder of safetensors weights with its config.json (--format"
                + " safetensors, or weights trained in PyTorch); needs --dataset")
        Path encoder;

        @Option(names = "--dataset", paramLabel = "NAME|PATH", description = "with --encoder: the labelled data to"
                + " probe on (a provider name or a path Pretext recognises)")
        String dataset;

        @Option(names = "--set", paramLabel = "dataset.KEY=VALUE", description = "with --encoder: a dataset parameter"
                + " (repeatable)")
        List<String> sets = new java.util.ArrayList<>();

        @Option(names = "--features", paramLabel = "TRAIN.npy", description = "float32 training features (n, d)")
        Path features;

        @Option(names = "--labels", paramLabel = "TRAIN_LABELS.npy", description = "integer training labels (n,)")
        Path labels;

        @Option(names = "--test-features", paramLabel = "TEST.npy", description = "float32 test features (m, d)")
        Path testFeatures;

        @Option(names = "--test-labels", paramLabel = "TEST_LABELS.npy", description = "integer test labels (m,)")
        Path testLabels;

        @Option(names = "--labels-per-class", paramLabel = "K,...", description = "label budgets, e.g. 1,10,all"
                + " (default: the run's config, or 10,all)")
        String budgets;

        @Option(names = "--probes", paramLabel = "P,...", description = "probes by name: logistic, knn, mean or a plug-in's (default logistic)")
        String probes;

        @Option(names = "--probe-param", paramLabel = "PROBE.KEY=VALUE", description = "a probe's parameter,"
                + " e.g. knn.k=5 (repeatable; 'list' shows every probe's keys)")
        List<String> probeParams = new java.util.ArrayList<>();

        @Option(names = "--seed", paramLabel = "N", description = "seed of the label draws (default 42)")
        Long seed;

        @Option(names = "--robust-epsilon", paramLabel = "E", description = "with --run: also attack the all-labels"
                + " logistic probe end to end with L∞ PGD within E (overrides probe.robust-epsilon; 0: off)")
        Double robustEpsilon;

        @Option(names = "--out", paramLabel = "DIR", description = "where report.json goes (default: the run folder,"
                + " or ./probe-report)")
        Path out;

        @Option(names = "--plugins", paramLabel = "DIR", description = "folder of plug-in jars (repeatable)")
        List<Path> plugins = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            boolean files = features != null || labels != null || testFeatures != null || testLabels != null;
            if ((files ? 1 : 0) + (run != null ? 1 : 0) + (encoder != null ? 1 : 0) != 1) {
                throw new PretextException("probe needs one of --run DIR, --encoder FILE --dataset NAME|PATH, or all"
                        + " four of --features, --labels, --test-features and --test-labels");
            }
            if (encoder == null && (dataset != null || !sets.isEmpty())) {
                throw new PretextException("--dataset and --set go with --encoder (a run probes its own dataset)");
            }
            java.util.Map<String, Object> overrides = new java.util.LinkedHashMap<>();
            if (budgets != null) {
                overrides.put(ProbeSettings.LABELS_PER_CLASS.name(), budgets);
            }
            if (probes != null) {
                overrides.put(ProbeSettings.PROBES.name(), probes);
            }
            if (!probeParams.isEmpty()) {
                overrides.put(ProbeSettings.PARAMS.name(), ProbeSettings.parseProbeParams(probeParams));
            }
            if (robustEpsilon != null) {
                if (run == null) {
                    throw new PretextException("--robust-epsilon needs --run DIR: the attack goes through the run's"
                            + " encoder, which features files do not have");
                }
                overrides.put(ProbeSettings.ROBUST_EPSILON.name(), robustEpsilon);
            }
            if (encoder != null) {
                return probeEncoder(overrides);
            }
            return files ? probeFiles(overrides) : probeRun(overrides);
        }

        /**
         * An encoder file on a dataset: its features written as embed writes them (under DIR/features, kept for
         * reuse), then probed as features files are, one row per feature set (per feature map for sentences).
         */
        private int probeEncoder(java.util.Map<String, Object> overrides) throws Exception {
            if (dataset == null) {
                throw new PretextException("probe --encoder needs --dataset NAME|PATH: the labelled data to probe on");
            }
            var settings = org.pretext.param.ParamValues.resolve("probe options", ProbeSettings.ALL, overrides);
            long s = seed == null ? 42 : seed;
            ai.djl.Device device = org.pretext.runtime.DeviceChoice.AUTO.resolve();
            ClassLoader loader = PluginClassLoader.create(plugins);
            Thread.currentThread().setContextClassLoader(loader);
            Path dir = out != null ? out : Path.of("probe-report");
            Path featureDir = dir.resolve("features");
            Registries registries = Registries.load(loader);
            Dataset data = Embed.openDataset(dataset, sets, featureDir);
            if (data.train().isEmpty() || data.test().isEmpty()) {
                throw new PretextException("Dataset '" + data.name() + "' has no labelled train and test splits:"
                        + " probing needs labels (embed writes features of unlabelled data)");
            }
            List<FeatureMap> maps = data instanceof org.pretext.text.TextDataset
                    ? TextProbes.featureMaps(registries.featureMaps()) : List.of();
            org.pretext.checkpoint.Provenance provenance;
            try (org.pretext.checkpoint.ExportedEncoder e = Embed.loadEncoder(encoder, device, loader)) {
                provenance = e.provenance();
                Embedding.write(new Embedding.Source(e.encoder(), e.parameterStore(),
                        java.util.function.UnaryOperator.identity(), e.provenance(), "encoder " + encoder.toAbsolutePath()),
                        data, featureDir, device, 256, maps);
            }
            var options = ProbeSettings.options(settings, s, device, registries.probes());
            List<ProbeResult> results = new java.util.ArrayList<>();
            String name = "encoder " + encoder.getFileName();
            if (maps.isEmpty()) {
                results.addAll(FileProbe.run(name, featureDir.resolve("train_features.npy"),
                        featureDir.resolve("train_labels.npy"), featureDir.resolve("test_features.npy"),
                        featureDir.resolve("test_labels.npy"), options, org.pretext.runtime.EngineSetup.startThreads()));
            } else {
                for (FeatureMap map : maps) {
                    results.addAll(FileProbe.run(name + " (" + map.name() + ")",
                            featureDir.resolve("train_" + map.name() + "_features.npy"),
                            featureDir.resolve("train_labels.npy"),
                            featureDir.resolve("test_" + map.name() + "_features.npy"),
                            featureDir.resolve("test_labels.npy"), options, org.pretext.runtime.EngineSetup.startThreads()));
                }
            }
            RunReport report = new RunReport(null, data.name(), null, s, org.pretext.runtime.Devices.name(device), null,
                    results, null, provenance);
            report.write(dir.resolve("report.json"));
            RunPipeline.printTable(report, System.out);
            System.out.println("report: " + dir.resolve("report.json").toAbsolutePath() + " (features in "
                    + featureDir.toAbsolutePath() + ")");
            return 0;
        }

        private int probeFiles(java.util.Map<String, Object> overrides) throws Exception {
            if (features == null || labels == null || testFeatures == null || testLabels == null) {
                throw new PretextException("probe from files needs all four of --features, --labels, --test-features"
                        + " and --test-labels");
            }
            var settings = org.pretext.param.ParamValues.resolve("probe options", ProbeSettings.ALL, overrides);
            long s = seed == null ? 42 : seed;
            ai.djl.Device device = org.pretext.runtime.DeviceChoice.AUTO.resolve();
            List<ProbeResult> results = FileProbe.run(FileProbe.FEATURES_NAME, features, labels, testFeatures, testLabels,
                    ProbeSettings.options(settings, s, device, Registries.load(PluginClassLoader.create(plugins)).probes()),
                    org.pretext.runtime.EngineSetup.startThreads());
            Path dir = out != null ? out : Path.of("probe-report");
            java.nio.file.Files.createDirectories(dir);
            RunReport report = new RunReport(null, features.toString(), null, s,
                    org.pretext.runtime.Devices.name(device), null, results, null);
            report.write(dir.resolve("report.json"));
            RunPipeline.printTable(report, System.out);
            System.out.println("report: " + dir.resolve("report.json").toAbsolutePath());
            return 0;
        }

        private int probeRun(java.util.Map<String, Object> overrides) throws Exception {
            RunComponents c = injectorFor(run, plugins).getInstance(RunComponents.class);
            java.util.Map<String, Object> merged = new java.util.LinkedHashMap<>(c.config().probe().asMap());
            if (overrides.containsKey(ProbeSettings.PROBES.name())) {
                // the run's parameters of probes that --probes leaves out do not apply
                List<String> chosen = List.of(String.valueOf(overrides.get(ProbeSettings.PROBES.name())).split("\\s*,\\s*"));
                java.util.Map<String, Object> kept = new java.util.LinkedHashMap<>(c.config().probe().get(ProbeSettings.PARAMS));
                kept.keySet().retainAll(chosen);
                merged.put(ProbeSettings.PARAMS.name(), kept);
            }
            merged.putAll(overrides);
            var settings = org.pretext.param.ParamValues.resolve("probe options", ProbeSettings.ALL, merged);
            RunReport report;
            Path dir = out != null ? out : run;
            java.nio.file.Files.createDirectories(dir); // the probes write the projection there
            try (TrainedModel.Restored r = TrainedModel.load(c, new RunDirectory(run))) {
                RunPipeline.Probed probed = new RunPipeline(c, null).probe(r.model(), settings, dir);
                report = new RunReport(c.config().objective().name(), c.dataset().name(), c.config().encoder().name(),
                        c.config().seed(), org.pretext.runtime.Devices.name(c.device()), null, probed.results(),
                        probed.robust(), c.provenance());
            }
            Path file = dir.resolve(out != null ? "report.json" : "probe-report.json");
            report.write(file);
            RunPipeline.printTable(report, System.out);
            System.out.println("report: " + file.toAbsolutePath());
            return 0;
        }
    }

    /** {@code export}: the trained encoder alone, with its provenance. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write a run's trained encoder (no heads, no optimizer) with its provenance: one file (--format"
                    + " pretext) or a folder of PyTorch weights (--format safetensors).")
    static final class Export implements Callable<Integer> {
        @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run folder")
        Path run;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "the file to write")
        Path out;

        @Option(names = "--plugins", paramLabel = "DIR", description = "folder of plug-in jars (repeatable)")
        List<Path> plugins = new java.util.ArrayList<>();

        /** The formats {@code --format} takes. */
        static final List<String> FORMATS = List.of("pretext", "onnx", "safetensors");

        @Option(names = "--format", paramLabel = "FORMAT", description = "pretext (default: Pretext's lossless file,"
                + " loaded by embed, spark and ExportedEncoder), onnx (an ONNX model for ONNX Runtime and other tools;"
                + " a text encoder's tokenizer goes beside it as NAME.tokenizer.json) or safetensors (a folder OUT with"
                + " model.safetensors in PyTorch's names, config.json and tokenizer.json for python/pretext_encoders.py)")
        String format = "pretext";

        @Override
        public Integer call() throws Exception {
            if (!FORMATS.contains(format)) {
                throw new PretextException("Unknown export format '" + format + "': expected one of " + FORMATS);
            }
            com.google.inject.Injector injector = injectorFor(run, plugins);
            RunComponents c = injector.getInstance(RunComponents.class);
            try (TrainedModel.Restored r = TrainedModel.load(c, new RunDirectory(run))) {
                switch (format) {
                    // onnx and safetensors: the encoder the run's probes measured (the trained one unless the
                    // objective chose another, e.g. BYOL's target with probe-encoder: target)
                    case "onnx" -> OnnxExporter.write(r.model().probedEncoder(), c.provenance(),
                            c.pretrain().exampleShape(), out).tokenizer()
                            .ifPresent(t -> System.out.println("tokenizer: " + t.toAbsolutePath()));
                    case "safetensors" -> org.pretext.runner.interop.TorchWeights.export(out, r.model().probedEncoder(),
                            injector.getInstance(Registries.class).encoders().get(c.provenance().encoder()),
                            c.provenance(), r.step());
                    default -> ExportedEncoder.write(out, r.model(), c.provenance(), r.step());
                }
            }
            System.out.println("exported encoder: " + out.toAbsolutePath());
            return 0;
        }
    }

    /** {@code finetune}: the encoder of a run or an exported encoder, fine-tuned on few labels. */
    @Command(name = "finetune", mixinStandardHelpOptions = true,
            description = "Fine-tune a run's encoder (--run DIR) or an exported one (--encoder FILE) with a new head on"
                    + " label budgets, beside the same architecture from random initialisation and the linear probe of"
                    + " the frozen features on the same draws; adds the table to report.json and report.html.")
    static final class Finetune implements Callable<Integer> {
        @Option(names = "--run", paramLabel = "DIR", description = "a run folder: its newest checkpoint's probed encoder")
        Path run;

        @Option(names = "--encoder", paramLabel = "FILE|FOLDER", description = "an encoder written by export: a file"
                + " (--format pretext) or a folder of safetensors weights with its config.json (--format safetensors,"
                + " or weights trained in PyTorch)")
        Path encoder;

        @Option(names = "--dataset", paramLabel = "NAME|PATH", description = "the labelled data (default with --run:"
                + " the run's dataset; required with --encoder)")
        String dataset;

        @Option(names = "--config", paramLabel = "FILE", description = "a config file whose finetune: section (and,"
                + " with --encoder, dataset: section) to use")
        Path config;

        @Option(names = "--set", paramLabel = "finetune.KEY=VALUE", description = "a fine-tuning or dataset setting"
                + " (repeatable; 'list' shows every finetune key)")
        List<String> sets = new java.util.ArrayList<>();

        @Option(names = "--seed", paramLabel = "N", description = "seed of the draws and training (default: the run's,"
                + " else 42)")
        Long seed;

        @Option(names = "--out", paramLabel = "DIR", description = "where report.json, report.html and finetune/ go"
                + " (default: the run folder; required with --encoder)")
        Path out;

        @Option(names = "--plugins", paramLabel = "DIR", description = "folder of plug-in jars (repeatable)")
        List<Path> plugins = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            if ((run == null) == (encoder == null)) {
                throw new PretextException("finetune needs either --run DIR or --encoder FILE");
            }
            java.util.Map<String, Object> tree = new java.util.LinkedHashMap<>();
            if (config != null) {
                java.util.Map<String, Object> file = org.pretext.runner.config.ConfigLoader.read(config);
                if (file.containsKey("finetune")) {
                    tree.put("finetune", file.get("finetune"));
                }
                if (file.containsKey("dataset") && dataset == null) {
                    tree.put("dataset", file.get("dataset"));
                }
            }
            for (String s : sets) {
                if (!s.startsWith("finetune.") && !s.startsWith("dataset.")) {
                    throw new PretextException("Invalid --set '" + s + "' for finetune: expected finetune.KEY=VALUE or"
                            + " dataset.KEY=VALUE");
                }
            }
            if (run != null) {
                com.google.inject.Injector injector = injectorFor(run, plugins);
                RunComponents c = injector.getInstance(RunComponents.class);
                java.util.Map<String, Object> settingsTree = new java.util.LinkedHashMap<>();
                Object fromRun = c.config().tree().get("finetune");
                settingsTree.put("finetune", fromRun instanceof java.util.Map<?, ?> m ? new java.util.LinkedHashMap<>(m)
                        : new java.util.LinkedHashMap<>());
                if (tree.get("finetune") instanceof java.util.Map<?, ?> m) {
                    org.pretext.runner.config.ConfigLoader.merge(settingsTree, java.util.Map.of("finetune", m));
                }
                for (String s : sets) {
                    if (s.startsWith("finetune.")) {
                        org.pretext.runner.config.ConfigLoader.set(settingsTree, s);
                    }
                }
                org.pretext.param.ParamValues settings = org.pretext.runner.config.ConfigLoader.finetune(settingsTree);
                Path dir = out != null ? out : run;
                java.nio.file.Files.createDirectories(dir);
                try (RunLock lock = RunLock.acquire(dir, "pretext finetune");
                        TrainedModel.Restored r = TrainedModel.load(c, new RunDirectory(run))) {
                    Dataset data = dataset == null && sets.stream().noneMatch(x -> x.startsWith("dataset."))
                            ? c.dataset() : openDataset(tree, dir);
                    org.pretext.runner.report.FinetuneReport f = new org.pretext.runner.pipeline.FinetuneStage(settings,
                            seed != null ? seed : c.config().seed(), c.device(), c.probes(),
                            c.config().probe().get(ProbeSettings.BATCH_SIZE), System.err).run(
                                    org.pretext.runner.pipeline.FinetuneStage.source(c, r.model(), "run "
                                            + run.toAbsolutePath() + " at step " + r.step()), data,
                                    dir.resolve("finetune"));
                    Path json = dir.resolve("report.json");
                    RunReport report = java.nio.file.Files.exists(json) ? RunReport.read(json)
                            : new RunReport(c.config().objective().name(), data.name(), c.config().encoder().name(),
                                    c.config().seed(), org.pretext.runtime.Devices.name(c.device()), null, List.of(),
                                    c.provenance());
                    return finish(report.withFinetune(f), dir);
                }
            }
            java.util.Map<String, Object> settingsTree = new java.util.LinkedHashMap<>();
            settingsTree.put("finetune", tree.get("finetune") instanceof java.util.Map<?, ?> m
                    ? new java.util.LinkedHashMap<>(m) : new java.util.LinkedHashMap<>());
            for (String s : sets) {
                if (s.startsWith("finetune.")) {
                    org.pretext.runner.config.ConfigLoader.set(settingsTree, s);
                }
            }
            org.pretext.param.ParamValues settings = org.pretext.runner.config.ConfigLoader.finetune(settingsTree);
            if (out == null) {
                throw new PretextException("finetune --encoder needs --out DIR: where the report and checkpoints go");
            }
            if (dataset == null && !tree.containsKey("dataset")) {
                throw new PretextException("finetune --encoder needs --dataset NAME|PATH: the labelled data");
            }
            ClassLoader loader = PluginClassLoader.create(plugins);
            Thread.currentThread().setContextClassLoader(loader);
            ai.djl.Device device = org.pretext.runtime.DeviceChoice.AUTO.resolve();
            Registries registries = Registries.load(loader);
            java.nio.file.Files.createDirectories(out);
            try (RunLock lock = RunLock.acquire(out, "pretext finetune");
                    ExportedEncoder e = Embed.loadEncoder(encoder, device, loader)) {
                Dataset data = openDataset(tree, out);
                long s = seed != null ? seed : 42;
                org.pretext.runner.report.FinetuneReport f = new org.pretext.runner.pipeline.FinetuneStage(settings, s,
                        device, registries.probes(), 1024, System.err).run(new org.pretext.runner.pipeline.FinetuneStage
                                .Source("encoder " + encoder.toAbsolutePath(), e.architecture(), e.provenance().encoder(),
                                        java.util.function.UnaryOperator.identity(), e.encoder(), e.parameterStore(),
                                        e.provenance(), e.provenance().objectiveParams()), data, out.resolve("finetune"));
                RunReport report = new RunReport(e.provenance().objective(), data.name(), e.provenance().encoder(), s,
                        org.pretext.runtime.Devices.name(device), null, List.of(), e.provenance());
                return finish(report.withFinetune(f), out);
            }
        }

        private static int finish(RunReport report, Path dir) throws java.io.IOException {
            report.write(dir.resolve("report.json"));
            Path html = ReportRenderer.render(dir);
            report.finetune().print(System.out);
            System.out.println("report: " + html.toAbsolutePath());
            return 0;
        }

        /** The dataset named by --dataset, a config's dataset: section and --set dataset.KEY=VALUE. */
        private Dataset openDataset(java.util.Map<String, Object> fileTree, Path cacheParent) {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            java.util.Map<String, Object> t = org.pretext.runner.config.ConfigLoader.defaults();
            if (dataset != null) {
                t.put("dataset", RunOptions.datasetSection(dataset, loader));
            } else if (fileTree.containsKey("dataset")) {
                org.pretext.runner.config.ConfigLoader.merge(t, java.util.Map.of("dataset", fileTree.get("dataset")));
            }
            for (String s : sets) {
                if (s.startsWith("dataset.")) {
                    org.pretext.runner.config.ConfigLoader.set(t, s);
                }
            }
            RunConfig cfg = org.pretext.runner.config.ConfigLoader.resolve(t);
            return RunModule.openDataset(Registries.load(loader).datasets().get(cfg.dataset().name()),
                    cfg.dataset().params(), cacheParent);
        }
    }

    /** {@code list}: every discovered provider with its parameters. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List objectives, encoders, datasets, feature maps and probes with their parameters and where they come from.")
    static final class ListProviders implements Callable<Integer> {
        @Option(names = "--plugins", paramLabel = "DIR", description = "folder of plug-in jars (repeatable)")
        List<Path> plugins = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            Registries r = Registries.load(PluginClassLoader.create(plugins));
            PrintStream out = System.out;
            print(out, r.objectives());
            print(out, r.encoders());
            print(out, r.datasets());
            print(out, r.featureMaps());
            print(out, r.probes());
            out.println("training settings (config section 'training', or --set training.KEY=VALUE):");
            printParams(out, TrainingSettings.ALL);
            out.println("probe settings (config section 'probe'):");
            printParams(out, ProbeSettings.ALL);
            out.println("fine-tuning settings (config section 'finetune', or --set finetune.KEY=VALUE):");
            printParams(out, org.pretext.runner.config.FinetuneSettings.ALL);
            for (String p : r.problems()) {
                out.println("problem: " + p);
            }
            return 0;
        }

        private static <P extends NamedProvider> void print(PrintStream out, ProviderRegistry<P> reg) {
            out.println(reg.kind() + "s:");
            for (P p : reg.all().values()) {
                out.printf("  %s — %s%n    from %s%n", p.name(), p.description(), reg.sourceOf(p.name()));
                printParams(out, p.parameters());
            }
            out.println();
        }

        private static void printParams(PrintStream out, List<Param<?>> params) {
            for (Param<?> q : params) {
                out.printf("      %-26s %s (default %s; %s)%n", q.name(), q.description(), q.defaultValue(),
                        q.expectation());
            }
        }
    }

    /** {@code embed}: features of a dataset through a run's or an exported encoder, as NumPy files. */
    @Command(name = "embed", mixinStandardHelpOptions = true,
            description = "Write the features of every example of a dataset (train and test splits, or the"
                    + " pretraining split of unlabelled data) through a run's encoder or an exported one, as"
                    + " SPLIT_features.npy and SPLIT_labels.npy with embed.json.")
    static final class Embed implements Callable<Integer> {
        @Option(names = "--run", paramLabel = "DIR", description = "a run folder: its newest checkpoint's encoder (the"
                + " one its objective probes)")
        Path run;

        @Option(names = "--encoder", paramLabel = "FILE", description = "an encoder written by export: a file"
                + " (--format pretext) or a folder of safetensors weights with its config.json (--format safetensors,"
                + " or weights trained in PyTorch)")
        Path encoder;

        @Option(names = "--dataset", paramLabel = "NAME|PATH", description = "the data to embed (default with --run:"
                + " the run's dataset); a provider name or a path Pretext recognises")
        String dataset;

        @Option(names = "--set", paramLabel = "dataset.KEY=VALUE", description = "a dataset parameter (repeatable)")
        List<String> sets = new java.util.ArrayList<>();

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the .npy files go")
        Path out;

        @Option(names = "--batch-size", paramLabel = "N", description = "examples per forward pass (default 256)")
        int batchSize = 256;

        @Option(names = "--plugins", paramLabel = "DIR", description = "folder of plug-in jars (repeatable)")
        List<Path> plugins = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            if ((run == null) == (encoder == null)) {
                throw new PretextException("embed needs either --run DIR or --encoder FILE");
            }
            if (batchSize < 1) {
                throw new PretextException("Invalid --batch-size " + batchSize + ": expected at least 1");
            }
            if (run != null) {
                RunComponents c = injectorFor(run, plugins).getInstance(RunComponents.class);
                try (TrainedModel.Restored r = TrainedModel.load(c, new RunDirectory(run))) {
                    var m = r.model();
                    Embedding.Source source = new Embedding.Source(m.probedEncoder(), m.parameterStore(),
                            m.objective()::encoderInput, c.provenance(), "run " + run.toAbsolutePath() + " at step "
                                    + r.step());
                    Dataset data = dataset == null && sets.isEmpty() ? c.dataset() : openDataset(dataset, sets, out);
                    report(Embedding.write(source, data, out, c.device(), batchSize,
                            data instanceof org.pretext.text.TextDataset ? TextProbes.featureMaps(c.featureMaps())
                                    : List.of()));
                }
            } else {
                ai.djl.Device device = org.pretext.runtime.DeviceChoice.AUTO.resolve();
                ClassLoader loader = PluginClassLoader.create(plugins);
                Thread.currentThread().setContextClassLoader(loader);
                try (org.pretext.checkpoint.ExportedEncoder e = loadEncoder(encoder, device, loader)) {
                    if (dataset == null) {
                        throw new PretextException("embed --encoder needs --dataset NAME|PATH: the data to embed");
                    }
                    Embedding.Source source = new Embedding.Source(e.encoder(), e.parameterStore(),
                            java.util.function.UnaryOperator.identity(), e.provenance(), "encoder "
                                    + encoder.toAbsolutePath());
                    Dataset data = openDataset(dataset, sets, out);
                    report(Embedding.write(source, data, out, device, batchSize,
                            data instanceof org.pretext.text.TextDataset
                                    ? TextProbes.featureMaps(Registries.load(loader).featureMaps()) : List.of()));
                }
            }
            return 0;
        }

        /** An encoder written by export: a file (--format pretext) or a safetensors folder with its config.json. */
        static org.pretext.checkpoint.ExportedEncoder loadEncoder(Path encoder, ai.djl.Device device, ClassLoader loader) {
            return java.nio.file.Files.isDirectory(encoder)
                    ? org.pretext.runner.interop.TorchWeights.open(encoder, device, loader)
                    : org.pretext.checkpoint.ExportedEncoder.load(encoder, device, loader);
        }

        /** The dataset named by --dataset and --set, as run would open it (its cache under the output folder). */
        static Dataset openDataset(String dataset, List<String> sets, Path cacheParent) {
            for (String s : sets) {
                if (!s.startsWith("dataset.")) {
                    throw new PretextException("Invalid --set '" + s + "': expected dataset.KEY=VALUE");
                }
            }
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            java.util.Map<String, Object> tree = org.pretext.runner.config.ConfigLoader.defaults();
            if (dataset != null) {
                tree.put("dataset", RunOptions.datasetSection(dataset, loader));
            }
            for (String s : sets) {
                org.pretext.runner.config.ConfigLoader.set(tree, s);
            }
            RunConfig config = org.pretext.runner.config.ConfigLoader.resolve(tree);
            return RunModule.openDataset(Registries.load(loader).datasets().get(config.dataset().name()),
                    config.dataset().params(), cacheParent);
        }

        private static void report(List<Path> files) {
            for (Path f : files) {
                System.out.println("wrote " + f.toAbsolutePath());
            }
        }
    }

    /** {@code mine}: labelled examples mined from unlabelled text with per-class patterns (van de Kar et al. 2022). */
    @Command(name = "mine", mixinStandardHelpOptions = true,
            description = "Mine a labelled dataset from unlabelled text with regular expressions per class (van de Kar"
                    + " et al. 2022): the text around each match, the matched span removed, classes balanced; writes"
                    + " OUT/train.tsv (sentence<TAB>label) and OUT/mining.json.")
    static final class Mine implements Callable<Integer> {
        @Option(names = "--corpus", required = true, paramLabel = "PATH",
                description = "a text file (one example per line), a TSV/CSV file with a header, or a folder of .txt"
                        + " files (one example each)")
        Path corpus;

        @Option(names = "--patterns", required = true, paramLabel = "FILE.yaml",
                description = "the classes' patterns, e.g. examples/mining/sentiment-patterns.yaml")
        Path patterns;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for train.tsv and mining.json")
        Path out;

        @Option(names = "--per-class", paramLabel = "N", description = "examples kept per class (default 0: as many as"
                + " the smallest class has)")
        int perClass = 0;

        @Option(names = "--seed", paramLabel = "S", description = "seed of the balancing draw (default 42)")
        long seed = 42;

        @Option(names = "--column", paramLabel = "NAME", description = "the text column of a TSV/CSV corpus (default"
                + " sentence)")
        String column = "sentence";

        @Option(names = "--gold-column", paramLabel = "NAME", description = "a column of gold labels in a TSV/CSV"
                + " corpus, used only to measure the precision of the mined labels")
        String goldColumn;

        @Option(names = "--test", paramLabel = "FILE", description = "a labelled test file copied to OUT as dev.tsv (or"
                + " dev.csv), making OUT a complete 'sentences' dataset")
        Path test;

        @Option(names = "--force", description = "overwrite train.tsv and mining.json in OUT")
        boolean force;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (perClass < 0) {
                throw new PretextException("--per-class is " + perClass + ": expected 0 (the smallest class's count) or"
                        + " more");
            }
            PatternFile p = PatternFile.read(patterns);
            Corpus c = Corpus.read(corpus, column, goldColumn);
            if (test != null && !java.nio.file.Files.isRegularFile(test)) {
                throw new PretextException("--test " + test + " does not exist or is not a file");
            }
            Path train = out.resolve(MiningOutput.TRAIN_FILE);
            if (!force && java.nio.file.Files.exists(train)) {
                throw new PretextException(train + " exists: choose another --out or add --force");
            }
            Miner.Result r = Miner.mine(c.texts(), p, perClass, seed);
            if (r.kept().isEmpty()) {
                throw new PretextException("The patterns of " + patterns + " kept no examples from " + corpus
                        + " (matched per class " + java.util.Arrays.toString(r.matched()) + " for classes " + r.classes()
                        + "): every class needs at least one match");
            }
            java.nio.file.Files.createDirectories(out);
            java.nio.file.Files.writeString(train, MiningOutput.tsv(r), java.nio.charset.StandardCharsets.UTF_8);
            MiningOutput.writeSummary(out.resolve(MiningOutput.SUMMARY_FILE), MiningOutput.summary(r, p, c, perClass, seed));
            if (test != null) {
                String n = test.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
                java.nio.file.Files.copy(test, out.resolve(n.endsWith(".csv") ? "dev.csv" : "dev.tsv"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            java.io.PrintWriter w = spec.commandLine().getOut();
            w.print(MiningOutput.describe(r, c));
            w.println("wrote " + train.toAbsolutePath() + " (" + r.kept().size() + " examples) and "
                    + out.resolve(MiningOutput.SUMMARY_FILE).toAbsolutePath());
            w.flush();
            return 0;
        }
    }

    /**
     * {@code sample}: text from a causal language model's run folder or checkpoint. The sampler lives
     * in the objectives-lm module, which the runner reaches at run time only (objectives are
     * providers, not compile-time dependencies), so it is called by name.
     */
    @Command(name = "sample", mixinStandardHelpOptions = true,
            description = "Print text sampled from a causal-lm run (its newest checkpoint that loads) or checkpoint.")
    static final class Sample implements Callable<Integer> {
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "RUN|CHECKPOINT",
                description = "a causal-lm run folder, or one of its checkpoints/ckpt-*.zip")
        Path source;

        @Option(names = "--prompt", paramLabel = "TEXT", description = "text to continue (default: none)")
        String prompt = "";

        @Option(names = "--tokens", paramLabel = "N", description = "tokens to sample (default 500)")
        int tokens = 500;

        @Option(names = "--temperature", paramLabel = "T", description = "softmax temperature (default 0.8)")
        double temperature = 0.8;

        @Option(names = "--top-k", paramLabel = "K", description = "sample among the K likeliest tokens (default 200;"
                + " 0: all)")
        int topK = 200;

        @Option(names = "--seed", paramLabel = "S", description = "sampling seed (default 1)")
        long seed = 1;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            java.lang.reflect.Method sample;
            try {
                sample = Class.forName("org.pretext.lm.SampleText").getMethod("sample", Path.class, String.class,
                        int.class, double.class, int.class, long.class);
            } catch (ClassNotFoundException e) {
                throw new PretextException("sample needs the objectives-lm module on the class path (pretext.jar has"
                        + " it)");
            }
            try {
                spec.commandLine().getOut().println(sample.invoke(null, source, prompt, tokens, temperature, topK, seed));
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            return 0;
        }
    }

    /** {@code report}: rebuild report.html and plots from a run folder. */
    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Rebuild report.html and its plots from a run folder.")
    static final class Report implements Callable<Integer> {
        @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run folder")
        Path run;

        @Override
        public Integer call() throws Exception {
            System.out.println("report: " + ReportRenderer.render(run).toAbsolutePath());
            return 0;
        }
    }

    /** Pretext's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Pretext " + org.pretext.Versions.pretext() + " (SPI " + org.pretext.Versions.SPI_VERSION
                    + ", DJL " + org.pretext.Versions.djl() + ", PyTorch " + org.pretext.Versions.pytorch() + ")"};
        }
    }
}
