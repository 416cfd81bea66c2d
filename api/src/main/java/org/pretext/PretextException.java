package org.pretext;

import org.apiguardian.api.API;

/**
 * The one unchecked exception Pretext throws for bad input, bad configuration and failed runs.
 * Its message names the file, key or value at fault and what was expected.
 */
@API(status = API.Status.STABLE, since = "0.1")
public class PretextException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PretextException(String message) {
        super(message);
    }

    public PretextException(String message, Throwable cause) {
        super(message, cause);
    }
}
