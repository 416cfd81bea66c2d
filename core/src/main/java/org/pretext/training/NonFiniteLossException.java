package org.pretext.training;

import org.pretext.PretextException;

/** The loss became NaN or infinite; the message names the step, the settings and the last good checkpoint. */
public class NonFiniteLossException extends PretextException {
    private static final long serialVersionUID = 1L;
    private final long step;

    public NonFiniteLossException(String message, long step) {
        super(message);
        this.step = step;
    }

    /** The 1-based step whose loss was not finite. */
    public long step() {
        return step;
    }
}
