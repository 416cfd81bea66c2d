package org.pretext.runner.pipeline;

import ai.djl.Device;
import ai.djl.training.ParameterStore;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.pretext.PretextException;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Dataset;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.Features;
import org.pretext.engine.FileTrees;
import org.pretext.evaluation.ProbeProvider;
import org.pretext.finetune.FineTuner;
import org.pretext.finetune.FinetuneBudget;
import org.pretext.finetune.FinetuneOptions;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.probe.Accuracy;
import org.pretext.probe.NamedProbe;
import org.pretext.probe.ProbeOptions;
import org.pretext.probe.ProbeSuite;
import org.pretext.registry.ProviderRegistry;
import org.pretext.runner.config.FinetuneSettings;
import org.pretext.runner.report.FinetuneReport;
import org.pretext.encoder.FeatureMap;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.encoder.TextFeatures;
import org.pretext.finetune.FinetuneNoise;
import org.pretext.finetune.Sensitivities;
import org.pretext.text.SequenceBatch;
import org.pretext.transform.Augmentation;
import org.pretext.transform.AugmentationParams;

/**
 * The fine-tuning stage: for every label budget and seeded draw, the pretrained encoder with a new
 * head trained end to end ({@link FineTuner}), the same architecture from its random
 * initialisation on the same labels, and the logistic probe of the frozen pretrained features on
 * the same labels (the probe module's {@link ProbeSuite#evaluateRows}).
 *
 * <p>Resumable: each finished draw is recorded in {@code finetune/draws.json} (written to a
 * temporary file, then renamed), and the draw under way checkpoints every epoch under
 * {@code finetune/checkpoints/}; run again into the same folder with the same settings, the stage
 * skips the recorded draws and resumes the interrupted one, giving the same table bit for bit.
 * Different settings start the stage afresh (said on standard error).
 */
public final class FinetuneStage {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    /**
     * What is fine-tuned.
     *
     * @param description for the report ("run DIR at step N", "encoder FILE")
     * @param encoders new encoders of the architecture
     * @param encoderName the encoder provider's name
     * @param encoderInput what the encoder sees of raw examples (the pretraining objective's choice)
     * @param pretrained the pretrained encoder (initialised)
     * @param store its parameter store
     * @param provenance where it came from
     * @param augmentationParams the pretraining objective's parameters, for {@code finetune.augment}
     */
    public record Source(String description, Supplier<Encoder> encoders, String encoderName,
            UnaryOperator<HostTensor> encoderInput, Encoder pretrained, ParameterStore store, Provenance provenance,
            Map<String, Object> augmentationParams) {}

    /** The source of a run's model: its probed encoder, the run's architecture and objective's encoder input. */
    public static Source source(org.pretext.runner.wiring.RunComponents c, org.pretext.model.PretextModel model,
            String description) {
        return new Source(description, c.encoders(), c.config().encoder().name(), model.objective()::encoderInput,
                model.probedEncoder(), model.parameterStore(), c.provenance(), c.config().objective().params());
    }

    private final ParamValues settings;
    private final long seed;
    private final Device device;
    private final ProviderRegistry<ProbeProvider> probes;
    private final int featureBatch;
    private final PrintStream err;

    public FinetuneStage(ParamValues settings, long seed, Device device, ProviderRegistry<ProbeProvider> probes,
            int featureBatch, PrintStream err) {
        this.settings = settings;
        this.seed = seed;
        this.device = device;
        this.probes = probes;
        this.featureBatch = featureBatch;
        this.err = err;
    }

    /** A finished draw of one method, as recorded in {@code draws.json}. */
    record Done(String method, String budget, int draw, long seed, int labelled, double accuracy, int epochs,
            int bestEpoch, Sensitivities sensitivities) {}

    /** {@code draws.json}: the settings the draws were made with, and the draws done. */
    record Progress(Map<String, Object> settings, String source, List<Done> draws) {}

