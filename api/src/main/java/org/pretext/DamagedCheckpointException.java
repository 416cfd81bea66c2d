package org.pretext;

import org.apiguardian.api.API;

/**
 * A checkpoint or exported encoder whose bytes cannot be trusted: truncated, corrupt, not a Pretext
 * file, or holding more or less than it declares (a ZIP bomb among them). Unlike a checkpoint of
 * another model, a damaged one is passed over in favour of an older one when resuming.
 */
@API(status = API.Status.STABLE, since = "0.2")
public class DamagedCheckpointException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    public DamagedCheckpointException(String message) {
        super(message);
    }

    public DamagedCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
