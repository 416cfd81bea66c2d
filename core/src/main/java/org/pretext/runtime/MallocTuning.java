package org.pretext.runtime;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

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
 * <p>Arrays above 32 MiB are beyond what {@code mallopt} can keep: glibc maps each of them on its own
 * and unmaps it when freed, so a step that makes them (the SimCLR CNN's first activations at batch
 * 256: 51 MB each) takes every page from the kernel again, every step. The settings that keep them
 * too can only be given when a process starts ({@link #GLIBC_TUNABLES}: one arena, no private
 * mappings, transparent huge pages); the command lines start their work in a child JVM that has them
 * ({@link #childEnvironment}, {@link ChildJvm}). Measured on the quiet 2-core VM on 2026-12-06, 15
 * steps each: the SimCLR CNN step 2.0–2.1 → 4.9 steps/s, MAE 4.1 → 6.2, DINO with multi-crop
 * 6.9–7.5 → 7.7, the MLP and the transformer unchanged (BENCHMARKS.md has the suite's numbers; the
 * same settings took PyTorch 2.6's CNN step from 0.69 to 4.2 steps/s). With one arena a step's
 * freed memory is at the top of the main heap, where {@link #TRIM_THRESHOLD} keeps all of it (until
 * 2026-12-07 256 MiB: the SimCLR CNN step then faulted 32 and 88 huge pages in again per step in
 * two of three runs, 4.8–5.6 steps/s against 5.7–5.8 with everything kept, the same losses; PyTorch 2.6
 * gains alike from the tunable, 4.9–5.3 → 5.8–5.9).
 *
 * <p>On by default on Linux with glibc; {@code -Dpretext.mallocTuning=false} or
 * {@code PRETEXT_MALLOC_TUNING=false} turns both off. Any failure leaves the defaults silently. The
 * same settings can be given to any process as the environment variables
 * {@code MALLOC_MMAP_THRESHOLD_}, {@code MALLOC_TRIM_THRESHOLD_}, {@code MALLOC_TOP_PAD_} and
 * {@code GLIBC_TUNABLES}.
 */
public final class MallocTuning {
    /** glibc's mallopt parameters. */
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;
    /** Allocations below this come from the heap and are reused (32 MiB is glibc's maximum). */
    static final int MMAP_THRESHOLD = 32 << 20;
    /**
     * Free memory at the top of a heap kept before trimming: all of it (mallopt's largest value, 2 GiB).
     * A training step frees what it made and makes it again in the next step; memory given back at the
     * end of one is faulted in (and zeroed by the kernel) again in the next. At 256 MiB, the value until
     * 2026-12-07, the SimCLR CNN step (batch 256) had up to 88 huge pages (176 MiB) faulted in per step.
     */
    static final int TRIM_THRESHOLD = Integer.MAX_VALUE;
    /** Extra memory requested each time a heap grows. */
    static final int TOP_PAD = 16 << 20;
    private static final int M_MMAP_MAX = -4;
    /** glibc's default for {@code M_MMAP_MAX}. */
    private static final int DEFAULT_MMAP_MAX = 65536;
    private static volatile String status = "not attempted";

    /**
     * glibc's start-up settings for training steps that make arrays above 32 MiB: one arena (the
     * main one, which grows without a size limit), no private mappings (so freed arrays of any size
     * stay in the heap and are reused), and transparent huge pages for the heap (2 MiB pages: 512
     * times fewer page faults and TLB entries; glibc 2.35 or later, older ones ignore it), and free
     * memory kept at the heap's top instead of given back ({@link #TRIM_THRESHOLD}; glibc's default
     * is 128 KiB, and a step would fault its arrays' pages in again each time).
     */
    public static final String GLIBC_TUNABLES = "glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:glibc.malloc.hugetlb=1"
            + ":glibc.malloc.trim_threshold=" + Integer.MAX_VALUE;
    /**
     * {@code -Dpretext.glibcTunables=false} (or {@code PRETEXT_GLIBC_TUNABLES=false}) keeps a command
     * line's work in the JVM it was started in, without {@link #GLIBC_TUNABLES}.
     */
    public static final String TUNABLES_PROPERTY = "pretext.glibcTunables";
    /** The environment variable glibc reads {@link #GLIBC_TUNABLES} from. */
    public static final String TUNABLES_VARIABLE = "GLIBC_TUNABLES";

    private MallocTuning() {}

    /** Whether the lever is on: unless the user set it to {@code false}. */
    public static boolean enabled() {
        return EngineSetup.switchedOn("pretext.mallocTuning", "PRETEXT_MALLOC_TUNING");
    }

    /** What happened: "applied", "disabled", or why it was skipped. */
    public static String status() {
        return status;
    }

    /** {@link #status()} and this process's {@code GLIBC_TUNABLES}, for a run's provenance. */
    public static String describe() {
        String tunables = System.getenv(TUNABLES_VARIABLE);
        return status + (tunables == null || tunables.isBlank() ? ", no GLIBC_TUNABLES" : ", GLIBC_TUNABLES=" + tunables);
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
     * settings freed blocks of up to 32 MiB are kept for reuse, and all free memory at a heap's top. On the SST-2
     * example these settings, with a collection and a trim between feature sets, took the peak from
     * 3.7 to 2.5 GiB. On Linux with glibc, whether or not the training lever is on; any failure is
     * silent.
     */
    public static synchronized void forLargeArrays() {
        if (!linux()) {
            return;
        }
        try {
            Function mallopt = NativeLibrary.getInstance("c").getFunction("mallopt");
            mallopt.invokeInt(new Object[] {M_MMAP_MAX, DEFAULT_MMAP_MAX}); // undoes GLIBC_TUNABLES's mmap_max=0
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
        if (!linux()) {
            return;
        }
        try {
            NativeLibrary.getInstance("c").getFunction("malloc_trim").invokeInt(new Object[] {0L});
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            // not glibc: nothing to give back this way
        }
    }

    /**
     * The environment a command line's child JVM needs for {@link #GLIBC_TUNABLES}, or an empty map
     * when this process should do its work itself: the lever or {@link #TUNABLES_PROPERTY} is off, this
     * is not Linux with glibc, a debugger's agent runs in this JVM,
     * or the variable already has every setting (in a child, or set by the user).
     *
     * @param environment this process's environment
     */
    public static Map<String, String> childEnvironment(Map<String, String> environment) {
        if (!tunablesEnabled() || !linux()
                || environment.containsKey(ChildJvm.LAUNCHER_PID) || ChildJvm.debuggerAgent()) {
            return Map.of();
        }
        String existing = environment.get(TUNABLES_VARIABLE);
        String merged = mergedTunables(existing);
        if (merged.equals(existing) || !isGlibc()) {
            return Map.of();
        }
        return Map.of(TUNABLES_VARIABLE, merged);
    }

    /**
     * {@code existing} ({@code name=value} pairs separated by {@code :}, or null) with each setting of
     * {@link #GLIBC_TUNABLES} added whose name it does not have: the user's own values win.
     */
    static String mergedTunables(String existing) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (existing != null && !existing.isBlank()) {
            for (String pair : existing.split(":")) {
                int eq = pair.indexOf('=');
                if (!pair.isBlank()) {
                    pairs.put(eq < 0 ? pair : pair.substring(0, eq), pair);
                }
            }
        }
        for (String pair : GLIBC_TUNABLES.split(":")) {
            pairs.putIfAbsent(pair.substring(0, pair.indexOf('=')), pair);
        }
        String merged = String.join(":", pairs.values());
        return existing != null && merged.equals(existing.strip()) ? existing : merged;
    }

    /**
     * Whether command lines start their work in a child JVM with {@link #GLIBC_TUNABLES} (and Spark's
     * executors get them): unless the lever or {@link #TUNABLES_PROPERTY} is off.
     */
    public static boolean tunablesEnabled() {
        return enabled() && EngineSetup.switchedOn(TUNABLES_PROPERTY, "PRETEXT_GLIBC_TUNABLES");
    }

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    }

    /** Whether this process's C library is glibc. */
    private static boolean isGlibc() {
        try {
            NativeLibrary.getInstance("c").getFunction("gnu_get_libc_version");
            return true;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return false;
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
        if (!linux()) {
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
