package org.pretext.runner.pipeline;

import com.google.inject.Inject;
import org.pretext.model.PretextModel;
import org.pretext.runner.config.RunConfig;
import org.pretext.runner.config.TrainingSettings;
import org.pretext.runner.wiring.RunComponents;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;
import org.pretext.training.listener.MetricsJsonlListener;
import org.pretext.training.listener.ProgressListener;

/** Pretrains the configured encoder with the configured objective, writing checkpoints and metrics into the run folder. */
public final class PretrainStage {
    private final RunComponents components;

    @Inject
    public PretrainStage(RunComponents components) {
        this.components = components;
    }

    /** A pretrained model (the caller closes it) and what the run did. */
    public record Outcome(PretextModel model, PretrainResult result) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    /** Builds the model from the run seed and pretrains it (resuming from the folder's checkpoints if asked). */
    public Outcome run(RunDirectory dir, boolean resume) {
        RunConfig c = components.config();
        PretrainConfig config = TrainingSettings.toBuilder(c.training()).seed(c.seed())
                .checkpointDir(dir.checkpoints()).resume(resume).build();
        PretextModel model = PretextModel.create(components.encoders(), components.objectives().get(),
                components.dataset().pretrain().exampleShape(), components.device(), c.seed());
        try {
            System.err.printf("model: encoder %s (%,d trainable parameters with heads), objective %s, data %s"
                    + " (%,d examples of shape %s), device %s%n", c.encoder().name(), model.parameterCount(),
                    c.objective().name(), components.dataset().name(), components.dataset().pretrain().size(),
                    components.dataset().pretrain().exampleShape(),
                    org.pretext.engine.Devices.name(components.device()));
            Pretrainer pretrainer = new Pretrainer(config).addListener(new ProgressListener())
                    .addListener(new MetricsJsonlListener(dir.metrics()));
            PretrainResult result = pretrainer.run(model, components.dataset().pretrain(), components.provenance());
            return new Outcome(model, result);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
