package org.pretext.text;

import org.apiguardian.api.API;
import ai.djl.ndarray.types.Shape;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.pretext.PretextException;
import org.pretext.Seeds;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;

/**
 * Windows of {@code length} consecutive tokens of one token stream, as examples of shape
 * (length) in int32: for a causal language model with context T, windows of T + 1 tokens hold the
 * inputs (the first T) and the next-token targets (the last T).
 *
 * <ul>
 *   <li>{@link #random}: every example starts at a uniformly random offset (with replacement, as
 *       nanoGPT samples its batches), drawn from a stream seeded by (plan seed, epoch, example), so
 *       batch s of a run is a pure function of the seed and s; an "epoch" is a nominal number of
 *       windows.
 *   <li>{@link #sequential}: non-overlapping windows with stride length − 1, so every token but
 *       the first is a target exactly once (the tail that does not fill a window is left out): the
 *       split for a validation loss.
 * </ul>
 *
 * The split also knows how many characters its text had, so a loss in nats per token converts to
 * bits per character.
 */
@API(status = API.Status.STABLE, since = "0.1")
public final class TokenWindowSplit implements Split {
    private static final long WINDOW_STREAM = 0x77696e64L;
    private final int[] tokens;
    private final int length;
    private final long size;
    private final boolean random;
    private final long characters;

    private TokenWindowSplit(int[] tokens, int length, long size, boolean random, long characters) {
        this.tokens = tokens;
        this.length = length;
        this.size = size;
        this.random = random;
        this.characters = characters;
    }

    /**
     * Random windows.
     *
     * @param tokens the token stream (not copied; do not change it)
     * @param length tokens per window (context + 1 for next-token prediction)
     * @param windowsPerEpoch examples in one nominal epoch; 0 for about one pass over the tokens
     *     ({@code (n − 1) / (length − 1)})
     * @param characters characters of the text the tokens came from
     * @param source names the text in messages
     */
    public static TokenWindowSplit random(int[] tokens, int length, long windowsPerEpoch, long characters,
            String source) {
        check(tokens, length, source);
        long size = windowsPerEpoch > 0 ? windowsPerEpoch : Math.max(1, (tokens.length - 1L) / (length - 1));
        return new TokenWindowSplit(tokens, length, size, true, characters);
    }

    /** Non-overlapping windows (stride length − 1) covering the stream once. */
    public static TokenWindowSplit sequential(int[] tokens, int length, long characters, String source) {
        check(tokens, length, source);
        return new TokenWindowSplit(tokens, length, (tokens.length - 1L) / (length - 1), false, characters);
    }

    private static void check(int[] tokens, int length, String source) {
        if (length < 2) {
            throw new IllegalArgumentException("windows need at least 2 tokens, got " + length);
        }
        if (tokens.length < length) {
            throw new PretextException("The text " + source + " has " + tokens.length + " tokens, fewer than one"
                    + " window of " + length + " (context " + (length - 1) + " + 1): expected a longer text"
                    + " or a smaller context");
        }
    }

    /** Tokens per window. */
    public int windowLength() {
        return length;
    }

    /** Whether windows start at random offsets. */
    public boolean isRandom() {
        return random;
    }

    /** Length of the token stream. */
    public int tokenCount() {
        return tokens.length;
    }

    /** Characters of the text per token of the stream, to turn nats per token into bits per character. */
    public double charactersPerToken() {
        return characters / (double) tokens.length;
    }

    /** Characters of the text the tokens came from. */
    public long characters() {
        return characters;
    }

    /** The offset of example {@code index} under a plan (random: from the plan's seed and epoch). */
    public int offset(BatchPlan plan, long index) {
        if (!random) {
            return Math.toIntExact(index * (length - 1));
        }
        long span = tokens.length - length + 1L;
        long h = Seeds.derive(plan.seed(), WINDOW_STREAM, plan.epoch(), index);
        return (int) Math.floorMod(h, span);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Shape exampleShape() {
        return new Shape(length);
    }

    @Override
    public boolean hasLabels() {
        return false;
    }

    @Override
    public List<String> classNames() {
        return List.of();
    }

    @Override
    public int[] labels() {
        throw new IllegalStateException("token windows have no labels");
    }

    @Override
    public Iterator<Batch> batches(BatchPlan plan) {
        long total = plan.batchesFor(size);
        return new Iterator<>() {
            long next = plan.startBatch();

            @Override
            public boolean hasNext() {
                return next < total;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                long from = next * plan.batchSize();
                int n = (int) Math.min(plan.batchSize(), size - from);
                next++;
                int[] out = new int[n * length];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(tokens, offset(plan, from + i), out, i * length, length);
                }
                return new Batch(HostTensor.ofInts(out, new Shape(n, length)), null);
            }
        };
    }
}
