package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pretext.model.PretextModel;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;

/**
 * Every objective pretrains the small MLP on the bundled MNIST for a few hundred steps and its
 * features beat the same encoder's random initialisation under a nearest-class-mean probe at 10
 * labels per class (mean of 5 draws, 2,000 test images).
 */
class PretrainingOnMnistTest {

    static Stream<Arguments> objectives() {
        return Stream.of(
                Arguments.of("simclr", Map.of(), 300),
                Arguments.of("contrastive-k", Map.of(), 300),
                Arguments.of("moco", Map.of("momentum", 0.99, "queue-size", 2048), 300),
                Arguments.of("byol", Map.of(), 300),
                Arguments.of("simsiam", Map.of(), 300),
                Arguments.of("barlow-twins", Map.of(), 300),
                Arguments.of("vicreg", Map.of(), 300),
                Arguments.of("spectral", Map.of(), 300),
                Arguments.of("adversarial", Map.of("objective", "simclr", "epsilon", 0.1, "step-size", 0.05,
                        "steps", 2), 100),
                Arguments.of("adversarial", Map.of("objective", "byol", "epsilon", 0.1, "step-size", 0.05,
                        "steps", 2), 100));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("objectives")
    void beatsTheRandomEncoderAtTenLabelsPerClass(String name, Map<String, Object> params, int steps) {
        long t0 = System.nanoTime();
        try (PretextModel model = TestRuns.model(TestRuns.objective(name, params), 3)) {
            double random = TestRuns.probe(model, 10);
            PretrainResult r = new Pretrainer(TestRuns.config(steps).build()).run(model, TestRuns.mnist().pretrain(),
                    TestRuns.provenance(name));
            double trained = TestRuns.probe(model, 10);
            System.out.printf("%s %s: %d steps in %.1f s (%.1f s in all), loss %.4f -> %.4f, NCM@10 random %.4f"
                    + " -> pretrained %.4f%n", name, params, r.steps(), r.seconds(), (System.nanoTime() - t0) / 1e9,
                    r.losses()[0], r.finalLoss(), random, trained);
            assertThat(r.finalLoss()).isLessThan(r.losses()[0]);
            assertThat(trained).isGreaterThan(random + 0.03);
        }
    }
}
