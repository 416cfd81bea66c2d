package org.pretext.runtime;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.Locale;

/**
 * A speed lever for training steps on Linux: tells glibc's allocator to keep freed memory for reuse
 * instead of returning it to the kernel after every step.
 *
 * <p>A training step allocates and frees the same large tensors (activations, gradients, optimizer
 * temporaries) every time. With glibc's defaults the freed memory at the top of a heap is given back
 * to the kernel ({@code M_TRIM_THRESHOLD} 128 KiB, adjusted dynamically) and the next step takes it
 * again, page fault by page fault. The JVM's threads allocate from glibc's non-main arenas, where this
 * happens more readily than in the main arena a Python process uses. Measured on the SimCLR MLP step
 * at 2 threads (BENCHMARKS.md): the optimizer update 1.8–2.4 → 1.3 ms, freeing the step's arrays
 * 0.2–0.3 → 0.07 ms, the step 94–118 → 125–130 steps/s. The cost is resident memory: up to
 * {@link #TRIM_THRESHOLD} of freed memory per arena stays mapped, reused by the next step.
 *
 * <p>On by default on Linux with glibc; {@code -Dpretext.mallocTuning=false} or
 * {@code PRETEXT_MALLOC_TUNING=false} turns it off. Any failure leaves the defaults silently. The
 * same settings can be given to any process as the environment variables
 * {@code MALLOC_MMAP_THRESHOLD_}, {@code MALLOC_TRIM_THRESHOLD_} and {@code MALLOC_TOP_PAD_}.
 */
public final class MallocTuning {
    /** glibc's mallopt parameters. */
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;
    /** Allocations below this come from the heap and are reused (32 MiB is glibc's maximum). */
    static final int MMAP_THRESHOLD = 32 << 20;
    /** Free memory at the top of a heap kept before trimming. */
    static final int TRIM_THRESHOLD = 256 << 20;
    /** Extra memory requested each time a heap grows. */
    static final int TOP_PAD = 16 << 20;
    private static volatile String status = "not attempted";

    private MallocTuning() {}

    /** Whether the lever is on: unless the user set it to {@code false}. */
    public static boolean enabled() {
        return EngineSetup.switchedOn("pretext.mallocTuning", "PRETEXT_MALLOC_TUNING");
    }

    /** What happened: "applied", "disabled", or why it was skipped. */
    public static String status() {
        return status;
    }

    /** Allocations of at least this are mapped on their own in phases of large arrays (see {@link #forLargeArrays}). */
    static final int LARGE_ARRAYS_MMAP_THRESHOLD = 4 << 20;
    /** Free memory at the top of a heap kept before trimming, in phases of large arrays. */
    static final int LARGE_ARRAYS_TRIM_THRESHOLD = 16 << 20;

    /**
     * Switches glibc to settings for phases of few, large arrays (feature extraction, probes) and
     * gives back what the training steps' settings kept: arrays of {@link #LARGE_ARRAYS_MMAP_THRESHOLD}
     * or more get pages of their own, returned to the kernel when freed, and at most
     * {@link #LARGE_ARRAYS_TRIM_THRESHOLD} of free memory stays at a heap's top. Under the training
     * settings freed blocks of up to 32 MiB are kept for reuse, up to 256 MiB per arena. On the SST-2
     * example these settings, with a collection and a trim between feature sets, took the peak from
     * 3.7 to 2.5 GiB. On Linux with glibc, whether or not the training lever is on; any failure is
     * silent.
     */
    public static synchronized void forLargeArrays() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return;
        }
        try {
            Function mallopt = NativeLibrary.getInstance("c").getFunction("mallopt");
            mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, LARGE_ARRAYS_MMAP_THRESHOLD});
            mallopt.invokeInt(new Object[] {M_TRIM_THRESHOLD, LARGE_ARRAYS_TRIM_THRESHOLD});
            mallopt.invokeInt(new Object[] {M_TOP_PAD, 0});
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return;
        }
        trim();
    }

    /**
     * Returns the free memory of every glibc arena to the kernel ({@code malloc_trim(0)}), e.g.
     * between phases. Linux with glibc only; never throws.
     */
    public static void trim() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return;
        }
        try {
            NativeLibrary.getInstance("c").getFunction("malloc_trim").invokeInt(new Object[] {0L});
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            // not glibc: nothing to give back this way
        }
    }

    /** Applies the settings once, before the engine starts. Never throws. */
    static synchronized void tryApply() {
        if (!status.equals("not attempted")) {
            return;
        }
        if (!enabled()) {
            status = "disabled";
            return;
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            status = "skipped: not Linux";
            return;
        }
        try {
            Function mallopt = NativeLibrary.getInstance("c").getFunction("mallopt");
            boolean ok = mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, MMAP_THRESHOLD}) == 1
                    & mallopt.invokeInt(new Object[] {M_TRIM_THRESHOLD, TRIM_THRESHOLD}) == 1
                    & mallopt.invokeInt(new Object[] {M_TOP_PAD, TOP_PAD}) == 1;
            status = ok ? "applied" : "skipped: mallopt refused (not glibc?)";
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            status = "skipped: " + e.getMessage();
        }
    }
}
