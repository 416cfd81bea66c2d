package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.datasets.text.CharTokenizer;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.encoders.transformer.TransformerEncoder;
import org.pretext.model.PretextModel;
import org.pretext.objective.PreparedBatch;
import org.pretext.text.TokenWindowSplit;
import org.pretext.text.Tokenizer;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;

class MlmObjectiveTest {
    private static final String[] WORDS = {"cat", "dog", "bird", "horse", "sheep", "mouse", "tiger", "zebra",
        "whale", "snake", "eagle", "otter"};

    /** A text of random words from a small lexicon: a masked letter is predictable from both sides. */
    static String text(int words, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append(WORDS[r.nextInt(WORDS.length)]).append(i % 9 == 8 ? ".\n" : " ");
        }
        return sb.toString();
    }

    /** A small transformer built for the tokenizer (it carries it, as the provider's createForTokens does). */
    static TransformerEncoder encoder(Tokenizer tok, int context, boolean causal) {
        return TransformerEncoder.create(tok, context, 2, 2, 32, 0f, causal);
    }

    @Test
    void theEncoderSeesTheMaskTokenWhereverATokenWasMaskedAndTheTargetsHoldTheOriginals() {
        String s = text(400, 1);
        CharTokenizer tok = CharTokenizer.fit(s);
        MlmObjective mlm = new MlmObjective(0.15, 0.8, 0.1);
        int[] ids = tok.encode(s);
        int context = 40;
        try (PretextModel ignored = PretextModel.create(encoder(tok, context, false), mlm, new Shape(context + 1),
                Device.cpu(), 1)) {
            int b = 8;
            int[] windows = java.util.Arrays.copyOf(ids, b * (context + 1));
            PreparedBatch p = mlm.prepare(new Batch(HostTensor.ofInts(windows, new Shape(b, context + 1)), null),
                    new SplittableRandom(3));
            int[] in = p.tensors().get(0).ints();
            int[] positions = p.tensors().get(1).ints();
            int[] targets = p.tensors().get(2).ints();
            float[] weights = p.tensors().get(3).floats();
            assertThat(p.tensors().get(1).shape()).isEqualTo(new Shape(b, 6)); // round(0.15·40) = 6
            for (int i = 0; i < b; i++) {
                boolean[] chosen = new boolean[context];
                for (int k = 0; k < 6; k++) {
                    int pos = positions[i * 6 + k];
                    chosen[pos] = true;
                    assertThat(weights[i * 6 + k]).isEqualTo(1f);
                    assertThat(targets[i * 6 + k]).isEqualTo(windows[i * (context + 1) + pos]);
                }
                for (int t = 0; t < context; t++) {
                    int original = windows[i * (context + 1) + t];
                    int seen = in[i * context + t];
                    if (!chosen[t]) {
                        assertThat(seen).isEqualTo(original);
                    }
                    if (seen == tok.maskId()) {
                        assertThat(chosen[t]).isTrue();
                    }
                }
            }
            // over the batch most chosen positions show the mask token, not the original
            long masked = java.util.stream.IntStream.range(0, b * context).filter(t -> in[t] == tok.maskId()).count();
            assertThat(masked).isBetween(25L, 48L);
        }
    }

    @Test
    void refusesACausalEncoderAndOneWithoutATokenizer() {
        CharTokenizer tok = CharTokenizer.fit(text(50, 2));
        assertThatThrownBy(() -> PretextModel.create(encoder(tok, 16, true), new MlmObjective(0.15, 0.8, 0.1),
                new Shape(17), Device.cpu(), 1))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("Objective 'mlm' needs a bidirectional encoder")
                .hasMessageContaining("causal=false");
        // an encoder that does not declare itself causal is caught by the forward-pass check
        TransformerEncoder causal = encoder(tok, 16, true);
        SequenceEncoder undeclared = new SequenceEncoder() {
            @Override
            public ai.djl.nn.Block block() {
                return causal.block();
            }

            @Override
            public Shape inputShape() {
                return causal.inputShape();
            }

            @Override
            public int featureSize() {
                return causal.featureSize();
            }

            @Override
            public ai.djl.ndarray.NDArray hiddenStates(ai.djl.training.ParameterStore store,
                    ai.djl.ndarray.NDArray tokens, boolean training) {
                return causal.hiddenStates(store, tokens, training);
            }

            @Override
            public int hiddenSize() {
                return causal.hiddenSize();
            }

            @Override
            public int vocabularySize() {
                return causal.vocabularySize();
            }

            @Override
            public java.util.Optional<Tokenizer> tokenizer() {
                return causal.tokenizer();
            }
        };
        assertThatThrownBy(() -> PretextModel.create(undeclared, new MlmObjective(0.15, 0.8, 0.1), new Shape(17),
                Device.cpu(), 1))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("Objective 'mlm' needs a bidirectional encoder");
        assertThatThrownBy(() -> PretextModel.create(TransformerEncoder.create(tok.vocabularySize(), 16, 1, 2, 16, 0f,
                false, tok.padId()), new MlmObjective(0.15, 0.8, 0.1), new Shape(17), Device.cpu(), 1))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("needs to know the encoder's tokenizer");
    }

    @Test
    void shortTrainingPredictsMaskedLettersFarBetterThanTheirFrequencies() {
        String s = text(6000, 3);
        CharTokenizer tok = CharTokenizer.fit(s);
        int[] ids = tok.encode(s);
        // the entropy of a letter drawn from the text's character frequencies: the loss of a model
        // that ignores the context
        double[] freq = new double[tok.vocabularySize()];
        for (int id : ids) {
            freq[id] += 1.0 / ids.length;
        }
        double unigram = 0;
        for (double f : freq) {
            unigram -= f > 0 ? f * Math.log(f) : 0;
        }
        int context = 32;
        TokenWindowSplit windows = TokenWindowSplit.random(ids, context + 1, 0, s.length(), "words");
        // gradient-norm clipping at 1 and a 10% warm-up, as BERT; at a peak learning rate of 3e-3
        // one run of this test diverged (NaN at step 34) in one JVM and not in another (the
        // trajectories differ in the last bits between JVMs), so the peak here is 1e-3
        PretrainConfig config = PretrainConfig.builder().batchSize(128).steps(450).learningRate(1e-3).clipNorm(1)
                .warmupFraction(0.1).seed(4).logEvery(100).build();
        PretrainResult r;
        try (PretextModel model = PretextModel.create(TransformerEncoder.create(tok, context, 2, 2, 64, 0f, false),
                new MlmObjective(0.15, 0.8, 0.1), new Shape(context + 1), Device.cpu(), 4)) {
            r = new Pretrainer(config).run(model, windows, new Provenance("mlm", "1", Map.of(), "transformer",
                    Map.of(), "words", Map.of(), 4, Map.of(), null));
        }
        System.out.printf("MLM loss %.3f -> %.3f (unigram entropy %.3f) in %.1f s%n", r.losses()[0], r.finalLoss(),
                unigram, r.seconds());
        // at the start the loss is about log V (uniform logits); once the model reads the letters on
        // both sides of a masked one, a letter inside a word is nearly determined: the loss must fall
        // below half the entropy of the letter frequencies (measured: 3.71 -> 0.58 against 2.80 at 450 steps;
        // 0.67 at 600; 1.40, the bound itself, at 300)
        assertThat((double) r.losses()[0]).isGreaterThan(unigram);
        assertThat(r.finalLoss()).isLessThan(0.5 * unigram);
    }
}
