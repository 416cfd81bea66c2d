package org.pretext;

import org.apiguardian.api.API;


/** Saved state (a checkpoint, an objective's state, an exported encoder) that cannot be used: damaged, of another format, or of another model. */
@API(status = API.Status.STABLE, since = "0.2")
public class CheckpointException extends PretextException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
