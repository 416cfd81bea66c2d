package org.pretext;

/**
 * The one unchecked exception Pretext throws for bad input, bad configuration and failed runs.
 * Its message names the file, key or value at fault and what was expected.
 */
public class PretextException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PretextException(String message) {
        super(message);
    }

    public PretextException(String message, Throwable cause) {
        super(message, cause);
    }
}
