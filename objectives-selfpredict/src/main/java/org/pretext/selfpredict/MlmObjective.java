package org.pretext.selfpredict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.encoder.TokenEmbeddings;
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.text.Tokenizer;

/**
 * BERT's masked language modelling (Devlin et al. 2019) with a bidirectional sequence encoder:
 * in each sequence 15% of the tokens are chosen ({@link TokenMasking}: 80% of those replaced by
 * the mask token, 10% by a random token, 10% kept), the encoder reads the altered sequence, and
 * {@link MlmHead} predicts the original tokens at the chosen positions only ({@link MlmLoss}),
 * through the encoder's token embedding when it offers one ({@link TokenEmbeddings}, tied as in
 * BERT).
 *
 * <p>Examples are windows of {@code context + 1} tokens, as text datasets cut them for language
 * models ({@code TextDataset.pretrainWindows(context)}); the encoder reads the first
 * {@code context}. The encoder must carry its tokenizer (for the mask id and the special ids) and
 * must be bidirectional: {@link #initialize} checks that the first position's state depends on
 * the last token, and refuses a causal encoder.
 *
 * <p>Prepared tensors: the altered tokens (B, T), the chosen positions (B, M), their original
 * tokens (B, M), and weights (B, M), 1 for a chosen position and 0 where a row chose fewer than M.
 */
public final class MlmObjective implements Objective {
    static final String HEAD = "mlm";
    private final TokenMasking masking;
    private SequenceEncoder encoder;
    private Tokenizer tokenizer;
    private boolean tied;
    private MlmHead head;

    /**
     * @param rate fraction of tokens chosen (0.15)
     * @param maskFraction of the chosen, replaced by the mask token (0.8)
     * @param randomFraction of the chosen, replaced by a random token (0.1)
     */
    public MlmObjective(double rate, double maskFraction, double randomFraction) {
        this.masking = new TokenMasking(rate, maskFraction, randomFraction);
    }

    @Override
    public Shape encoderInputShape(Shape exampleShape) {
        if (exampleShape.dimension() != 1 || exampleShape.get(0) < 2) {
            throw new PretextException("Objective 'mlm' reads windows of token ids (context + 1), but the data has"
                    + " examples of shape " + exampleShape + "; use a text dataset");
        }
        return new Shape(exampleShape.get(0) - 1);
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        Encoder e = setup.encoder();
        if (!(e instanceof SequenceEncoder seq)) {
            throw new PretextException("Objective 'mlm' needs an encoder of token sequences (such as 'transformer'"
                    + " with causal=false), but " + setup.encoderLabel() + " is not one");
        }
        tokenizer = seq.tokenizer().orElseThrow(() -> new PretextException("Objective 'mlm' needs to know the"
                + " encoder's tokenizer (its mask and padding ids), but " + setup.encoderLabel() + " carries none: build it"
                + " for a text dataset's tokenizer (EncoderProvider.createForTokens)"));
        if (tokenizer.vocabularySize() != seq.vocabularySize()) {
            throw new PretextException("Objective 'mlm': the encoder embeds " + seq.vocabularySize() + " ids but its "
                    + tokenizer.describe() + " has " + tokenizer.vocabularySize());
        }
        encoder = seq;
        requireBidirectional(seq, setup.manager(), setup.encoderLabel());
        tied = seq instanceof TokenEmbeddings;
        head = new MlmHead(seq.hiddenSize(), seq.vocabularySize(), tied);
        Shape states = new Shape(2, 1, seq.hiddenSize());
        if (tied) {
            head.initialize(setup.manager(), DataType.FLOAT32, states, new Shape(seq.vocabularySize(),
                    seq.hiddenSize()));
        } else {
            head.initialize(setup.manager(), DataType.FLOAT32, states);
        }
    }

