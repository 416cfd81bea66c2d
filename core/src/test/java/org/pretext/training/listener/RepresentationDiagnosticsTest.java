package org.pretext.training.listener;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.data.Batch;
import org.pretext.data.IndexedSplit;
import org.pretext.encoder.BlockEncoder;
import org.pretext.encoder.Encoder;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;

class RepresentationDiagnosticsTest {

    /** An objective with no heads: the diagnostics only look at the encoder. */
    private static final class NoHeads implements Objective {
        @Override
        public void initialize(ObjectiveSetup setup) {}

        @Override
        public Map<String, Block> heads() {
            return Map.of();
        }

        @Override
        public PreparedBatch prepare(Batch batch, SplittableRandom random) {
            return PreparedBatch.of(batch.inputs());
        }

        @Override
        public NDArray loss(StepContext context, NDList inputs) {
            throw new UnsupportedOperationException();
        }
    }

    /** An objective whose projector maps everything to one point. */
    private static final class ConstantProjector implements Objective {
        private Block head;

        @Override
        public void initialize(ObjectiveSetup setup) {
            head = Linear.builder().setUnits(8).build();
            head.initialize(setup.manager(), ai.djl.ndarray.types.DataType.FLOAT32, new Shape(2, 16));
            head.getParameters().get("weight").getArray().muli(0f);
        }

        @Override
        public Map<String, Block> heads() {
            return Map.of("projector", head);
        }

        @Override
        public java.util.Optional<String> embeddingHead() {
            return java.util.Optional.of("projector");
        }

        @Override
        public PreparedBatch prepare(Batch batch, SplittableRandom random) {
            return PreparedBatch.of(batch.inputs());
        }

        @Override
        public NDArray loss(StepContext context, NDList inputs) {
            throw new UnsupportedOperationException();
        }
    }

    /** 300 random 8×8 "images" of 4 blobs at random places, values in [0, 1]. */
    private static IndexedSplit images() {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[300 * 64];
        for (int i = 0; i < 300; i++) {
            for (int b = 0; b < 4; b++) {
                int p = r.nextInt(64);
                x[i * 64 + p] = 1;
            }
        }
        return IndexedSplit.ofFloats(x, new Shape(1, 8, 8), null, List.of());
    }

    private static PretextModel model(boolean collapsed) {
        return model(collapsed, new NoHeads());
    }

    private static PretextModel model(boolean collapsed, Objective objective) {
        SequentialBlock b = new SequentialBlock();
        b.add(Blocks.batchFlattenBlock(64));
        b.add(Linear.builder().setUnits(16).build());
        Encoder encoder = new BlockEncoder(b, new Shape(1, 8, 8), 16);
        PretextModel model = PretextModel.create(encoder, objective, new Shape(1, 8, 8), Device.cpu(), 1);
        if (collapsed) {
            // every input maps to the bias: the trivial solution of a joint-embedding loss
            model.parameters().values().forEach(p -> {
                if (p.getArray().getShape().dimension() == 2) {
                    p.getArray().muli(0f);
                }
            });
        }
        return model;
    }

    @Test
    void aCollapsedEncoderIsReportedAsSuchWithAWarning() {
        List<String> warnings = new ArrayList<>();
        RepresentationDiagnostics d = RepresentationDiagnostics.of(images(), 5);
        RepresentationDiagnostics withSink = d.withWarnings(warnings::add);
        try (PretextModel model = model(true)) {
            Map<String, Double> m = withSink.measure(model, 3);
            assertThat(m.get("effectiveRank")).isLessThan(1.01);
            assertThat(m.get("uniformity")).isGreaterThan(-1e-6);
            assertThat(m.get("alignment")).isLessThan(1e-9);
            assertThat(m.get("collapsed")).isEqualTo(1.0);
            assertThat(m).doesNotContainKey("embeddingRank");
            assertThat(warnings).singleElement().asString().contains("collapsed at epoch 3")
                    .contains("effective rank 1.00 of the encoder features is below 3.0");
        }
    }

    @Test
    void aRandomEncoderIsNotCollapsed() {
        List<String> warnings = new ArrayList<>();
        RepresentationDiagnostics d = RepresentationDiagnostics.of(images(), 5);
        RepresentationDiagnostics withSink = d.withWarnings(warnings::add);
        try (PretextModel model = model(false)) {
            Map<String, Double> m = withSink.measure(model, 0);
            assertThat(m.get("effectiveRank")).isGreaterThan(8);
            assertThat(m.get("uniformity")).isLessThan(-1);
            assertThat(m.get("alignment")).isBetween(0.01, 4.0);
            assertThat(m.get("collapsed")).isEqualTo(0.0);
            assertThat(warnings).isEmpty();
            // the same numbers every time: a fixed batch and fixed views
            assertThat(withSink.measure(model, 1)).isEqualTo(m);
        }
    }

    @Test
    void aCollapsedProjectorIsReportedThroughTheObjectivesEmbeddingHead() {
        List<String> warnings = new ArrayList<>();
        RepresentationDiagnostics d = RepresentationDiagnostics.of(images(), 5).withWarnings(warnings::add);
        try (PretextModel model = model(false, new ConstantProjector())) {
            Map<String, Double> m = d.measure(model, 2);
            assertThat(m.get("effectiveRank")).isGreaterThan(8);
            assertThat(m.get("embeddingRank")).isLessThan(1.01);
            assertThat(m.get("collapsed")).isEqualTo(1.0);
            assertThat(warnings).singleElement().asString().contains("and 1.00 of the embeddings");
        }
    }
}
