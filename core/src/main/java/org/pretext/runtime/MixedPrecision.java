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

    /** The setting that chooses the precision of pretraining steps. */
    public static final String TRAINING_KEY = "training.precision";

    /**
     * bfloat16 mixed precision, or empty for {@code float32}: {@link #of(String, String)} for
     * {@link #TRAINING_KEY}.
     */
    public static Optional<MixedPrecision> of(String precision) {
        return of(precision, TRAINING_KEY);
    }

    /**
     * bfloat16 mixed precision, or empty for {@code float32}.
     *
     * @param key the setting the value came from, named in errors (e.g. {@code finetune.precision})
     * @throws PretextException for another value, or when the engine cannot run bfloat16 autocast, naming the setting
     */
    public static Optional<MixedPrecision> of(String precision, String key) {
        if (FLOAT32.equals(precision)) {
            return Optional.empty();
        }
        if (!BF16.equals(precision)) {
            throw new PretextException(key + " is '" + precision + "': expected one of " + CHOICES);
        }
        if (Shared.BF16 == null) {
            throw new PretextException(key + "=bf16 cannot run here: " + Shared.FAILURE + "; use " + key + "=float32");
        }
        return Optional.of(Shared.BF16);
    }

    /**
     * {@link #of(String, String)} for the training steps of a model on {@code device}, checked before
     * the first step: with a note on standard error when bf16 runs on a CPU without native bfloat16
     * products ({@link #cpuHasBf16}), where it may be slower than float32.
     */
    public static Optional<MixedPrecision> forSteps(String precision, String key, Device device) {
        Optional<MixedPrecision> p = of(precision, key);
        if (p.isPresent() && !device.isGpu() && !cpuHasBf16().orElse(true)) {
            System.err.println("note: " + key + "=bf16 on a CPU without AVX-512 BF16 or AMX: its bfloat16"
                    + " products are emulated and may be slower than float32");
        }
        return p;
    }

    /** Built on the first {@link #of} that asks for bf16; a failure is kept and reported each time. */
    private static final class Shared {
        static final String FAILURE;
        static final MixedPrecision BF16;

        static {
            MixedPrecision p = null;
            String failure = null;
            try {
                p = new MixedPrecision(Autocast.get());
            } catch (RuntimeException | LinkageError e) {
                failure = e.getMessage();
            }
            BF16 = p;
            FAILURE = failure;
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
