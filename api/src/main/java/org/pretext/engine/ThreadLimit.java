package org.pretext.engine;

import org.apiguardian.api.API;
import org.pretext.PretextException;

/**
 * The bound on every thread count Pretext accepts (engine threads, batch preparation, image
 * decoding): the processors available to this JVM. More threads than cores only add contention,
 * and a count such as 100000 would start that many native threads and hang the machine.
 */
@API(status = API.Status.INTERNAL, since = "0.2")
public final class ThreadLimit {
    private ThreadLimit() {}

    /** {@link Runtime#availableProcessors()}: the cores this JVM may use (container limits included). */
    public static int available() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Returns {@code threads} when it is between 0 and {@link #available()}.
     *
     * @param setting the flag or key, for the message (e.g. "training.prepare-threads")
     * @throws PretextException naming the setting, the value and the limit
     */
    public static int check(String setting, int threads) {
        int cores = available();
        if (threads < 0 || threads > cores) {
            throw new PretextException("Invalid value " + threads + " for " + setting + ": expected 0 to " + cores
                    + " (the processors available to Java)");
        }
        return threads;
    }
}
