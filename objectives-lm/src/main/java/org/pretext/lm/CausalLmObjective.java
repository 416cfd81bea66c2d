package org.pretext.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.TokenEmbeddings;
import org.pretext.objective.Distribution;
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.text.TokenWindowSplit;

/**
 * Causal language modelling (GPT; Radford et al. 2018): windows of T + 1 tokens become inputs (the
 * first T) and targets (the last T), a causal encoder gives hidden states h (B, T, D), the output
 * layer tied to the token embedding E gives logits h·Eᵀ, and the loss is the next-token
 * cross-entropy ({@link NextTokenLoss}). No heads of its own: the output layer is the encoder's
 * embedding. {@link #validate} gives the validation loss in nats per token and bits per character.
 */
public final class CausalLmObjective implements Objective {
    /** Name of the validation loss in nats per token. */
    public static final String VALIDATION_LOSS = "validationLoss";
    /** Name of the validation loss in bits per character. */
    public static final String BITS_PER_CHARACTER = "validationBitsPerCharacter";
    private static final int VALIDATION_BATCH = 64;
    private final long validationWindows;
    private TokenEmbeddings encoder;

    /**
     * @param validationWindows windows of the held-out split {@link #validate} reads (evenly spread
     *     over it), 0 for all
     */
    public CausalLmObjective(long validationWindows) {
        this.validationWindows = validationWindows;
    }

    @Override
    public Shape encoderInputShape(Shape exampleShape) {
        if (exampleShape.dimension() != 1 || exampleShape.get(0) < 2) {
            throw new PretextException("Objective 'causal-lm' takes windows of token ids of shape (T + 1), but the"
                    + " data gives examples of shape " + exampleShape + ": use a text dataset");
        }
        return new Shape(exampleShape.get(0) - 1);
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        encoder = check(setup.encoder(), setup.encoderLabel());
    }

    /** The encoder as a causal sequence encoder with tied embeddings, or an error naming it. */
    static TokenEmbeddings check(Encoder e) {
        return check(e, org.pretext.objective.ObjectiveSetup.describe(e, null));
    }

    private static TokenEmbeddings check(Encoder e, String label) {
        if (!(e instanceof TokenEmbeddings t)) {
            throw new PretextException("Objective 'causal-lm' needs a sequence encoder whose token embedding is its"
                    + " output layer (e.g. 'transformer'), but got " + label);
        }
        if (!t.isCausal()) {
            throw new PretextException("Objective 'causal-lm' needs a causal encoder, but " + label
                    + " is bidirectional (position t would see the token it predicts): set the encoder's"
                    + " parameter causal: true");
        }
        return t;
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of();
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        HostTensor[] xy = shift(batch.inputs());
        return PreparedBatch.of(xy[0], xy[1]);
    }

    /** Inputs (B, T) = windows[:, :T] and targets (B, T) = windows[:, 1:]. */
    static HostTensor[] shift(HostTensor windows) {
        int b = (int) windows.shape().get(0);
        int l = (int) windows.shape().get(1);
        int t = l - 1;
        int[] w = windows.ints();
        int[] x = new int[b * t];
        int[] y = new int[b * t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(w, i * l, x, i * t, t);
            System.arraycopy(w, i * l + 1, y, i * t, t);
        }
        Shape s = new Shape(b, t);
        return new HostTensor[] {HostTensor.ofInts(x, s), HostTensor.ofInts(y, s)};
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        Model model = ctx.model();
        // the hidden states through Model.encodeWith, so that with several replicas each computes its shard's
        NDArray h = model.encodeWith(new NDList(inputs.get(0)), (e, store, shard) ->
                new NDList(((TokenEmbeddings) e).hiddenStates(store, shard.get(0), true))).singletonOrThrow();
        NDArray logits = Linear.linear(h, encoder.tokenEmbeddings(model.parameterStore(), h.getDevice(), true))
                .singletonOrThrow();
        return NextTokenLoss.compute(logits, inputs.get(1));
    }

    /** A mean of per-token terms: the hidden states are computed per replica and gathered. */
    @Override
    public Distribution distribution() {
        return Distribution.PER_EXAMPLE;
    }

    /** Next-token logits h·Eᵀ (B, T, V) of token ids (B, T). */
    static NDArray logits(TokenEmbeddings encoder, ParameterStore store, NDArray tokens, boolean training) {
        NDArray h = encoder.hiddenStates(store, tokens, training);
        return Linear.linear(h, encoder.tokenEmbeddings(store, h.getDevice(), training)).singletonOrThrow();
    }

    /** Summed next-token loss of the first {@code n} windows in {@code rows}, in its own memory scope. */
    private static double totalLoss(Model model, TokenEmbeddings enc, int[] rows, int n, int length) {
        HostTensor[] xy = shift(HostTensor.ofInts(java.util.Arrays.copyOf(rows, n * length), new Shape(n, length)));
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = xy[0].toNDArray(m);
            NDArray y = xy[1].toNDArray(m);
            return NextTokenLoss.total(logits(enc, model.parameterStore(), x, false), y).getFloat();
        }
    }

    @Override
    public Map<String, String> metricCaptions() {
        return Map.of(VALIDATION_LOSS, "Validation loss of next-token prediction on the held-out text, nats per token",
                BITS_PER_CHARACTER, "Validation loss in bits per character of the held-out text");
    }

    @Override
    public Map<String, Double> validate(Model model, Split heldOut) {
        TokenEmbeddings enc = check(model.encoder());
        long size = heldOut.size();
        long limit = validationWindows > 0 ? Math.min(validationWindows, size) : size;
        int length = (int) heldOut.exampleShape().get(0);
        double total = 0;
        long count = 0;
        int[] pending = new int[VALIDATION_BATCH * length];
        int filled = 0;
        long chosen = 0; // windows k * size / limit, k = 0..limit-1: spread evenly over the split
        long index = 0;
        Iterator<Batch> it = heldOut.batches(BatchPlan.sequential(VALIDATION_BATCH * 4));
        while (it.hasNext() && chosen < limit) {
            Batch b = it.next();
            int[] rows = b.inputs().ints();
            for (int i = 0; i < b.size() && chosen < limit; i++, index++) {
                if (index != chosen * size / limit) {
                    continue;
                }
                chosen++;
                System.arraycopy(rows, i * length, pending, filled * length, length);
                if (++filled == VALIDATION_BATCH) {
                    total += totalLoss(model, enc, pending, filled, length);
                    count += (long) filled * (length - 1);
                    filled = 0;
                }
            }
        }
        if (filled > 0) {
            total += totalLoss(model, enc, pending, filled, length);
            count += (long) filled * (length - 1);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        double loss = total / count;
        out.put(VALIDATION_LOSS, loss);
        if (heldOut instanceof TokenWindowSplit w) {
            out.put(BITS_PER_CHARACTER, loss / w.charactersPerToken() / Math.log(2));
        }
        return out;
    }
}
