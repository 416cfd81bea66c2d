package org.pretext.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pretext.runtime.EngineSetup;
import org.pretext.PretextException;
import org.pretext.data.IndexedSplit;
import org.pretext.datasets.text.CharTokenizer;
import org.pretext.datasets.text.TokenizedTextDataset;
import org.pretext.encoder.Features;
import org.pretext.encoders.transformer.PooledSequenceBlock;
import org.pretext.encoders.transformer.TokenTransformer;
import org.pretext.encoders.transformer.TransformerEncoder;
import org.pretext.engine.Engines;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;
import org.pretext.encoder.FeatureMap;
import org.pretext.encoder.FeatureMapProvider;
import org.pretext.encoder.TextFeatures;

class FeatureMapsTest {
    static final CharTokenizer TOKENIZER = CharTokenizer.fit("abcdefgh ");
    static final List<String> SENTENCES = List.of("abc", "a much longer sentence", "h", "bad cafe", "ab");

    @BeforeAll
    static void oneThread() {
        EngineSetup.configureThreads(1);
    }

    static List<FeatureMap> maps() {
        ProviderRegistry<FeatureMapProvider> r = ProviderRegistry.load(FeatureMapProvider.class, "feature map");
        assertThat(r.all().keySet()).contains("last-token", "mean", "conditional-mean");
        return List.of("last-token", "mean", "conditional-mean").stream()
                .map(n -> r.get(n).create(ParamValues.defaults("feature map '" + n + "'", r.get(n).parameters())))
                .toList();
    }

    @Test
    void featuresOfPaddedBatchesEqualThoseOfEachSentenceAlone() {
        Device device = Engines.engine().defaultDevice();
        TransformerEncoder enc = TransformerEncoder.create(TOKENIZER, 8, 2, 2, 16, 0f, true);
        IndexedSplit split = TokenizedTextDataset.sentenceRows(TOKENIZER, SENTENCES, new int[] {0, 1, 0, 1, 0},
                List.of("neg", "pos"));
        try (NDManager m = NDManager.newBaseManager(device)) {
            Engines.engine().setRandomSeed(3);
            enc.block().initialize(m, DataType.FLOAT32, new Shape(2, 8));
            ParameterStore store = new ParameterStore(m, false);
            // batch size 2 mixes lengths in batches and reorders; results must come back in split order
            List<Features.Matrix> got = TextFeatures.extract(enc, store, maps(), split, device, 2);
            assertThat(got.get(0).labels()).containsExactly(0, 1, 0, 1, 0);
            float[] e = enc.tokenEmbeddings(store, device, false).toFloatArray();
            int d = 16;
            int v = TOKENIZER.vocabularySize();
            for (int i = 0; i < SENTENCES.size(); i++) {
                int[] ids = TOKENIZER.encode(SENTENCES.get(i));
                // a sentence longer than the context keeps its last 8 tokens
                int from = Math.max(0, ids.length - 8);
                int[] kept = java.util.Arrays.copyOfRange(ids, from, ids.length);
                float[] h = enc.hiddenStates(store, m.create(kept, new Shape(1, kept.length)), false).toFloatArray();
                int n = kept.length;
                double[] mean = new double[d];
                for (int t = 0; t < n; t++) {
                    for (int k = 0; k < d; k++) {
                        mean[k] += h[t * d + k] / n;
                    }
                }
                // conditional mean: p = softmax(E h_last), f = Σ_w p_w E_w
                double[] logits = new double[v];
                double max = Double.NEGATIVE_INFINITY;
                for (int w = 0; w < v; w++) {
                    for (int k = 0; k < d; k++) {
                        logits[w] += e[w * d + k] * (double) h[(n - 1) * d + k];
                    }
                    max = Math.max(max, logits[w]);
                }
                double z = 0;
                for (int w = 0; w < v; w++) {
                    z += Math.exp(logits[w] - max);
                }
                double[] cond = new double[d];
                for (int w = 0; w < v; w++) {
                    double p = Math.exp(logits[w] - max) / z;
                    for (int k = 0; k < d; k++) {
                        cond[k] += p * e[w * d + k];
                    }
                }
                for (int k = 0; k < d; k++) {
                    assertThat(got.get(0).get(i, k)).as("last-token %d/%d", i, k).isCloseTo(h[(n - 1) * d + k],
                            within(1e-5f));
                    assertThat((double) got.get(1).get(i, k)).as("mean %d/%d", i, k).isCloseTo(mean[k], within(1e-5));
                    assertThat((double) got.get(2).get(i, k)).as("conditional-mean %d/%d", i, k)
                            .isCloseTo(cond[k], within(1e-6));
                }
            }
        }
    }

