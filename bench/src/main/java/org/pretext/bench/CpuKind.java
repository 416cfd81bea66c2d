package org.pretext.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the suite needs to know of the CPU from {@code /proc/cpuinfo}: a signature that keys the
 * recorded tuning choices ({@link TuningRecord}), and the OpenBLAS kernel sets PyTorch 1.13 can be
 * given ({@code OPENBLAS_CORETYPE}) without stopping on an illegal instruction.
 *
 * @param model the first processor's model name ("AMD EPYC" on a VM that hides the rest)
 * @param flags the first processor's flags
 */
record CpuKind(String model, Set<String> flags) {
    /** The flags OpenBLAS's SkylakeX kernels use (its own check asks for AVX-512 F, CD, BW, DQ and VL). */
    private static final List<String> SKYLAKEX = List.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");

    /** This machine's CPU; "unknown" without flags where {@code /proc/cpuinfo} cannot be read (not Linux). */
    static CpuKind current() {
        try {
            return parse(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException e) {
            return new CpuKind(UNKNOWN, Set.of());
        }
    }

    /** The first processor of a {@code /proc/cpuinfo} text. */
    static CpuKind parse(String cpuinfo) {
        String model = UNKNOWN;
        Set<String> flags = Set.of();
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (key.equals("model name") && model.equals(UNKNOWN)) {
                model = value;
            } else if (key.equals("flags") && flags.isEmpty()) {
                flags = Set.of(value.split("\\s+"));
            }
        }
        return new CpuKind(model, flags);
    }

    boolean avx512() {
        return flags.containsAll(SKYLAKEX);
    }

    boolean avx2() {
        return flags.contains("avx2") && flags.contains("fma");
    }

    /** The model name and the widest vector instructions, e.g. "AMD EPYC, AVX2": what tuning choices hold for. */
    String signature() {
        String isa = avx512() ? "AVX-512" : avx2() ? "AVX2" : flags.contains("avx") ? "AVX" : "SSE";
        return model + ", " + isa;
    }

    /**
     * The kernel sets PyTorch 1.13's OpenBLAS is tried with: Haswell (AVX2) and SkylakeX (AVX-512)
     * where the CPU has them, else "auto" (OpenBLAS's own choice, {@code OPENBLAS_CORETYPE} unset).
     */
    List<String> kernelSets() {
        List<String> out = new ArrayList<>();
        if (avx2()) {
            out.add("Haswell");
        }
        if (avx512()) {
            out.add("SkylakeX");
        }
        if (out.isEmpty()) {
            out.add(AUTO);
        }
        return out;
    }

    /** The model name when the CPU does not say. */
    static final String UNKNOWN = "unknown";

    /** The kernel set that leaves the choice to OpenBLAS. */
    static final String AUTO = "auto";
}
