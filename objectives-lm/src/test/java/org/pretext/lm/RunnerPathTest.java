package org.pretext.lm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.runtime.EngineSetup;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.data.Split;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.EncoderProvider;
import org.pretext.encoder.Features;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.engine.Engines;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;
import org.pretext.encoder.FeatureMap;
import org.pretext.encoder.FeatureMapProvider;
import org.pretext.text.TextDataset;
import org.pretext.encoder.TextFeatures;
import org.pretext.text.TokenWindowSplit;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;

/**
 * The path a runner takes for text, using only api types and providers found by name (what the
 * README shows): dataset → tokenizer → encoder for its vocabulary → windows for its context →
 * causal-lm pretraining with a validation monitor → features of labelled sentences by each map.
 */
class RunnerPathTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void oneThread() {
        EngineSetup.configureThreads(1);
    }

    static <P extends org.pretext.registry.NamedProvider> ParamValues params(P p, String kind, Map<String, ?> raw) {
        return ParamValues.resolve(kind + " '" + p.name() + "'", p.parameters(), raw);
    }

    @Test
    void pretrainsAndExtractsFeaturesThroughProvidersOnly() throws IOException {
        Files.writeString(dir.resolve("train.tsv"), "sentence\tlabel\n" + "a good film\t1\nbad acting\t0\n".repeat(40)
                + "good fun\t1\nreally bad\t0\n");
        Files.writeString(dir.resolve("dev.tsv"), "sentence\tlabel\ngood\t1\nbad film\t0\nfun and good acting\t1\n");
        // 1. dataset by name; a text dataset fits its tokenizer when opened
        DatasetProvider dp = ProviderRegistry.load(DatasetProvider.class, "dataset").get("sentences");
        Dataset dataset = dp.open(params(dp, "dataset", Map.of("path", dir.toString(), "tokenizer", "bpe",
                "vocabulary", 300)));
        TextDataset text = (TextDataset) dataset;
        // 2. encoder by name, built for the tokenizer's vocabulary
        EncoderProvider ep = ProviderRegistry.load(EncoderProvider.class, "encoder").get("transformer");
        ParamValues encoderParams = params(ep, "encoder", Map.of("layers", 1, "heads", 2, "width", 16, "context", 8));
        Encoder encoder = ep.createForTokens(encoderParams, text.tokenizer());
        int context = (int) encoder.inputShape().get(0);
        // 3. windows of context + 1 tokens for pretraining, held-out windows for the validation loss
        TokenWindowSplit pretrain = text.pretrainWindows(context);
        Optional<TokenWindowSplit> validation = text.validationWindows(context);
        assertThat(validation).isPresent();
        // 4. objective by name, pretraining with a validation monitor
        ObjectiveProvider op = ProviderRegistry.load(ObjectiveProvider.class, "objective").get("causal-lm");
        Objective objective = op.create(params(op, "objective", Map.of()));
        Device device = Engines.engine().defaultDevice();
        try (PretextModel model = PretextModel.create(() -> ep.createForTokens(encoderParams, text.tokenizer()),
                objective, pretrain.exampleShape(), device, 7)) {
            PretrainConfig config = PretrainConfig.builder().batchSize(8).steps(40).learningRate(5e-3).seed(7)
                    .monitorEvery(20).build();
            Pretrainer trainer = new Pretrainer(config);
            double[] seen = {Double.NaN};
            trainer.addMonitor((m, epoch) -> {
                Map<String, Double> r = objective.validate(m, validation.get());
                seen[0] = r.get("validationLoss");
                return r;
            });
            PretrainResult r = trainer.run(model, pretrain, null);
            double validationLoss = objective.validate(model, validation.get()).get("validationLoss");
            double tokensPerSecond = r.samplesPerSecond() * context;
            assertThat(validationLoss).isEqualTo(seen[0]).isLessThan(Math.log(text.tokenizer().vocabularySize()));
            assertThat(tokensPerSecond).isPositive();
            // 5. features of the labelled sentences by every feature map found by name
            ProviderRegistry<FeatureMapProvider> fr = ProviderRegistry.load(FeatureMapProvider.class, "feature map");
            List<FeatureMap> maps = fr.all().values().stream()
                    .map(p -> p.create(params(p, "feature map", Map.of()))).toList();
            Split train = dataset.train().orElseThrow();
            List<Features.Matrix> features = TextFeatures.extract((SequenceEncoder) model.encoder(),
                    model.parameterStore(), maps, train, device, 64);
            assertThat(features).hasSize(3).allSatisfy(f -> {
                assertThat(f.rows()).isEqualTo(82);
                assertThat(f.cols()).isEqualTo(16);
                assertThat(f.labels()).containsExactly(train.labels());
            });
        }
    }
}
