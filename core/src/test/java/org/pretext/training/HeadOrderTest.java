package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.model.PretextModel;
import org.pretext.objective.ForwardingObjective;
import org.pretext.objective.ObjectiveSetup;

/**
 * The model orders heads by name whatever map the objective returns: the parameter order fixes the
 * optimiser's summation order, and {@code Map.of} iterates in a different order in every JVM.
 */
class HeadOrderTest {
    /** ToyDenoising with a second, unused head, its heads returned in reverse name order. */
    private static final class TwoHeads extends ForwardingObjective {
        private Block extra;

        TwoHeads() {
            super(new ToyDenoising());
        }

        @Override
        public void initialize(ObjectiveSetup setup) {
            super.initialize(setup);
            extra = Linear.builder().setUnits(2).build();
            extra.initialize(setup.manager(), DataType.FLOAT32, new Shape(1, setup.encoder().featureSize()));
        }

        @Override
        public Map<String, Block> heads() {
            Map<String, Block> m = new LinkedHashMap<>();
            m.put("z-extra", extra);
            m.putAll(super.heads());
            return m;
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
