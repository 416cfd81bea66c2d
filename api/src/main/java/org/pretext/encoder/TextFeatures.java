package org.pretext.encoder;

import org.apiguardian.api.API;
import org.pretext.text.SequenceBatch;
import org.pretext.text.Tokenizer;
import org.pretext.engine.HostArrays;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.Split;

/**
 * Frozen features of labelled sentences: token rows padded on the right with the pad id, run
 * through a sequence encoder in inference mode, turned into one vector per sentence by each of
 * several {@link FeatureMap}s from one forward pass per batch.
 *
 * <p>Sentences are batched by length (each batch trimmed to its longest row) and written back in
 * their original order. A map's {@link FeatureMap#prompt()} is appended to every sentence (maps
 * with the same prompt share a forward pass). A sentence (with its prompt) longer than the
 * encoder's context keeps its last {@code context} tokens: the ones a next-token distribution
 * after the sentence depends on most.
 */
@API(status = API.Status.STABLE, since = "0.1")
public final class TextFeatures {
    /**
     * Most tokens (rows × padded length) run through the encoder in one pass: a batch of longer
     * rows is split into passes of fewer rows, bounding the memory of a pass's intermediate arrays
     * (about 50 KB per token for a 4-block, 128-wide transformer) whatever the batch size.
     */
    public static final int MAX_TOKENS_PER_PASS = 8192;

    private TextFeatures() {}

    /** Rows of {@code tokensPerRow} tokens in one pass: at most {@link #MAX_TOKENS_PER_PASS} tokens, at least one row. */
    public static int rowsPerPass(int tokensPerRow) {
        return Math.max(1, MAX_TOKENS_PER_PASS / tokensPerRow);
    }

    /**
     * Features of every sentence of a split for each map, in split order, with the split's labels.
     *
     * @param encoder an initialised sequence encoder
     * @param store the parameter store it runs with (e.g. {@code PretextModel.parameterStore()})
     * @param sentences token rows (n, L) padded with {@code padId} on the right
     * @param padId the padding id
     */
    public static List<Features.Matrix> extract(SequenceEncoder encoder, ParameterStore store, List<FeatureMap> maps,
            Split sentences, int padId, Device device, int batchSize) {
        return extract(encoder, store, maps, sentences, padId, device, batchSize, Features.Progress.NONE);
    }

    /**
     * As {@link #extract(SequenceEncoder, ParameterStore, List, Split, int, Device, int)}, telling
     * {@code progress} the sentences done after every batch (counted once per distinct prompt of the
     * maps: each prompt is one pass over the split).
     */
    public static List<Features.Matrix> extract(SequenceEncoder encoder, ParameterStore store, List<FeatureMap> maps,
            Split sentences, int padId, Device device, int batchSize, Features.Progress progress) {
        if (sentences.exampleShape().dimension() != 1) {
            throw new PretextException("Text features need sentences as token rows (n, L), but the split has examples"
                    + " of shape " + sentences.exampleShape());
        }
        int n = Math.toIntExact(sentences.size());
        int width = (int) sentences.exampleShape().get(0);
        int context = (int) encoder.inputShape().get(0);
        int[] rows = new int[n * width];
        int read = 0;
        Iterator<Batch> it = sentences.batches(BatchPlan.sequential(4096));
        while (it.hasNext()) {
            int[] v = it.next().inputs().ints();
            System.arraycopy(v, 0, rows, read, v.length);
            read += v.length;
        }
        int[] real = new int[n];
        for (int i = 0; i < n; i++) {
            int len = 0;
            while (len < width && rows[i * width + len] != padId) {
                len++;
            }
            if (len == 0) {
                throw new PretextException("Sentence " + i + " of the split has no tokens: expected at least one");
            }
            real[i] = len;
        }
        List<float[]> outs = new ArrayList<>();
        int[] sizes = new int[maps.size()];
        for (int k = 0; k < maps.size(); k++) {
            sizes[k] = maps.get(k).featureSize(encoder);
            outs.add(new float[n * sizes[k]]);
        }
        java.util.Map<String, List<Integer>> byPrompt = new java.util.LinkedHashMap<>();
        for (int k = 0; k < maps.size(); k++) {
            byPrompt.computeIfAbsent(maps.get(k).prompt(), p -> new ArrayList<>()).add(k);
        }
        long[] done = {0};
        long total = (long) n * byPrompt.size();
        for (java.util.Map.Entry<String, List<Integer>> group : byPrompt.entrySet()) {
            int[] prompt = group.getKey().isEmpty() ? new int[0] : encoder.tokenizer().orElseThrow(
                    () -> new PretextException("Feature map '" + maps.get(group.getValue().get(0)).name()
                            + "' appends the prompt '" + group.getKey() + "', but the encoder " + encoder
                            + " carries no tokenizer to encode it")).encode(group.getKey());
            run(encoder, store, maps, group.getValue(), rows, width, real, prompt, context, padId, device, batchSize,
                    sizes, outs, b -> progress.update(done[0] += b, total));
        }
        int[] labels = sentences.hasLabels() ? sentences.labels() : null;
        List<Features.Matrix> result = new ArrayList<>();
        for (int k = 0; k < maps.size(); k++) {
            result.add(new Features.Matrix(outs.get(k), n, sizes[k], labels, sentences.numClasses()));
        }
        return result;
    }

