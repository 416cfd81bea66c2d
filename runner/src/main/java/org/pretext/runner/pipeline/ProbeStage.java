package org.pretext.runner.pipeline;

import ai.djl.Device;
import java.util.List;
import org.pretext.encoder.Features;
import org.pretext.param.ParamValues;
import org.pretext.probe.LabelBudget;
import org.pretext.probe.LogisticModel;
import org.pretext.probe.NamedProbe;
import org.pretext.evaluation.ProbeProvider;
import org.pretext.registry.ProviderRegistry;
import org.pretext.PretextException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pretext.probe.ProbeOptions;
import org.pretext.probe.ProbeResult;
import org.pretext.probe.ProbeSuite;
import org.pretext.runner.config.ProbeSettings;

/** Probes feature sets with the configured probes and label budgets (the probe module's {@link ProbeSuite}). */
public final class ProbeStage {
    private final ProgressLines progress = ProgressLines.stderr("probing ");
    private final ProbeSuite suite;
    private final List<String> classNames;

    /**
     * @param workers draws evaluated at once, each on one engine thread ({@link ProbeSuite#withWorkers}): the
     *     run's engine thread count, so probing uses the cores pretraining used
     */
    public ProbeStage(ParamValues probe, long seed, Device device, ProviderRegistry<ProbeProvider> probes,
            List<String> classNames, int workers) {
        this.suite = new ProbeSuite(ProbeSettings.options(probe, seed, device, probes)).withProgress(progress)
                .withWorkers(workers);
        this.classNames = classNames;
    }

    /** Draws evaluated at once (1 when a plug-in's probe runs). */
    public int workers() {
        return suite.workers();
    }

    /**
     * Evaluates several feature sets, their draws sharing the workers, each set's evaluation keeping
     * the logistic model fitted on all labels (null if none was).
     */
    public List<ProbeSuite.Evaluation> evaluateAll(List<ProbeSuite.FeatureSet> sets) {
        try {
            return suite.runAll(sets, classNames);
        } finally {
            progress.finish();
        }
    }

    /**
     * Evaluates one feature set.
     *
     * @param name the feature set's name in the report (pretrained, random-encoder, raw-input, file)
     */
    public List<ProbeResult> evaluate(String name, Features.Matrix train, Features.Matrix test) {
        try {
            return suite.run(name, train, test, classNames);
        } finally {
            progress.finish();
        }
    }

    /** The logistic probe on every training label, fitted as the "all" budget fits it. */
    public LogisticModel fitAllLabels(Features.Matrix train, Features.Matrix test) {
        return suite.fitAllLabels(train, test);
    }
}
