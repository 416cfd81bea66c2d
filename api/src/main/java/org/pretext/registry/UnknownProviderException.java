package org.pretext.registry;

import org.apiguardian.api.API;
import java.util.Collection;
import org.pretext.PretextException;
import org.pretext.param.Suggestions;

/** A name that no provider of a kind answers to; the message lists the names that do and suggests the nearest. */
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
                + suggestion(name, available)
                + (problems.isEmpty() ? "" : ". Not loaded: " + String.join("; ", problems)));
    }

    /**
     * ". Did you mean 'X'?" for the closest name ({@link Suggestions#nearest}), or the one name that
     * extends the given one ({@code cnn} → {@code cnn-small}); empty when there is none.
     */
    private static String suggestion(String name, Collection<String> available) {
        String nearest = Suggestions.nearest(name, available);
        if (nearest == null && !name.isEmpty()) {
            java.util.List<String> longer = available.stream().filter(a -> a.startsWith(name + "-")).toList();
            nearest = longer.size() == 1 ? longer.get(0) : null;
        }
        return nearest == null ? "" : ". Did you mean '" + nearest + "'?";
    }
}
