package org.pretext.runner.pipeline;

import org.pretext.probe.ProbeResult;
import org.pretext.probe.RawFeatures;
import org.pretext.probe.LogisticModel;
import org.pretext.probe.ProbeSuite;
import org.pretext.probe.RobustAccuracy;
import com.google.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pretext.data.Split;
import org.pretext.encoder.Features;
import org.pretext.model.PretextModel;
import org.pretext.text.TextDataset;
import org.pretext.param.ParamValues;
import org.pretext.runner.config.ConfigLoader;
import org.pretext.runner.config.ProbeSettings;
import org.pretext.runner.config.RunConfig;
import org.pretext.training.TrainingSettings;
import org.pretext.runner.report.PretrainSummary;
import org.pretext.runner.report.Projection;
import org.pretext.runner.report.ReportRenderer;
import org.pretext.runner.report.RunReport;
import org.pretext.runner.wiring.RunComponents;

/** {@code run}: pretraining, then the probes of three feature sets, then the report. */
public final class RunPipeline {
    private final RunComponents components;
    private final PretrainStage pretrain;

    @Inject
    public RunPipeline(RunComponents components, PretrainStage pretrain) {
        this.components = components;
        this.pretrain = pretrain;
        if (ProbeSettings.robust(components.config().probe()) && components.dataset() instanceof TextDataset) {
            throw new org.pretext.PretextException("probe.robust-epsilon is for continuous inputs (images, feature"
                    + " vectors); dataset '" + components.dataset().name() + "' holds token ids: set"
                    + " probe.robust-epsilon=0");
        }
    }

    /**
     * Everything that can be checked before the run folder is created, so that a run refused for
     * its settings writes nothing and a corrected rerun into the same {@code --out} works: the
     * batch size against the pretraining data, the encoder against the objective (the model is
     * built once and freed; the objective names the encoder by its provider name, e.g.
     * {@code 'mlp'}), and, when the run will probe, that the labelled training split has at least
     * two classes and as many labels in every class as each label budget asks for.
     *
     * @param withProbes whether this run probes after pretraining
     */
    public void preflight(boolean withProbes) {
        RunConfig c = components.config();
        Split data = components.pretrain();
        int batch = c.training().get(TrainingSettings.BATCH_SIZE);
        if (batch > data.size()) {
            throw new org.pretext.PretextException("training.batch-size is " + batch + " but the pretraining data of"
                    + " dataset '" + components.dataset().name() + "' holds " + data.size() + " examples: set"
                    + " training.batch-size to at most " + data.size());
        }
        try (PretextModel m = PretextModel.create(components.encoders(), c.encoder().name(),
                components.objectives().get(), data.exampleShape(), components.device(), c.seed(),
                e -> components.encoderInit().ifPresent(init -> init.accept(e)))) { // a bad encoder.init fails here
            m.parameterCount(); // built: the encoder fits the objective
        }
        boolean probe = withProbes && c.probe().get(ProbeSettings.ENABLED);
        Split train = components.dataset().train().orElse(null);
        Split test = components.dataset().test().orElse(null);
        if (!probe || train == null || test == null || !train.hasLabels()) {
            return;
        }
        int numClasses = Math.max(train.numClasses(), test.numClasses());
        int[] counts = org.pretext.probe.LabelDraws.classCounts(train.labels(), numClasses);
        List<String> names = train.classNames();
        ProbeSuite.requireTwoClasses("dataset '" + components.dataset().name() + "'", train.labels(), names);
        int smallest = 0;
        for (int k = 1; k < numClasses; k++) {
            if (counts[k] < counts[smallest]) {
                smallest = k;
            }
        }
        for (Integer k : ProbeSettings.budgets(c.probe())) {
            if (k != null && k > counts[smallest]) {
                throw new org.pretext.PretextException("probe.labels-per-class asks for " + k + " labels per class,"
                        + " but class '" + (smallest < names.size() ? names.get(smallest) : smallest) + "' of dataset '"
                        + components.dataset().name() + "' has " + counts[smallest] + " in its training split: use"
                        + " budgets of at most " + counts[smallest] + " labels per class, or 'all'");
            }
        }
    }

