package org.pretext.runner.pipeline;

import ai.djl.Device;
import java.util.List;
import org.pretext.encoder.Features;
import org.pretext.param.ParamValues;
import org.pretext.runner.report.ProbeEntry;

/** Probes feature sets with the configured probes and label budgets. */
public final class ProbeStage {
    private ProbeStage() {}

    /**
     * Evaluates one feature set.
     *
     * @param name the feature set's name in the report (pretrained, random-encoder, raw-input, file)
     */
    public static List<ProbeEntry> evaluate(String name, Features.Matrix train, Features.Matrix test, ParamValues probe,
            long seed, Device device) {
        throw new UnsupportedOperationException("probe module not wired yet");
    }
}
