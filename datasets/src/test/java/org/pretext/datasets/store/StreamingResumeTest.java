package org.pretext.datasets.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Split;
import ai.djl.ndarray.types.DataType;
import org.pretext.datasets.npy.NpyFile;
import org.pretext.datasets.npy.NpyWriter;
import org.pretext.datasets.testing.ReconstructionObjective;
import org.pretext.model.PretextModel;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;
import org.pretext.training.StepMetrics;
import org.pretext.training.TrainingListener;

/** Pretraining on a split streamed from shards resumes exactly where it stopped, as from memory. */
class StreamingResumeTest {
    private static final Provenance PROVENANCE = new Provenance("reconstruction", "1", Map.of(), "linear", Map.of(),
            "stream", Map.of(), 5, Map.of(), null);

    /** 600 vectors of 12 floats in shards of 40 rows, shuffle window 3; 18 steps of 64 per epoch. */
    private static Split split(Path dir) {
        SplittableRandom r = new SplittableRandom(9);
        float[] x = new float[600 * 12];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Path f = dir.resolve("x.npy");
        NpyWriter.writeFloats(f, x, 600, 12);
        return ShardedExamples.ofFile(NpyFile.open(f), new RowFormat(DataType.FLOAT32, 1f, new Shape(12), false),
                40 * 12 * 4, 3).view(null, null, null);
    }

    private static PretrainConfig.Builder config() {
        return PretrainConfig.builder().batchSize(64).steps(30).learningRate(0.01).seed(5).logEvery(1)
                .prepareThreads(2);
    }

    private static PretrainResult run(Split data, PretrainConfig c, TrainingListener listener) {
        try (PretextModel model = PretextModel.create(ReconstructionObjective.encoder(new Shape(12), 4),
                new ReconstructionObjective(), new Shape(12), Device.cpu(), 5)) {
            Pretrainer p = new Pretrainer(c);
            if (listener != null) {
                p.addListener(listener);
            }
            return p.run(model, data, PROVENANCE);
        }
    }

    @Test
    void resumedRunOnStreamedDataMatchesAnUninterruptedOne(@TempDir Path dir) {
        Split data = split(dir);
        PretrainResult whole = run(data, config().build(), null);
        Path ckpt = dir.resolve("ckpt");
        // crash at step 23, inside the second epoch, after a checkpoint at step 21
        assertThatThrownBy(() -> run(data, config().checkpointDir(ckpt).checkpointEvery(7).build(),
                new TrainingListener() {
                    @Override
                    public void onStep(StepMetrics m) {
                        if (m.step() == 23) {
                            throw new IllegalStateException("simulated crash");
                        }
                    }
                })).hasMessage("simulated crash");
        PretrainResult resumed = run(data, config().checkpointDir(ckpt).checkpointEvery(7).resume(true).build(), null);
        assertThat(resumed.startStep()).isEqualTo(21);
        assertThat(resumed.losses()).containsExactly(Arrays.copyOfRange(whole.losses(), 21, 30));
    }
}
