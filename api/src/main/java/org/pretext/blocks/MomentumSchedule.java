package org.pretext.blocks;

import org.apiguardian.api.API;

/**
 * BYOL's target momentum schedule (Grill et al. 2020, §3.2): starting at τ_base and rising to 1
 * along a cosine over the K training steps,
 *
 * <pre>
 *   τ_k = 1 − (1 − τ_base) · (cos(πk / K) + 1) / 2.
 * </pre>
 *
 * A constant momentum (MoCo) is {@code constant(m)}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.2")
public final class MomentumSchedule {
    private final double base;
    private final boolean cosine;

    private MomentumSchedule(double base, boolean cosine) {
        if (!(base >= 0 && base <= 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], was " + base);
        }
        this.base = base;
        this.cosine = cosine;
    }

    /** τ_k rising from {@code base} to 1 along a cosine. */
    public static MomentumSchedule cosine(double base) {
        return new MomentumSchedule(base, true);
    }

    /** The same momentum at every step. */
    public static MomentumSchedule constant(double momentum) {
        return new MomentumSchedule(momentum, false);
    }

    /**
     * The momentum for the update after step {@code k} (zero-based) of {@code total}.
     */
    public double at(long k, long total) {
        if (!cosine || total <= 0) {
            return base;
        }
        double progress = Math.min(1.0, (double) k / total);
        return 1 - (1 - base) * (Math.cos(Math.PI * progress) + 1) / 2;
    }
}
