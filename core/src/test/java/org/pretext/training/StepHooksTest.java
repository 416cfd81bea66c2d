package org.pretext.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.IndexedSplit;
import org.pretext.encoder.Encoder;
import org.pretext.model.PretextModel;
import org.pretext.objective.ForwardingObjective;
import org.pretext.objective.Model;
import org.pretext.objective.StepContext;

/** The loop calls the objective's hooks where the step's lifecycle says, and honours its probed encoder. */
class StepHooksTest {
    private static final Provenance PROVENANCE = new Provenance("toy", "1", Map.of(), "linear", Map.of(), "toy",
            Map.of(), 5, Map.of(), null);

    /** ToyDenoising whose beforeUpdate sees complete gradients and then zeroes them all. */
    private static final class ZeroingBeforeUpdate extends ForwardingObjective {
        final List<Double> gradientNorms = new ArrayList<>();

        ZeroingBeforeUpdate() {
            super(new ToyDenoising());
        }

        @Override
        public void beforeUpdate(StepContext context) {
            double sum = 0;
            for (Parameter p : context.model().trainableParameters().values()) {
                try (NDArray g = p.getArray().getGradient()) {
                    sum += g.square().sum().getFloat();
                    g.subi(g);
                }
            }
            gradientNorms.add(Math.sqrt(sum));
        }
    }

    @Test
    void beforeUpdateRunsEveryStepOnCompleteGradientsAndBeforeTheOptimizerUsesThem() {
        IndexedSplit data = ToyDenoising.data(1);
        ZeroingBeforeUpdate objective = new ZeroingBeforeUpdate();
        try (PretextModel model = PretextModel.create(ToyDenoising.encoder(), objective, data.exampleShape(),
                Device.cpu(), 5)) {
            List<float[]> before = new ArrayList<>();
            model.trainableParameters().values().forEach(p -> before.add(p.getArray().toFloatArray()));
            new Pretrainer(PretrainConfig.builder().batchSize(64).steps(6).learningRate(0.02).weightDecay(0)
                    .seed(5).prepareThreads(1).build()).run(model, data, PROVENANCE);
            assertThat(objective.gradientNorms).hasSize(6).allSatisfy(n -> assertThat(n).isPositive());
            // every gradient was zeroed before AdamW saw it, and there is no weight decay: nothing moved
            List<float[]> after = new ArrayList<>();
            model.trainableParameters().values().forEach(p -> after.add(p.getArray().toFloatArray()));
            for (int i = 0; i < before.size(); i++) {
                assertThat(after.get(i)).containsExactly(before.get(i));
            }
        }
    }

    @Test
    void theModelProbesTheEncoderTheObjectiveNames() {
        IndexedSplit data = ToyDenoising.data(1);
        Encoder teacher = ToyDenoising.encoder();
        ForwardingObjective naming = new ForwardingObjective(new ToyDenoising()) {
            @Override
            public Encoder probedEncoder(Model model) {
                return teacher;
            }
        };
        try (PretextModel plain = PretextModel.create(ToyDenoising.encoder(), new ToyDenoising(), data.exampleShape(),
                Device.cpu(), 5);
                PretextModel named = PretextModel.create(ToyDenoising.encoder(), naming, data.exampleShape(),
                        Device.cpu(), 5)) {
            assertThat(plain.probedEncoder()).isSameAs(plain.encoder());
            assertThat(named.probedEncoder()).isSameAs(teacher).isNotSameAs(named.encoder());
        }
    }
}
