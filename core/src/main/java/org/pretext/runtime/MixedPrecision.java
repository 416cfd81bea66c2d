package org.pretext.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.pretext.PretextException;
import org.pretext.engine.Scalars;

/**
 * The precision a training step's encoder computes in ({@code training.precision}): {@code float32},
 * or {@code bf16}, mixed precision as PyTorch's automatic mixed precision does it: the encoder's
 * forward pass runs under {@link Autocast} to bfloat16 (matrix products and convolutions in
 * bfloat16, norms and reductions in float32), and each floating output comes back to float32 through
 * an op autograd records ({@link Scalars#float32}; DJL's own cast runs without gradient), so the
 * objective's heads and loss, the weights, their gradients and the optimizer stay float32, and
 * checkpoints are the same either way. Only the encoder calls of a pretraining step's forward pass
 * are covered: features for probes and monitors, and exported encoders, are computed in float32.
 */
public final class MixedPrecision {
    /** The setting's values. */
    public static final String FLOAT32 = "float32";
    public static final String BF16 = "bf16";
    public static final List<String> CHOICES = List.of(FLOAT32, BF16);

    private final Autocast autocast;

    private MixedPrecision(Autocast autocast) {
        this.autocast = autocast;
    }

    /**
     * bfloat16 mixed precision, or empty for {@code float32}.
     *
     * @throws PretextException for another value, or when the engine cannot run bfloat16 autocast, naming the setting
     */
    public static Optional<MixedPrecision> of(String precision) {
        if (FLOAT32.equals(precision)) {
            return Optional.empty();
        }
        if (!BF16.equals(precision)) {
            throw new PretextException("training.precision is '" + precision + "': expected one of " + CHOICES);
        }
        return Optional.of(Shared.BF16.get());
    }

    /** Built on the first {@link #of} that asks for bf16; a failure is kept and reported each time. */
    private static final class Shared {
        static final Supplier<MixedPrecision> BF16 = build();

        private static Supplier<MixedPrecision> build() {
            try {
                MixedPrecision p = new MixedPrecision(Autocast.get());
                return () -> p;
            } catch (RuntimeException | LinkageError e) {
                String why = "training.precision=bf16 cannot run here: " + e.getMessage()
                        + "; use training.precision=float32";
                return () -> {
                    throw new PretextException(why);
                };
            }
        }
    }

    /**
     * Runs {@code forward} (encoder calls on {@code device}) under bfloat16 autocast and returns its
     * outputs with every bfloat16 array in float32 (float32, integer and boolean arrays as they are).
     */
    public NDList run(Device device, Supplier<NDList> forward) {
        NDList out = autocast.bf16(device, forward);
        NDList result = new NDList(out.size());
        for (NDArray a : out) {
            NDArray f = Scalars.float32(a);
            if (f != a && a.getName() != null) {
                f.setName(a.getName());
            }
            result.add(f);
        }
        return result;
    }

    /** {@link #run} for a single output. */
    public NDArray runSingle(Device device, Supplier<NDArray> forward) {
        return run(device, () -> new NDList(forward.get())).singletonOrThrow();
    }

    /**
     * Whether this machine's CPU computes bfloat16 products natively (AVX-512 BF16 or AMX), from
     * {@code /proc/cpuinfo}; empty where that cannot be read.
     */
    public static Optional<Boolean> cpuHasBf16() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags"))
                    .findFirst().map(l -> nativeBf16(Set.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether a CPU with these {@code /proc/cpuinfo} flags computes bfloat16 products natively: AVX-512 BF16 or AMX. */
    public static boolean nativeBf16(Set<String> flags) {
        return flags.contains("avx512_bf16") || flags.contains("amx_bf16");
    }
}