    /** One forward pass per batch for the maps {@code which} (one prompt), writing their features into {@code outs}. */
    private static void run(SequenceEncoder encoder, ParameterStore store, List<FeatureMap> maps, List<Integer> which,
            int[] rows, int width, int[] real, int[] prompt, int context, int padId, Device device, int batchSize,
            int[] sizes, List<float[]> outs, java.util.function.IntConsumer batchDone) {
        int n = real.length;
        int[] length = new int[n];
        int[] start = new int[n];
        for (int i = 0; i < n; i++) {
            int total = real[i] + prompt.length;
            start[i] = Math.max(0, total - context); // offset into sentence + prompt: keep the last context tokens
            length[i] = total - start[i];
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> length[i]));
        try (NDManager manager = NDManager.newBaseManager(device)) {
            for (int from = 0; from < n; from += batchSize) {
                int b = Math.min(batchSize, n - from);
                int t = length[order[from + b - 1]];
                int[] tok = new int[b * t];
                Arrays.fill(tok, padId);
                int[] lens = new int[b];
                for (int j = 0; j < b; j++) {
                    int i = order[from + j];
                    int w = 0;
                    for (int q = start[i]; q < real[i] + prompt.length; q++) {
                        tok[j * t + w++] = q < real[i] ? rows[i * width + q] : prompt[q - real[i]];
                    }
                    lens[j] = length[i];
                }
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = HostArrays.ints(step, tok, new Shape(b, t));
                    NDArray h = hiddenStates(encoder, store, x, tok, b, t, step);
                    SequenceBatch batch = new SequenceBatch(x, h, lens);
                    for (int k : which) {
                        float[] f = maps.get(k).apply(encoder, store, batch).toFloatArray();
                        int d = sizes[k];
                        if (f.length != b * d) {
                            throw new IllegalStateException("feature map '" + maps.get(k).name() + "' gave "
                                    + f.length / b + " values per sentence, declared " + d);
                        }
                        for (int j = 0; j < b; j++) {
                            System.arraycopy(f, j * d, outs.get(k), order[from + j] * d, d);
                        }
                    }
                }
                batchDone.accept(b);
            }
        }
    }

    /**
     * The batch's hidden states (b, t, D), computed in passes of at most {@link #MAX_TOKENS_PER_PASS}
     * tokens (rows padded to the batch's length t, as in one pass): every op's output of a pass lives
     * until the pass ends, and 1,024 rows of 64 tokens through four blocks held 3-4 GB at once. Only
     * the passes' hidden states are kept and joined; the feature maps then see the whole batch as
     * before (their own products, e.g. conditional-mean's, are computed over the same rows).
     */
    private static NDArray hiddenStates(SequenceEncoder encoder, ParameterStore store, NDArray x, int[] tok, int b,
            int t, NDManager step) {
        int passRows = rowsPerPass(t);
        if (b <= passRows) {
            return encoder.hiddenStates(store, x, false);
        }
        NDList parts = new NDList();
        for (int p0 = 0; p0 < b; p0 += passRows) {
            int pb = Math.min(passRows, b - p0);
            try (NDManager pass = step.newSubManager()) {
                NDArray h = encoder.hiddenStates(store, HostArrays.ints(pass,
                        Arrays.copyOfRange(tok, p0 * t, (p0 + pb) * t), new Shape(pb, t)), false);
                h.attach(step);
                parts.add(h);
            }
        }
        NDArray h = NDArrays.concat(parts, 0);
        h.attach(step);
        parts.close();
        return h;
    }

    /** As {@link #extract(SequenceEncoder, ParameterStore, List, Split, int, Device, int)} with the encoder's tokenizer's pad id. */
    public static List<Features.Matrix> extract(SequenceEncoder encoder, ParameterStore store, List<FeatureMap> maps,
            Split sentences, Device device, int batchSize) {
        return extract(encoder, store, maps, sentences, device, batchSize, Features.Progress.NONE);
    }

    /** As {@link #extract(SequenceEncoder, ParameterStore, List, Split, Device, int)}, telling {@code progress} how far it is. */
    public static List<Features.Matrix> extract(SequenceEncoder encoder, ParameterStore store, List<FeatureMap> maps,
            Split sentences, Device device, int batchSize, Features.Progress progress) {
        Tokenizer tok = encoder.tokenizer().orElseThrow(() -> new PretextException("The encoder " + encoder
                + " carries no tokenizer, so the padding id of the sentences is unknown: pass it explicitly"));
        return extract(encoder, store, maps, sentences, tok.padId(), device, batchSize, progress);
    }
}