    /**
     * Runs the stage, writing its checkpoints and progress under {@code folder}.
     *
     * @param folder the stage's own folder (e.g. {@code RUN/finetune})
     */
    public FinetuneReport run(Source source, Dataset data, Path folder) throws IOException {
        long t0 = System.nanoTime();
        Split train = data.train().filter(Split::hasLabels).orElseThrow(() -> new PretextException("finetune:"
                + " dataset '" + data.name() + "' has no labelled training split"));
        Split test = data.test().filter(Split::hasLabels).orElseThrow(() -> new PretextException("finetune:"
                + " dataset '" + data.name() + "' has no labelled test split"));
        List<FinetuneBudget> budgets = FinetuneSettings.budgets(settings);
        List<String> baselines = FinetuneSettings.baselines(settings);
        int draws = settings.get(FinetuneSettings.DRAWS);
        Augmentation augmentation = null;
        if (settings.get(FinetuneSettings.AUGMENT)) {
            List<Param<?>> declared = AugmentationParams.ALL;
            Map<String, Object> raw = new LinkedHashMap<>();
            for (Param<?> p : declared) {
                if (source.augmentationParams().containsKey(p.name())) {
                    raw.put(p.name(), source.augmentationParams().get(p.name()));
                }
            }
            augmentation = AugmentationParams.build(ParamValues.resolve("finetune.augment (the pretraining"
                    + " objective's augmentation parameters)", declared, raw), train.exampleShape());
        }
        FinetuneOptions options = FinetuneSettings.options(settings, augmentation, featureBatch);
        int numClasses = Math.max(train.numClasses(), test.numClasses());
        int[] labels = train.labels();
        // every budget's draws are checked before anything trains (a budget larger than a class stops here)
        Map<FinetuneBudget, List<int[]>> rows = new LinkedHashMap<>();
        Map<FinetuneBudget, long[]> seeds = new LinkedHashMap<>();
        for (FinetuneBudget b : budgets) {
            int n = b.isAll() ? 1 : draws;
            List<int[]> r = new ArrayList<>();
            long[] s = new long[n];
            for (int d = 0; d < n; d++) {
                s[d] = b.drawSeed(seed, d);
                r.add(b.draw(labels, numClasses, s[d], train.classNames()));
            }
            rows.put(b, r);
            seeds.put(b, s);
        }
        Files.createDirectories(folder);
        Path progressFile = folder.resolve("draws.json");
        Map<String, Object> recorded = new LinkedHashMap<>(settings.asMap());
        recorded.put("seed", seed);
        Progress progress = readProgress(progressFile, recorded, source.description());
        FineTuner.Start pretrained = new FineTuner.Start(source.encoders(), source.encoderName(),
                source.encoderInput(), FineTuner.Start.weightsOf(source.pretrained()));
        Provenance prov = new Provenance("finetune", org.pretext.Versions.pretext(), recorded, source.encoderName(),
                source.provenance().encoderParams(), data.name(), source.provenance().datasetInfo(), seed,
                Map.of(), null);
        // each noise variant fine-tunes the pretrained encoder; the baselines are plain
        Map<String, FinetuneNoise> methodNoise = new LinkedHashMap<>();
        for (FinetuneNoise n : FinetuneSettings.noises(settings)) {
            methodNoise.put(FinetuneReport.pretrained(n.key()), n);
        }
        List<String> methods = new ArrayList<>(methodNoise.keySet());
        if (baselines.contains("random-init")) {
            methods.add(FinetuneReport.RANDOM);
            methodNoise.put(FinetuneReport.RANDOM, FinetuneNoise.none());
        }
        ProgressLines lines = ProgressLines.stderr("fine-tuning ");
        for (FinetuneBudget b : budgets) {
            List<int[]> r = rows.get(b);
            for (int d = 0; d < r.size(); d++) {
                for (String method : methods) {
                    if (find(progress, method, b, d) != null) {
                        continue;
                    }
                    boolean random = method.equals(FinetuneReport.RANDOM);
                    String key = (random ? "random" : "pretrained-" + methodNoise.get(method).key()) + "-" + b.key()
                            + "-draw" + d;
                    Path ckpt = folder.resolve("checkpoints").resolve(key);
                    String what = String.format(Locale.ROOT, "%s, %s, draw %d of %d: ", method, b.label(), d + 1,
                            r.size());
                    FineTuner tuner = new FineTuner(options.withNoise(methodNoise.get(method)), device)
                            .withProgress(l -> lines.accept(what + l));
                    FineTuner.Outcome o = tuner.run(random ? pretrained.random() : pretrained, train, r.get(d), test,
                            seeds.get(b)[d], ckpt, prov);
                    lines.finish();
                    err.printf(Locale.ROOT, "%s%.2f %% test accuracy (%d labels, %d epochs%s, %.1f s%s)%n", what,
                            100 * o.testAccuracy(), r.get(d).length, o.epochs(), o.heldOutRows() > 0
                                    ? ", kept epoch " + o.bestEpoch() : "", o.seconds(),
                            o.resumedAtEpoch() > 0 ? ", resumed at epoch " + o.resumedAtEpoch() : "");
                    progress.draws().add(new Done(method, b.toString(), d, seeds.get(b)[d], r.get(d).length,
                            o.testAccuracy(), o.epochs(), o.bestEpoch(), o.sensitivities()));
                    writeProgress(progressFile, progress);
                    FileTrees.delete(ckpt);
                }
            }
        }
        List<FinetuneReport.Entry> entries = new ArrayList<>();
        List<FinetuneReport.SensitivityEntry> sensitivities = new ArrayList<>();
        for (FinetuneBudget b : budgets) {
            for (String method : methods) {
                List<Sensitivities> sens = new ArrayList<>();
                for (int d = 0; d < rows.get(b).size(); d++) {
                    Done x = find(progress, method, b, d);
                    if (x.sensitivities() != null) {
                        sens.add(x.sensitivities());
                    }
                }
                if (!sens.isEmpty()) {
                    sensitivities.add(FinetuneReport.SensitivityEntry.of(method, b.label(), sens));
                }
                int n = rows.get(b).size();
                double[] acc = new double[n];
                int[] epochs = new int[n];
                int[] best = new int[n];
                for (int d = 0; d < n; d++) {
                    Done x = find(progress, method, b, d);
                    acc[d] = x.accuracy();
                    epochs[d] = x.epochs();
                    best[d] = x.bestEpoch();
                }
                entries.add(entry(method, b, rows.get(b).get(0).length, acc, seeds.get(b), epochs, best));
            }
        }
        if (baselines.contains("linear-probe")) {
            long tp = System.nanoTime();
            // only the labelled rows of the draws are probed: their features, not the whole split's
            LabelledRows labelled = LabelledRows.of(train, rows);
            Features.Matrix tr = features(source, labelled.split(), "train");
            Features.Matrix te = features(source, test, "test");
            ProbeSuite suite = new ProbeSuite(ProbeOptions.defaults(device).withSeed(seed)
                    .withProbes(List.of(NamedProbe.of(probes.get("logistic"), Map.of()))));
            List<FinetuneReport.Entry> probed = new ArrayList<>();
            for (FinetuneBudget b : budgets) {
                double[] acc = suite.evaluateRows(tr, te, labelled.rows().get(b), seeds.get(b)).get("logistic");
                probed.add(entry(FinetuneReport.LINEAR_PROBE, b, rows.get(b).get(0).length, acc, seeds.get(b),
                        new int[0], new int[0]));
            }
            // the probe's rows follow the fine-tuning rows of each budget in the table
            List<FinetuneReport.Entry> merged = new ArrayList<>();
            for (FinetuneBudget b : budgets) {
                entries.stream().filter(e -> e.budget().equals(b.toString())).forEach(merged::add);
                probed.stream().filter(e -> e.budget().equals(b.toString())).forEach(merged::add);
            }
            entries = merged;
            err.printf(Locale.ROOT, "linear probe of the frozen pretrained features on the same draws in %.1f s%n",
                    (System.nanoTime() - tp) / 1e9);
        }
        return new FinetuneReport(source.description(), recorded, entries, (System.nanoTime() - t0) / 1e9,
                sensitivities);
    }