    /**
     * What the probes of a model measured.
     *
     * @param results one entry per feature set, probe and budget
     * @param robust the robust-accuracy measurement, or null when it is off
     */
    public record Probed(List<ProbeResult> results, RobustAccuracy.Result robust) {}

    /** Wall time of each phase of the current run, in order, for the report. */
    private final java.util.Map<String, Double> phases = new java.util.LinkedHashMap<>();

    /**
     * Runs into a prepared folder.
     *
     * @param withProbes whether to probe after pretraining ({@code pretrain} command: no)
     */
    public RunReport run(RunDirectory dir, boolean resume, boolean withProbes, PrintStream out) throws IOException {
        RunConfig c = components.config();
        Files.writeString(dir.config(), ConfigLoader.toYaml(c.tree()), StandardCharsets.UTF_8);
        org.pretext.runner.wiring.RunPlugins.write(dir.root(), components.provenance().plugins());
        List<ProbeResult> entries = new ArrayList<>();
        RobustAccuracy.Result robust = null;
        org.pretext.runner.report.FinetuneReport finetune = null;
        ParamValues finetuneSettings = withProbes ? ConfigLoader.finetune(c.tree()) : null;
        PretrainSummary summary;
        phases.clear();
        long t0 = System.nanoTime();
        try (PretrainStage.Outcome o = pretrain.run(dir, resume)) {
            var r = o.result();
            phases.put("pretraining (set-up, steps, checkpoints)", (System.nanoTime() - t0) / 1e9);
            summary = PretrainSummary.of(r.steps(), r.seconds(), r.finalLoss(), r.samplesPerSecond(), r.startStep(),
                    o.extra(), r.phaseSeconds());
            boolean probe = withProbes && c.probe().get(ProbeSettings.ENABLED);
            if (probe && components.dataset().train().isPresent() && components.dataset().test().isPresent()) {
                Probed p = probe(o.model(), c.probe(), dir.root());
                entries.addAll(p.results());
                robust = p.robust();
            } else if (probe) {
                System.err.println("note: dataset '" + components.dataset().name() + "' has no labels; probes skipped");
            }
            if (finetuneSettings != null) {
                long tf = System.nanoTime();
                finetune = new FinetuneStage(finetuneSettings, c.seed(), components.device(), components.probes(),
                        c.probe().get(ProbeSettings.BATCH_SIZE), System.err).run(FinetuneStage.source(components,
                                o.model(), "run " + dir.root().toAbsolutePath()), components.dataset(),
                                dir.root().resolve("finetune"));
                phases.put("fine-tuning", (System.nanoTime() - tf) / 1e9);
            }
        }
        RunReport report = new RunReport(c.objective().name(), components.dataset().name(), c.encoder().name(),
                c.seed(), org.pretext.runtime.Devices.name(components.device()), summary, entries, robust,
                components.provenance(), components.objectives().get().metricCaptions(),
                RunReport.Invocation.now(new java.util.LinkedHashMap<>(phases)), finetune);
        report.write(dir.reportJson());
        ReportRenderer.render(dir.root());
        printTable(report, out);
        out.println("report: " + dir.reportHtml().toAbsolutePath());
        return report;
    }

