package org.pretext.runtime;

import org.pretext.engine.UserCache;
import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * A speed lever for AMD CPUs: libtorch's bundled oneMKL takes its AVX2 kernels unless it believes
 * the CPU is Intel's. Loading a one-function library that answers "yes" ({@code
 * mkl_serv_intel_cpu_true}, source in {@code api/src/main/c}) with global symbols before libtorch
 * lets MKL run its AVX-512 kernels (measured on this project's 2-core AMD EPYC: fp32 GEMM 2.3–2.5×,
 * whole SimCLR step 1.4–1.65×; numerics unchanged).
 *
 * <p>On by default on Linux x86-64; {@code -Dpretext.mklOverride=false} or
 * {@code PRETEXT_MKL_OVERRIDE=false} turns it off. (It was off for a while because a resumed
 * adversarial run lost bit-exactness with it; the cause turned out to be DJL freeing scalar
 * constants before the backward pass — see {@link Scalars} — and with that fixed the resume tests
 * pass bit-exactly with the override on.) Any failure falls back silently to MKL's own dispatch.
 * {@link EngineSetup} loads it before the engine starts and verifies GEMM results afterwards.
 *
 * <p>The library is loaded from the per-user cache folder ({@link UserCache}, e.g.
 * {@code ~/.cache/pretext/native/libpretext_mkl_override-HASH.so}), written once and reused; only
 * if that folder cannot be written is a temporary copy made, and deleted as soon as it is loaded.
 * (A copy in {@code java.io.tmpdir} registered for deletion at exit used to leave its empty folder
 * behind after every run, and the library too after a SIGKILL.)
 */
public final class MklCpuOverride {
    private static final String RESOURCE = "/org/pretext/native/linux-x86_64/libpretext_mkl_override.so";
    private static final int RTLD_NOW = 0x2;
    private static final int RTLD_GLOBAL = 0x100;
    private static volatile String status = "not attempted";
    /**
     * Held for the life of the process: JNA closes a library whose {@link NativeLibrary} is garbage
     * collected, and when a collection came before MKL's first call, MKL took its AVX2 kernels
     * after all — which runs were faster and what numbers a seed gave depended on the JVM's heap
     * settings and on load.
     */
    private static volatile NativeLibrary library;

    private MklCpuOverride() {}

    /** Whether the lever is on: unless the user set it to {@code false}. */
    public static boolean enabled() {
        return EngineSetup.switchedOn("pretext.mklOverride", "PRETEXT_MKL_OVERRIDE");
    }

    /** What happened: "loaded", "disabled", or why it was skipped. */
    public static String status() {
        return status;
    }

    /** Loads the override with global symbols; must run before libtorch is loaded. Never throws. */
    static void tryLoad() {
        if (!enabled()) {
            status = "disabled";
            return;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            status = "skipped: not Linux x86-64";
            return;
        }
        byte[] bytes;
        try (InputStream in = MklCpuOverride.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                status = "skipped: library missing from the jar";
                return;
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            status = "skipped: " + e.getMessage();
            return;
        }
        try {
            // a shared library must be a file to be loaded: one copy per user, reused (UserCache)
            load(UserCache.file("native", "libpretext_mkl_override", ".so", bytes));
            status = "loaded";
        } catch (IOException | RuntimeException | LinkageError e) {
            loadFromTemporaryCopy(bytes, e);
        }
    }

    private static void load(Path lib) {
        library = NativeLibrary.getInstance(lib.toString(), Map.of(Library.OPTION_OPEN_FLAGS, RTLD_NOW | RTLD_GLOBAL));
    }

    /**
     * When the user cache cannot be written: a temporary copy, deleted (file, then folder) as soon
     * as it is loaded, since a loaded library no longer needs its file on Linux.
     */
    private static void loadFromTemporaryCopy(byte[] bytes, Throwable cacheProblem) {
        Path dir = null;
        Path lib = null;
        try {
            dir = Files.createTempDirectory("pretext-native");
            lib = dir.resolve("libpretext_mkl_override.so");
            Files.write(lib, bytes);
            load(lib);
            status = "loaded (from a temporary copy: " + cacheProblem.getMessage() + ")";
        } catch (IOException | RuntimeException | LinkageError e) {
            status = "skipped: " + e.getMessage();
        } finally {
            try {
                if (lib != null) {
                    Files.deleteIfExists(lib);
                }
                if (dir != null) {
                    Files.deleteIfExists(dir);
                }
            } catch (IOException e) {
                // nothing more to do
            }
        }
    }

    /** Records the outcome of the post-start check. */
    static void verified(boolean ok) {
        if (!ok) {
            status = "loaded but GEMM check failed";
        }
    }
}