    /**
     * Frozen pretrained features of a split: the encoder's own output for images and vectors; for
     * sentences the pooling fine-tuning uses (last token of a causal transformer, mean of a
     * bidirectional one), the {@code last-token} and {@code mean} feature maps, over the same rows.
     */
    private Features.Matrix features(Source source, Split split, String which) {
        if (source.pretrained() instanceof SequenceEncoder s) {
            FeatureMap pooling = new FeatureMap() {
                @Override
                public String name() {
                    return s.isCausal() ? "last-token" : "mean";
                }

                @Override
                public int featureSize(SequenceEncoder encoder) {
                    return encoder.hiddenSize();
                }

                @Override
                public ai.djl.ndarray.NDArray apply(SequenceEncoder encoder, ParameterStore store, SequenceBatch batch) {
                    return batch.pool(encoder.isCausal() ? batch.lastTokenWeights() : batch.meanWeights());
                }
            };
            return TextFeatures.extract(s, source.store(), List.of(pooling), split, device, featureBatch,
                    ProgressLines.extraction("pretrained sentence features (" + which + ")")).get(0);
        }
        return Features.extract(source.pretrained(), source.store(), split, device, featureBatch,
                source.encoderInput(), ProgressLines.extraction("pretrained features (" + which + ")"));
    }

