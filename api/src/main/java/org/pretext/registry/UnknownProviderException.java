package org.pretext.registry;

import org.apiguardian.api.API;
import java.util.Collection;
import org.pretext.PretextException;

/** A name that no provider of a kind answers to; the message lists the names that do. */
@API(status = API.Status.STABLE, since = "0.1")
public class UnknownProviderException extends PretextException {
    private static final long serialVersionUID = 1L;

    public UnknownProviderException(String kind, String name, Collection<String> available) {
        this(kind, name, available, java.util.List.of());
    }

    /**
     * @param problems what failed to load (each naming its jar), so a provider that was meant to
     *     answer to the name but could not be loaded is named rather than missing silently
     */
    public UnknownProviderException(String kind, String name, Collection<String> available,
            Collection<String> problems) {
        super("Unknown " + kind + " '" + name + "'. Available " + kind + "s: "
                + (available.isEmpty() ? "none (is a provider jar on the classpath?)"
                        : String.join(", ", available))
                + (problems.isEmpty() ? "" : ". Not loaded: " + String.join("; ", problems)));
    }
}