    @Test
    void aPromptIsAppendedToEverySentence() {
        Device device = Engines.engine().defaultDevice();
        TransformerEncoder enc = TransformerEncoder.create(TOKENIZER, 8, 1, 2, 16, 0f, true);
        List<String> withPrompt = SENTENCES.stream().map(x -> x + " cab").toList();
        IndexedSplit plain = TokenizedTextDataset.sentenceRows(TOKENIZER, SENTENCES, null, List.of());
        IndexedSplit appended = TokenizedTextDataset.sentenceRows(TOKENIZER, withPrompt, null, List.of());
        try (NDManager m = NDManager.newBaseManager(device)) {
            enc.block().initialize(m, DataType.FLOAT32, new Shape(2, 8));
            ParameterStore store = new ParameterStore(m, false);
            List<FeatureMap> prompted = List.of(new LastTokenFeatureMap(" cab"), new ConditionalMeanFeatureMap(" cab"),
                    new MeanFeatureMap());
            List<Features.Matrix> a = TextFeatures.extract(enc, store, prompted, plain, device, 2);
            List<Features.Matrix> b = TextFeatures.extract(enc, store, maps(), appended, device, 3);
            for (int i = 0; i < a.get(0).values().length; i++) {
                assertThat(a.get(0).values()[i]).isCloseTo(b.get(0).values()[i], within(1e-5f));
                assertThat(a.get(1).values()[i]).isCloseTo(b.get(2).values()[i], within(1e-5f));
            }
            // the mean map had no prompt: it must differ from the mean over sentence + prompt
            assertThat(a.get(2).values()).isNotEqualTo(b.get(1).values());
        }
    }