    /**
     * Probes a model as its dataset calls for: sentences through {@link TextProbes} (feature maps over
     * the transformer's hidden states, bag of words), anything else through {@link #probeAll}.
     */
    public Probed probe(PretextModel model, ParamValues probe, java.nio.file.Path folder) throws IOException {
        if (components.dataset() instanceof TextDataset text) {
            if (ProbeSettings.robust(probe)) {
                throw new org.pretext.PretextException("probe.robust-epsilon applies to image encoders: the attack"
                        + " perturbs input pixels, and dataset '" + components.dataset().name() + "' holds sentences");
            }
            long t1 = System.nanoTime();
            if (text instanceof org.pretext.runner.mining.MinedTextDataset mined) {
                text = zeroShotFiltered(mined, model, probe);
            }
            List<ProbeResult> results = new ArrayList<>(new TextProbes(components, text).probeAll(model, probe));
            if (text instanceof org.pretext.runner.mining.MinedTextDataset mined) {
                mined.write(folder);
                ParamValues m = org.pretext.runner.mining.MiningSettings.of(components.config().tree()).orElseThrow();
                if (m.get(org.pretext.runner.mining.MiningSettings.PROMPT_BASELINE)) {
                    if (!(model.probedEncoder() instanceof org.pretext.encoder.SequenceEncoder seq)) {
                        throw new org.pretext.PretextException("The prompting baseline needs a sequence encoder");
                    }
                    results.addAll(org.pretext.runner.mining.PromptBaseline.evaluate(seq, model.parameterStore(),
                            mined.patterns(), mined.classIndex(), text.test().orElseThrow(),
                            m.get(org.pretext.runner.mining.MiningSettings.PROMPT), components.device(),
                            probe.get(ProbeSettings.BATCH_SIZE)));
                }
            }
            phases.put("probing", (System.nanoTime() - t1) / 1e9);
            return new Probed(results, null);
        }
        return probeAll(model, probe, folder);
    }

    /**
     * With {@code mining.filter: zero-shot}, the mined dataset keeping only the training sentences the
     * pretrained model's calibrated prompting classifier assigns to their mined class; else as it is.
     */
    private org.pretext.runner.mining.MinedTextDataset zeroShotFiltered(org.pretext.runner.mining.MinedTextDataset mined,
            PretextModel model, ParamValues probe) {
        ParamValues m = org.pretext.runner.mining.MiningSettings.of(components.config().tree()).orElseThrow();
        if (!m.get(org.pretext.runner.mining.MiningSettings.FILTER).equals("zero-shot")) {
            return mined;
        }
        if (!(model.probedEncoder() instanceof org.pretext.encoder.SequenceEncoder seq)) {
            throw new org.pretext.PretextException("mining.filter=zero-shot needs a sequence encoder (a language model)");
        }
        int[] rows = org.pretext.runner.mining.PromptBaseline.agreeing(seq, model.parameterStore(), mined.patterns(),
                mined.classIndex(), mined.train().orElseThrow(), m.get(org.pretext.runner.mining.MiningSettings.PROMPT),
                components.device(), probe.get(ProbeSettings.BATCH_SIZE));
        org.pretext.runner.mining.MinedTextDataset kept = mined.filtered(rows, "zero-shot filter (calibrated prompting)");
        String precision = mined.precision().map(before -> String.format(java.util.Locale.ROOT,
                "; precision %.1f %% -> %.1f %%", 100 * before.overall(), 100 * kept.precision().orElseThrow().overall()))
                .orElse("");
        System.err.printf(java.util.Locale.ROOT, "zero-shot filter: kept %d of %d mined training sentences, per class %s%s%n",
                rows.length, mined.train().orElseThrow().size(), java.util.Arrays.toString(kept.result().keptPerClass()),
                precision);
        return kept;
    }

