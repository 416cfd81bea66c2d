package org.pretext.runtime;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.Locale;

/**
 * How libtorch's OpenMP threads wait between parallel regions. GNU OpenMP spins for a while
 * before it sleeps; on a machine whose cores another process is using, spinning threads take turns
 * with the threads they wait for, and a step can take several times as long. {@code passive}
 * makes them sleep at once. Set before the engine starts (libgomp reads {@code OMP_WAIT_POLICY}
 * when it is loaded), through the C library's {@code setenv}, unless the environment already sets
 * {@code OMP_WAIT_POLICY} or {@code GOMP_SPINCOUNT}: the user's choice wins.
 *
 * <p>Choose with {@code -Dpretext.ompWait=passive|short|active|library} or {@code PRETEXT_OMP_WAIT}:
 * {@code short} spins 10,000 times before sleeping ({@code GOMP_SPINCOUNT}), {@code library} leaves
 * libgomp's own default. BENCHMARKS.md ("A shared machine") has the
 * measurements behind the default.
 */
public final class OpenMpWaiting {
    /** The policy used when nothing is chosen. */
    public static final String DEFAULT = "passive";
    /** Spins of the {@code short} policy before a waiting thread sleeps (libgomp's default: 300,000). */
    static final long SHORT_SPIN = 10_000;
    private static volatile String status = "not attempted";

    private OpenMpWaiting() {}

    /** The chosen policy: passive, active or library. */
    public static String chosen() {
        String v = System.getProperty("pretext.ompWait", System.getenv("PRETEXT_OMP_WAIT"));
        String p = v == null || v.isBlank() ? DEFAULT : v.trim().toLowerCase(Locale.ROOT);
        if (!p.equals("passive") && !p.equals("short") && !p.equals("active") && !p.equals("library")) {
            throw new org.pretext.PretextException("Invalid OpenMP wait policy '" + v + "' (pretext.ompWait or"
                    + " PRETEXT_OMP_WAIT): expected passive, short, active or library");
        }
        return p;
    }

    /** What happened, for provenance: e.g. "passive", "library default", "OMP_WAIT_POLICY=active (environment)". */
    public static String status() {
        return status;
    }

    /** Sets the policy once, before the engine starts. Never throws for a platform that cannot. */
    static synchronized void tryApply() {
        if (!status.equals("not attempted")) {
            return;
        }
        String policy = chosen();
        String env = System.getenv("OMP_WAIT_POLICY");
        String spin = System.getenv("GOMP_SPINCOUNT");
        if (env != null || spin != null) {
            status = (env != null ? "OMP_WAIT_POLICY=" + env : "GOMP_SPINCOUNT=" + spin) + " (environment)";
            return;
        }
        if (policy.equals("library")) {
            status = "library default";
            return;
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            status = "library default (not Linux)";
            return;
        }
        try {
            Function setenv = NativeLibrary.getInstance("c").getFunction("setenv");
            int rc = policy.equals("short")
                    ? setenv.invokeInt(new Object[] {"GOMP_SPINCOUNT", Long.toString(SHORT_SPIN), 0})
                    : setenv.invokeInt(new Object[] {"OMP_WAIT_POLICY", policy.toUpperCase(Locale.ROOT), 0});
            status = rc == 0 ? policy : "library default (setenv failed)";
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            status = "library default (" + e.getMessage() + ")";
        }
    }
}
