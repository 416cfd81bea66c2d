package org.pretext.param;

import org.apiguardian.api.API;
import org.pretext.PretextException;

/** A parameter value that does not fit its declaration; the message names owner, key and value. */
@API(status = API.Status.STABLE, since = "0.1")
public class ParamException extends PretextException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public ParamException(String owner, String key, String value, String expected) {
        super("Invalid value '" + value + "' for parameter '" + key + "' of " + owner
                + ": expected " + expected);
        this.key = key;
    }

    public ParamException(String message, String key) {
        super(message);
        this.key = key;
    }

    /** The parameter at fault. */
    public String key() {
        return key;
    }
}