    /**
     * Probes every configured feature set of a model on the dataset's train and test splits, and
     * saves the pretrained test features' 2-D projection into {@code folder}. With
     * {@code probe.robust-epsilon} > 0, also attacks the logistic probe fitted on all labels of the
     * pretrained features, end to end through the encoder, on the test inputs ({@link RobustAccuracy}).
     */
    public Probed probeAll(PretextModel model, ParamValues probe, java.nio.file.Path folder)
            throws IOException {
        RunConfig c = components.config();
        Split train = components.dataset().train().orElseThrow(() -> new org.pretext.PretextException("dataset '"
                + components.dataset().name() + "' has no labelled training split to probe with"));
        Split test = components.dataset().test().orElseThrow(() -> new org.pretext.PretextException("dataset '"
                + components.dataset().name() + "' has no labelled test split to probe on"));
        int batch = probe.get(ProbeSettings.BATCH_SIZE);
        ProbeStage probes = new ProbeStage(probe, c.seed(), components.device(), components.probes(), train.classNames(),
                org.pretext.runtime.EngineSetup.startThreads());
        boolean robust = ProbeSettings.robust(probe);
        List<ProbeSuite.FeatureSet> sets = new ArrayList<>();
        for (String set : ProbeSettings.names(probe, ProbeSettings.FEATURES, ProbeSettings.FEATURE_SETS)) {
            long t0 = System.nanoTime();
            Features.Matrix[] f = switch (set) {
                case "pretrained" -> new Features.Matrix[] {
                    FeatureSets.pretrained(model, train, batch, ProgressLines.extraction("pretrained features (train)")),
                    FeatureSets.pretrained(model, test, batch, ProgressLines.extraction("pretrained features (test)"))};
                case "random-encoder" -> FeatureSets.randomEncoder(components.encoders(),
                        model.objective()::encoderInput, c.seed(), components.device(), batch,
                        i -> ProgressLines.extraction("random-encoder features (" + (i == 0 ? "train" : "test") + ")"),
                        train, test);
                default -> new Features.Matrix[] {RawFeatures.of(train), RawFeatures.of(test)};
            };
            if (set.equals("pretrained")) {
                new ReportRenderer.SavedProjection(Projection.of(f[1], 2000, c.seed()), test.classNames())
                        .write(folder.resolve("projection.json"));
            }
            sets.add(new ProbeSuite.FeatureSet(set, f[0], f[1]));
            phases.put("features: " + set, (System.nanoTime() - t0) / 1e9);
        }
        long tp = System.nanoTime();
        List<ProbeSuite.Evaluation> evaluations = probes.evaluateAll(sets);
        double probeSeconds = (System.nanoTime() - tp) / 1e9;
        List<ProbeResult> entries = new ArrayList<>();
        LogisticModel allLabels = null;
        List<String> widths = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            entries.addAll(evaluations.get(i).results());
            if (sets.get(i).name().equals("pretrained")) {
                allLabels = evaluations.get(i).allLabelsModel();
                if (robust && allLabels == null) {
                    // the budgets or probes leave out the all-labels logistic fit: make it for the attack alone
                    allLabels = probes.fitAllLabels(sets.get(i).train(), sets.get(i).test());
                }
            }
            widths.add(sets.get(i).name() + " " + sets.get(i).train().cols() + "-d");
        }
        System.err.printf(Locale.ROOT, "probed %s features in %.1f s (%s)%n", String.join(", ", widths), probeSeconds,
                probes.workers() == 1 ? "one draw at a time" : "up to " + probes.workers() + " draws at once");
        phases.put("probes", probeSeconds);
        RobustAccuracy.Result attacked = null;
        if (robust) {
            long ta = System.nanoTime();
            if (allLabels == null) {
                allLabels = probes.fitAllLabels(FeatureSets.pretrained(model, train, batch),
                        FeatureSets.pretrained(model, test, batch));
            }
            RobustAccuracy.Settings s = ProbeSettings.robustSettings(probe, c.seed());
            ProgressLines attackProgress = ProgressLines.stderr("PGD attack: ");
            attacked = RobustAccuracy.evaluate(model.probedEncoder(), model.parameterStore(), model.objective()::encoderInput,
                    allLabels, test, components.device(), s, "pretrained", null, attackProgress);
            attackProgress.finish();
            System.err.printf(Locale.ROOT, "PGD-%d (ε = %.4g, α = %.4g) on %d test examples in %.1f s: clean %.2f %%,"
                    + " robust %.2f %%, largest perturbation %.4g%n", attacked.steps(), attacked.epsilon(),
                    attacked.stepSize(), attacked.examples(), attacked.seconds(), 100 * attacked.clean(),
                    100 * attacked.robust(), attacked.maxPerturbation());
            phases.put("PGD attack", (System.nanoTime() - ta) / 1e9);
        }
        return new Probed(entries, attacked);
    }

    /** Prints the probe results as a table: one row per feature set and probe, one column per budget. */
    public static void printTable(RunReport r, PrintStream out) {
        if (r.pretrain() != null) {
            PretrainSummary p = r.pretrain();
            String steps = p.resumedFromStep() > 0
                    ? String.format(Locale.ROOT, "%d steps (%d of them in this session, resumed at step %d) in %.1f s",
                            p.steps(), p.steps() - p.resumedFromStep(), p.resumedFromStep(), p.seconds())
                    : String.format(Locale.ROOT, "%d steps in %.1f s", p.steps(), p.seconds());
            out.printf(Locale.ROOT, "%s on %s with %s: %s, final loss %.4f%s%n", r.objective(), r.dataset(),
                    r.encoder(), steps, p.finalLoss(), p.validationLoss() == null ? ""
                            : String.format(Locale.ROOT, ", validation loss %.4f nats per token (%.4f bits per token)",
                                    p.validationLoss(), p.validationLoss() / Math.log(2)));
        }
        if (r.probe() == null || r.probe().isEmpty()) {
            if (r.finetune() != null) {
                r.finetune().print(out);
            }
            return;
        }
        List<Integer> budgets = r.probe().stream().map(ProbeResult::labelsPerClass).distinct()
                .sorted((a, b) -> a == null ? 1 : b == null ? -1 : Integer.compare(a, b)).toList();
        Map<String, Map<Integer, ProbeResult>> rows = new LinkedHashMap<>();
        for (ProbeResult e : r.probe()) {
            rows.computeIfAbsent(e.features() + " / " + e.probe(), k -> new LinkedHashMap<>()).put(
                    e.labelsPerClass() == null ? -1 : e.labelsPerClass(), e);
        }
        RobustAccuracy.Result a = r.robust();
        String attacked = a == null ? "" : a.features() + " / " + a.probe() + ", " + (a.labelsPerClass() == null
                ? "all labels" : a.labelsPerClass() + " per class");
        int width = 28; // the first column fits the longest row name (e.g. SST-2's random-encoder/conditional-mean)
        for (String name : rows.keySet()) {
            width = Math.max(width, name.length() + 2);
        }
        width = Math.max(width, attacked.length() + 2);
        String first = "%-" + width + "s";
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, first, "test accuracy (%)"));
        for (Integer b : budgets) {
            head.append(String.format(Locale.ROOT, "%18s", b == null ? "all labels" : b + " per class"));
        }
        out.println(head);
        for (Map.Entry<String, Map<Integer, ProbeResult>> row : rows.entrySet()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, first, row.getKey()));
            for (Integer b : budgets) {
                ProbeResult e = row.getValue().get(b == null ? -1 : b);
                line.append(e == null ? String.format(Locale.ROOT, "%18s", "-")
                        : e.draws() > 1 ? String.format(Locale.ROOT, "%18s",
                                String.format(Locale.ROOT, "%.2f ± %.2f", 100 * e.accuracy(), 100 * e.accuracyStd()))
                        : String.format(Locale.ROOT, "%18.2f", 100 * e.accuracy()));
            }
            out.println(line);
        }
        if (a != null) {
            out.printf(Locale.ROOT, first + "%18s%18s%n", "under attack (%)", "clean", "robust");
            out.printf(Locale.ROOT, first + "%18.2f%18.2f%n", attacked, 100 * a.clean(), 100 * a.robust());
            out.printf(Locale.ROOT, "  L∞ PGD, ε = %.4g, %d steps of α = %.4g%s, inputs clamped to [%s, %s], %d test"
                    + " examples%n", a.epsilon(), a.steps(), a.stepSize(), a.randomStart() ? ", random start" : "",
                    plain(a.min()), plain(a.max()), a.examples());
        }
        org.pretext.runner.report.Verdict.line(r.probe()).ifPresent(out::println);
        if (r.finetune() != null) {
            r.finetune().print(out);
        }
    }


    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
