package org.pretext;

import org.apiguardian.api.API;

/**
 * Derives independent, reproducible seeds from a run seed and coordinates (epoch, step, worker),
 * so that every random stream is a pure function of the run seed, whatever thread uses it.
 */
@API(status = API.Status.STABLE, since = "0.1")
public final class Seeds {
    private Seeds() {}

    /** SplitMix64's finaliser: a well-mixed 64-bit value from any input. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A seed for the stream named by {@code parts} under {@code seed}. */
    public static long derive(long seed, long... parts) {
        long h = mix(seed + 0x9e3779b97f4a7c15L);
        for (long p : parts) {
            h = mix(h ^ (p + 0x9e3779b97f4a7c15L + (h << 6) + (h >>> 2)));
        }
        return h;
    }
}