    private static FinetuneReport.Entry entry(String method, FinetuneBudget b, int labelled, double[] acc, long[] seeds,
            int[] epochs, int[] best) {
        return new FinetuneReport.Entry(method, b.toString(), b.label(), labelled, Accuracy.mean(acc), Accuracy.std(acc),
                acc, seeds.clone(), epochs, best);
    }

    private static Done find(Progress p, String method, FinetuneBudget b, int draw) {
        for (Done d : p.draws()) {
            if (d.method().equals(method) && d.budget().equals(b.toString()) && d.draw() == draw) {
                return d;
            }
        }
        return null;
    }

    /** The draws done with these settings, or a fresh record (the old one's checkpoints deleted). */
    private Progress readProgress(Path file, Map<String, Object> recorded, String source) throws IOException {
        Progress fresh = new Progress(recorded, source, new ArrayList<>());
        if (!Files.exists(file)) {
            return fresh;
        }
        Progress old;
        try {
            old = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Progress.class);
        } catch (JsonParseException e) {
            throw new PretextException("Fine-tuning progress file " + file + " is not valid JSON (" + e.getMessage()
                    + "): delete it to fine-tune afresh", e);
        }
        // compare as JSON: numbers read back as doubles
        if (old != null && normal(old.settings()).equals(normal(recorded)) && source.equals(old.source())) {
            err.println("finetune: resuming; " + old.draws().size() + " draws already done (" + file + ")");
            return new Progress(recorded, source, new ArrayList<>(old.draws()));
        }
        err.println("finetune: " + file + " records other settings or another encoder; fine-tuning afresh");
        FileTrees.delete(file.resolveSibling("checkpoints"));
        return fresh;
    }

    /** A map as JSON after a round trip, so 3 and 3.0 compare equal. */
    private static String normal(Map<String, Object> m) {
        return GSON.toJson(GSON.fromJson(GSON.toJson(m), Map.class));
    }

    private static void writeProgress(Path file, Progress p) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, GSON.toJson(p), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