    @Test
    void aLargeBatchRunsThroughTheEncoderInPassesOfBoundedTokens() {
        Device device = Engines.engine().defaultDevice();
        TransformerEncoder enc = TransformerEncoder.create(TOKENIZER, 8, 1, 2, 8, 0f, true);
        int[] largestPass = {0};
        int[] passes = {0};
        org.pretext.encoder.SequenceEncoder counting = new org.pretext.encoder.SequenceEncoder() {
            public ai.djl.nn.Block block() { return enc.block(); }
            public Shape inputShape() { return enc.inputShape(); }
            public int featureSize() { return enc.featureSize(); }
            public NDArray hiddenStates(ParameterStore s, NDArray x, boolean t) {
                largestPass[0] = Math.max(largestPass[0], Math.toIntExact(x.getShape().size()));
                passes[0]++;
                return enc.hiddenStates(s, x, t);
            }
            public int hiddenSize() { return enc.hiddenSize(); }
            public int vocabularySize() { return enc.vocabularySize(); }
        };
        // 1,300 sentences of 8 tokens in one batch of 2,048: 10,400 tokens, more than one pass may hold
        java.util.Random r = new java.util.Random(7);
        List<String> sentences = new java.util.ArrayList<>();
        for (int i = 0; i < 1300; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < 8; j++) {
                b.append("abcdefgh".charAt(r.nextInt(8)));
            }
            sentences.add(b.toString());
        }
        IndexedSplit split = TokenizedTextDataset.sentenceRows(TOKENIZER, sentences, null, List.of());
        try (NDManager m = NDManager.newBaseManager(device)) {
            Engines.engine().setRandomSeed(5);
            enc.block().initialize(m, DataType.FLOAT32, new Shape(2, 8));
            ParameterStore store = new ParameterStore(m, false);
            List<FeatureMap> two = maps().subList(0, 2);
            List<Features.Matrix> big = TextFeatures.extract(counting, store, two, split, TOKENIZER.padId(), device,
                    2048);
            assertThat(largestPass[0]).isEqualTo(TextFeatures.MAX_TOKENS_PER_PASS); // 1,024 rows of 8 tokens
            assertThat(passes[0]).isEqualTo(2);
            List<Features.Matrix> small = TextFeatures.extract(enc, store, two, split, TOKENIZER.padId(), device, 100);
            // the same numbers: each row's hidden states do not depend on the pass, up to the float32
            // rounding of GEMMs of other sizes (bit for bit on the AVX-512 CPU; on an AVX2-only one the
            // products over 1,024 and 100 rows round differently); a row from another pass is off by O(1)
            for (int k = 0; k < 2; k++) {
                float[] a = big.get(k).values();
                float[] b = small.get(k).values();
                assertThat(a).as("map %s", two.get(k).name()).hasSameSizeAs(b);
                for (int i = 0; i < a.length; i++) {
                    assertThat((double) a[i]).as("map %s [%d]", two.get(k).name(), i)
                            .isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-5 * (1 + Math.abs(b[i]))));
                }
            }
        }
    }

    @Test
    void conditionalMeanNeedsOutputEmbeddings() {
        Device device = Engines.engine().defaultDevice();
        TransformerEncoder tied = TransformerEncoder.create(TOKENIZER, 8, 1, 1, 4, 0f, true);
        org.pretext.encoder.SequenceEncoder untied = new org.pretext.encoder.SequenceEncoder() {
            public ai.djl.nn.Block block() { return tied.block(); }
            public Shape inputShape() { return tied.inputShape(); }
            public int featureSize() { return 4; }
            public NDArray hiddenStates(ParameterStore s, NDArray x, boolean t) { return tied.hiddenStates(s, x, t); }
            public int hiddenSize() { return 4; }
            public int vocabularySize() { return tied.vocabularySize(); }
            public String toString() { return "an untied encoder"; }
        };
        IndexedSplit split = TokenizedTextDataset.sentenceRows(TOKENIZER, List.of("abc"), new int[] {0},
                List.of("a", "b"));
        try (NDManager m = NDManager.newBaseManager(device)) {
            tied.block().initialize(m, DataType.FLOAT32, new Shape(2, 8));
            assertThatThrownBy(() -> TextFeatures.extract(untied, new ParameterStore(m, false), List.of(maps().get(2)),
                    split, TOKENIZER.padId(), device, 4)).isInstanceOf(PretextException.class)
                    .hasMessageContaining("conditional-mean").hasMessageContaining("an untied encoder");
        }
    }

    @Test
    void untrainedBidirectionalEncoderIgnoresPaddingToo() {
        Device device = Engines.engine().defaultDevice();
        TokenTransformer t = new TokenTransformer(TOKENIZER.vocabularySize(), 8, 1, 2, 8, 0f, false,
                TOKENIZER.padId());
        TransformerEncoder enc = new TransformerEncoder(t, PooledSequenceBlock.Pooling.MEAN, TOKENIZER);
        IndexedSplit split = TokenizedTextDataset.sentenceRows(TOKENIZER, SENTENCES, null, List.of());
        try (NDManager m = NDManager.newBaseManager(device)) {
            enc.block().initialize(m, DataType.FLOAT32, new Shape(2, 8));
            ParameterStore store = new ParameterStore(m, false);
            Features.Matrix batched = TextFeatures.extract(enc, store, List.of(maps().get(1)), split, device, 5).get(0);
            Features.Matrix single = TextFeatures.extract(enc, store, List.of(maps().get(1)), split, device, 1).get(0);
            for (int i = 0; i < batched.values().length; i++) {
                assertThat(batched.values()[i]).isCloseTo(single.values()[i], within(1e-5f));
            }
        }
    }
}