    /**
     * Refuses an encoder that declares itself causal, or whose first position's state does not
     * change when the last token does (checked with two forward passes, so an encoder that does not
     * declare its attention pattern is checked too).
     */
    private void requireBidirectional(SequenceEncoder seq, NDManager owner, String label) {
        if (seq.isCausal()) {
            throw causal(label);
        }
        int t = (int) seq.inputShape().get(0);
        if (t < 2) {
            return;
        }
        int[] a = new int[t];
        int[] b = new int[t];
        int first = -1;
        int second = -1;
        for (int id = 0; id < tokenizer.vocabularySize() && second < 0; id++) {
            if (!tokenizer.isSpecial(id)) {
                if (first < 0) {
                    first = id;
                } else {
                    second = id;
                }
            }
        }
        if (second < 0) {
            return;
        }
        java.util.Arrays.fill(a, first);
        java.util.Arrays.fill(b, first);
        b[t - 1] = second;
        try (NDManager m = owner.newSubManager()) {
            ParameterStore store = new ParameterStore(m, false);
            NDArray x = m.create(a, new Shape(1, t)).concat(m.create(b, new Shape(1, t)), 0);
            NDArray h = seq.hiddenStates(store, x, false);
            float[] v = h.get(":, 0, :").toFloatArray();
            int d = v.length / 2;
            double diff = 0;
            for (int i = 0; i < d; i++) {
                diff = Math.max(diff, Math.abs(v[i] - v[d + i]));
            }
            if (diff == 0) {
                throw causal(label);
            }
        }
    }

    private static PretextException causal(String label) {
        return new PretextException("Objective 'mlm' needs a bidirectional encoder, but in " + label + " a position does"
                + " not see the tokens after it (a causal encoder): use encoder 'transformer' with causal=false");
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, head);
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        Shape s = batch.inputs().shape();
        int b = (int) s.get(0);
        int window = (int) s.get(1);
        int t = window - 1;
        int[] in = batch.inputs().ints();
        int[] tokens = new int[b * t];
        int[][] chosen = new int[b][];
        int[][] originals = new int[b][];
        int[] row = new int[t];
        byte[] category = new byte[t];
        int most = 1;
        for (int i = 0; i < b; i++) {
            System.arraycopy(in, i * window, row, 0, t);
            int[] original = row.clone();
            chosen[i] = masking.apply(row, category, tokenizer.maskId(), tokenizer::isSpecial,
                    tokenizer.vocabularySize(), random);
            originals[i] = new int[chosen[i].length];
            for (int k = 0; k < chosen[i].length; k++) {
                originals[i][k] = original[chosen[i][k]];
            }
            System.arraycopy(row, 0, tokens, i * t, t);
            most = Math.max(most, chosen[i].length);
        }
        int[] positions = new int[b * most];
        int[] targets = new int[b * most];
        float[] weights = new float[b * most];
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < chosen[i].length; k++) {
                positions[i * most + k] = chosen[i][k];
                targets[i * most + k] = originals[i][k];
                weights[i * most + k] = 1f;
            }
        }
        return PreparedBatch.of(HostTensor.ofInts(tokens, new Shape(b, t)),
                HostTensor.ofInts(positions, new Shape(b, most)), HostTensor.ofInts(targets, new Shape(b, most)),
                HostTensor.of(weights, new Shape(b, most)));
    }

    /** Logits (B, M, V) at the listed positions of prepared inputs. */
    NDArray logits(Model model, NDList inputs, boolean training) {
        ParameterStore store = model.parameterStore();
        // through Model.encodeWith, so that with several replicas each computes its shard's hidden states
        NDArray hidden = model.encodeWith(new NDList(inputs.get(0)), (e, s, shard) ->
                new NDList(((SequenceEncoder) e).hiddenStates(s, shard.get(0), training))).singletonOrThrow();
        NDArray positions = inputs.get(1);
        Shape p = positions.getShape();
        long d = hidden.getShape().get(2);
        NDArray index = positions.toType(DataType.INT64, false).reshape(p.get(0), p.get(1), 1).repeat(2, d);
        NDArray chosen = hidden.gather(index, 1);
        NDList headInputs = tied ? new NDList(chosen, ((TokenEmbeddings) encoder).tokenEmbeddings(store,
                hidden.getDevice(), training)) : new NDList(chosen);
        return model.forward(head, headInputs, training).singletonOrThrow();
    }

    /** A mean of per-token terms: the hidden states are computed per replica and gathered. */
    @Override
    public org.pretext.objective.Distribution distribution() {
        return org.pretext.objective.Distribution.PER_EXAMPLE;
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        return MlmLoss.compute(logits(ctx.model(), inputs, true), inputs.get(2), inputs.get(3));
    }
}
