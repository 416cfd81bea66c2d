package org.pretext.text;

import org.apiguardian.api.API;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.pretext.PretextException;
import org.pretext.Seeds;
import org.pretext.data.BatchPlan;
import org.pretext.data.IndexedSplit;

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
 * bits per character. It is an {@link IndexedSplit} whose example {@code i} is the window at
 * {@link #offset offset(plan, i)}: windows are placed by their offsets, never permuted.
 */
@API(status = API.Status.STABLE, since = "0.1")
public final class TokenWindowSplit extends IndexedSplit {
    private static final long WINDOW_STREAM = 0x77696e64L;
    private final int[] tokens;
    private final int length;
    private final boolean random;
    private final long characters;

    private TokenWindowSplit(int[] tokens, int length, long size, boolean random, long characters) {
        super(size, new Shape(length), DataType.INT32, null, null, List.of());
        this.tokens = tokens;
        this.length = length;
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

    /** Example i of every pass is window i: the randomness is in {@link #offset}, not in the order. */
    @Override
    protected LongUnaryOperator order(BatchPlan plan) {
        return LongUnaryOperator.identity();
    }

    @Override
    protected RowSource rows(BatchPlan plan) {
        return (index, batch, offset) -> System.arraycopy(tokens, offset(plan, index), batch.ints(), offset, length);
    }
}
