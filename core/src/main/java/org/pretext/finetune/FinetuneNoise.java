package org.pretext.finetune;

import java.util.Locale;
import org.pretext.PretextException;

/**
 * Noise on the encoder's parameters during fine-tuning: none, the uniform baseline (NoisyTune,
 * {@link UniformNoise}) or sensitivity-aware Gaussian noise (PATS, {@link PatsNoise}).
 *
 * @param kind which noise
 * @param lambda its intensity λ: the width of NoisyTune's uniform noise in standard deviations of a
 *     parameter tensor; PATS's largest per-step noise in the same unit
 * @param beta PATS's smoothing of sensitivities over steps (ignored by the others)
 */
public record FinetuneNoise(Kind kind, double lambda, double beta) {
    /** The kinds, as {@code finetune.noise} names them. */
    public enum Kind {
        /** Plain fine-tuning. */
        NONE,
        /** NoisyTune: U(−λ/2, λ/2)·std(W) once, before fine-tuning. */
        UNIFORM,
        /** PATS: Gaussian noise every step, smaller for parameters the task is more sensitive to. */
        PATS
    }

    /** NoisyTune's λ (Wu et al. 2022: 0.15 as recalled, not confirmed from the paper's text here). */
    public static final double UNIFORM_LAMBDA = 0.15;
    /** PATS's λ here (see {@link PatsNoise}: not the paper's number, which was not found). */
    public static final double PATS_LAMBDA = 0.01;
    /** PATS's smoothing β here (see {@link PatsNoise}). */
    public static final double PATS_BETA = 0.85;

    public FinetuneNoise {
        if (kind == null || !(lambda >= 0) || !(beta >= 0 && beta < 1)) {
            throw new PretextException("Invalid fine-tuning noise " + kind + " with lambda " + lambda + " and beta "
                    + beta + ": expected lambda >= 0 and 0 <= beta < 1");
        }
    }

    /** No noise. */
    public static FinetuneNoise none() {
        return new FinetuneNoise(Kind.NONE, 0, 0);
    }

    /** NoisyTune with its paper's λ. */
    public static FinetuneNoise uniform() {
        return new FinetuneNoise(Kind.UNIFORM, UNIFORM_LAMBDA, 0);
    }

    /** PATS with the defaults above. */
    public static FinetuneNoise pats() {
        return new FinetuneNoise(Kind.PATS, PATS_LAMBDA, PATS_BETA);
    }

    /**
     * The noise a {@code finetune.noise} name stands for.
     *
     * @param key the config key, for the message
     */
    public static FinetuneNoise parse(String name, String key) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> none();
            case "uniform", "noisytune" -> uniform();
            case "pats" -> pats();
            default -> throw new PretextException("Invalid value '" + name + "' in " + key
                    + ": expected none, uniform (NoisyTune) or pats");
        };
    }

    /** {@code none}, {@code uniform} or {@code pats}. */
    public String key() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    /** This noise with another λ. */
    public FinetuneNoise withLambda(double l) {
        return new FinetuneNoise(kind, l, beta);
    }

    /** This noise with another β. */
    public FinetuneNoise withBeta(double b) {
        return new FinetuneNoise(kind, lambda, b);
    }
}
