package org.pretext.runner.pipeline;

import com.google.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pretext.data.Split;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.text.TextDataset;
import org.pretext.probe.KnnMonitor;
import org.pretext.runner.config.ProbeSettings;
import org.pretext.runner.config.RunConfig;
import org.pretext.training.TrainingSettings;
import org.pretext.runner.wiring.RunComponents;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;
import org.pretext.training.listener.MetricsJsonlListener;
import org.pretext.training.listener.RepresentationDiagnostics;
import java.nio.file.Path;
import java.util.List;
import org.pretext.training.listener.ProgressListener;

/** Pretrains the configured encoder with the configured objective, writing checkpoints and metrics into the run folder. */
public final class PretrainStage {
    private final RunComponents components;

    @Inject
    public PretrainStage(RunComponents components) {
        this.components = components;
    }

    /** A pretrained model (the caller closes it) and what the run did. */
    public record Outcome(PretextModel model, PretrainResult result, Map<String, Object> extra)
            implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    /** Builds the model from the run seed and pretrains it (resuming from the folder's checkpoints if asked). */
    public Outcome run(RunDirectory dir, boolean resume) {
        RunConfig c = components.config();
        java.util.List<ai.djl.Device> devices = org.pretext.runtime.DeviceSet.parse(c.devices())
                .resolve(components.device());
        PretrainConfig config = TrainingSettings.toBuilder(c.training()).seed(c.seed())
                .checkpointDir(dir.checkpoints()).resume(resume).devices(devices).build();
        Objective objective = components.objectives().get();
        Split data = components.pretrain();
        PretextModel model = PretextModel.create(components.encoders(), c.encoder().name(), objective,
                data.exampleShape(), components.device(), c.seed(), e -> components.encoderInit().ifPresent(
                        init -> init.accept(e)));
        try {
            Object init = c.encoder().params().get(org.pretext.runner.wiring.RunModule.ENCODER_INIT);
            if (init != null) {
                System.err.println("encoder: starting from the weights in " + init
                        + (resume ? " (a checkpoint of the run folder, if any, replaces them)" : ""));
            }
            System.err.printf("model: encoder %s (%,d trainable parameters with heads), objective %s, data %s"
                    + " (%,d examples of shape %s), device %s%s%s%n", c.encoder().name(), model.parameterCount(),
                    c.objective().name(), components.dataset().name(), data.size(), data.exampleShape(),
                    org.pretext.runtime.Devices.name(components.device()), devices.size() == 1 ? ""
                            : ", " + devices.size() + " replicas " + devices.stream()
                                    .map(org.pretext.runtime.Devices::name).toList(),
                    config.precision().equals(org.pretext.runtime.MixedPrecision.FLOAT32) ? "" : ", encoder steps in " + config.precision()
                            + " mixed precision");
            Pretrainer pretrainer = new Pretrainer(config).addListener(new ProgressListener())
                    .addListener(new MetricsJsonlListener(dir.metrics()));
            int every = c.probe().get(ProbeSettings.MONITOR_EVERY);
            if (every > 0 && c.probe().get(ProbeSettings.ENABLED) && !(components.dataset() instanceof TextDataset)) { // sentences are probed by feature maps
                KnnMonitor.forDataset(components.dataset(), 1000, 1000, c.seed()).ifPresent(m -> pretrainer.addMonitor(
                        (mod, epoch) -> (epoch + 1) % every == 0 ? m.measure(mod, epoch) : java.util.Map.of()));
            }
            components.validation().ifPresent(v -> pretrainer.addMonitor((m, epoch) -> objective.validate(m, v)));
            if (objective.embeddingHead().isPresent() && !(components.dataset() instanceof TextDataset)) {
                // alignment, uniformity and effective ranks into metrics.jsonl at every epoch's end
                pretrainer.addMonitor(RepresentationDiagnostics.of(data, c.seed()));
            }
            PretrainResult result = pretrainer.run(model, data, components.provenance());
            Path artifacts = dir.root().resolve("artifacts");
            List<Path> written;
            try {
                written = objective.writeArtifacts(model, data, artifacts, c.seed());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot write the objective's artefacts into " + artifacts, e);
            }
            if (!written.isEmpty()) {
                System.err.println("artefacts: " + written.size() + " file(s) in " + artifacts);
            }
            Map<String, Object> extra = new LinkedHashMap<>();
            if (components.dataset() instanceof TextDataset) {
                // one example is a window of context + 1 tokens, of which context are predicted
                extra.put("tokensPerSecond", result.samplesPerSecond() * components.encoderInputShape().get(0));
            }
            components.validation().ifPresent(v -> extra.putAll(objective.validate(model, v)));
            return new Outcome(model, result, extra);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
