package org.pretext.runner.pipeline;

import java.nio.file.Files;
import org.pretext.PretextException;
import org.pretext.checkpoint.CheckpointStore;
import org.pretext.model.PretextModel;
import org.pretext.runner.wiring.RunComponents;

/** The model of a run folder, rebuilt from its config and restored from its newest valid checkpoint. */
public final class TrainedModel {
    private TrainedModel() {}

    /** A restored model (the caller closes it) and the step of its checkpoint. */
    public record Restored(PretextModel model, long step) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    /** Rebuilds and restores. */
    public static Restored load(RunComponents c, RunDirectory dir) {
        if (!Files.isDirectory(dir.checkpoints())) {
            throw new PretextException(dir.root() + " holds no checkpoints/ folder: is it a Pretext run folder?");
        }
        PretextModel model = PretextModel.create(c.encoders(), c.objectives().get(),
                c.pretrain().exampleShape(), c.device(), c.config().seed());
        try {
            CheckpointStore store = new CheckpointStore(dir.checkpoints(), 2);
            long step = store.restoreModel(model, c.provenance()).orElseThrow(() -> new PretextException(
                    "No valid checkpoint in " + dir.checkpoints() + (store.skipped().isEmpty() ? ""
                            : ": " + String.join("; ", store.skipped()))));
            for (String skipped : store.skipped()) {
                System.err.println("warning: skipped damaged checkpoint: " + skipped);
            }
            System.err.println("restored " + dir.checkpoints() + " at step " + step);
            return new Restored(model, step);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
