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
 * Every objective pretrains the small MLP on the bundled MNIST for 75 to 300 steps and its
 * features beat the same encoder's random initialisation under a nearest-class-mean probe at 10
 * labels per class (mean of 5 draws, 2,000 test images). The step counts are the fewest that keep a
 * margin (measured on an AVX2 CPU: 0.07 to 0.18 above the random encoder's 0.545 at 150 steps; SimSiam
 * and adversarial SimCLR were below it at 150 and 100 steps, so they keep 300 and 200). AdamW at
 * 2e-3 with the gradient norm clipped at 1 (without clipping SimCLR was seen to collapse mid-run on this MLP); the heads of
 * SimSiam, Barlow Twins and VICReg are narrowed to 256 to keep the suite fast, and the
 * adversarial runs use one attack step (FGSM with random start, ε = 8/255, α = 10/255).
 * {@code -Dpretext.objectives=NAME,...} runs only the named objectives' rows.
 */
class PretrainingOnMnistTest {
    /** {@code -Dpretext.objectives=nnclr,dcl} runs only those rows (all when unset). */
    private static final java.util.Set<String> ONLY = System.getProperty("pretext.objectives", "").isBlank()
            ? java.util.Set.of() : java.util.Set.of(System.getProperty("pretext.objectives").split(","));

    static Stream<Arguments> objectives() {
        Map<String, Object> smallHeads = Map.of("projection-hidden", 256, "projection-dim", 256);
        Map<String, Object> fgsm = Map.of("steps", 1, "step-size", 10.0 / 255); // ε = 8/255, random start
        return Stream.of(
                Arguments.of("simclr", Map.of(), 150),
                Arguments.of("contrastive-k", Map.of(), 150),
                Arguments.of("moco", Map.of("momentum", 0.99, "queue-size", 2048), 150),
                Arguments.of("byol", Map.of(), 150),
                Arguments.of("simsiam", with(smallHeads, "predictor-hidden", 64), 300),
                Arguments.of("barlow-twins", smallHeads, 150),
                Arguments.of("vicreg", smallHeads, 150),
                Arguments.of("spectral", Map.of(), 150),
                Arguments.of("adversarial", with(fgsm, "objective", "simclr"), 200),
                Arguments.of("adversarial", with(fgsm, "objective", "byol"), 75),
                Arguments.of("nnclr", Map.of("queue-size", 2048), 150),
                Arguments.of("dcl", Map.of(), 150),
                Arguments.of("dclw", Map.of(), 150),
                Arguments.of("tico", Map.of(), 150),
                Arguments.of("lejepa", Map.of(), 150),
                Arguments.of("moco-v3", Map.of(), 150))
                .filter(a -> ONLY.isEmpty() || ONLY.contains((String) a.get()[0]));
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(base);
        m.put(key, value);
        return m;
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
            // MoCo's loss rises while real keys replace the random initial queue, TiCo's while its covariance fills
            if (!name.equals("moco") && !name.equals("tico")) {
                assertThat(r.finalLoss()).isLessThan(r.losses()[0]);
            }
            assertThat(trained).isGreaterThan(random + 0.03);
        }
    }
}
