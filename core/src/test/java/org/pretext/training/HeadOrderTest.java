package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.data.Batch;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;

/**
 * The model orders heads by name whatever map the objective returns: the parameter order fixes the
 * optimiser's summation order, and {@code Map.of} iterates in a different order in every JVM.
 */
class HeadOrderTest {
    /** ToyDenoising with a second, unused head, its heads returned in reverse name order. */
    private static final class TwoHeads implements Objective {
        private final ToyDenoising inner = new ToyDenoising();
        private Block extra;

        @Override
        public void initialize(ObjectiveSetup setup) {
            inner.initialize(setup);
            extra = Linear.builder().setUnits(2).build();
            extra.initialize(setup.manager(), DataType.FLOAT32, new Shape(1, setup.encoder().featureSize()));
        }

        @Override
        public Map<String, Block> heads() {
            Map<String, Block> m = new LinkedHashMap<>();
            m.put("z-extra", extra);
            m.putAll(inner.heads());
            return m;
        }

        @Override
        public PreparedBatch prepare(Batch batch, SplittableRandom random) {
            return inner.prepare(batch, random);
        }

        @Override
        public NDArray loss(StepContext context, NDList inputs) {
            return inner.loss(context, inputs);
        }
    }

    @Test
    void parametersFollowHeadNamesNotTheObjectivesMapOrder() {
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), new TwoHeads(),
                ToyDenoising.data(1).exampleShape(), Device.cpu(), 1)) {
            List<String> heads = new ArrayList<>();
            for (String name : model.trainableParameters().keySet()) {
                if (name.startsWith("heads/")) {
                    String head = name.split("/")[1];
                    if (!heads.contains(head)) {
                        heads.add(head);
                    }
                }
            }
            assertThat(heads).containsExactly("decoder", "z-extra");
            assertThat(model.trainableParameters().keySet().iterator().next()).startsWith("encoder/");
        }
    }
}
