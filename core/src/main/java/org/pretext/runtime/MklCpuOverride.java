package org.pretext.runtime;

import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 */
public final class MklCpuOverride {
    private static final String RESOURCE = "/org/pretext/native/linux-x86_64/libpretext_mkl_override.so";
    private static final int RTLD_NOW = 0x2;
    private static final int RTLD_GLOBAL = 0x100;
    private static volatile String status = "not attempted";

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
        try (InputStream in = MklCpuOverride.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                status = "skipped: library missing from the jar";
                return;
            }
            Path dir = Files.createTempDirectory("pretext-native");
            Path lib = dir.resolve("libpretext_mkl_override.so");
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            lib.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            NativeLibrary.getInstance(lib.toString(), Map.of(Library.OPTION_OPEN_FLAGS, RTLD_NOW | RTLD_GLOBAL));
            status = "loaded";
        } catch (IOException | RuntimeException | LinkageError e) {
            status = "skipped: " + e.getMessage();
        }
    }

    /** Records the outcome of the post-start check. */
    static void verified(boolean ok) {
        if (!ok) {
            status = "loaded but GEMM check failed";
        }
    }
}
