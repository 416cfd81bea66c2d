package org.pretext.data;

import org.apiguardian.api.API;
import java.nio.file.Path;
import java.util.Map;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.NamedProvider;

/**
 * A named source of datasets, found by {@link java.util.ServiceLoader}.
 *
 * <p>A provider that reads files takes part in {@code run --dataset PATH}: the runner asks every
 * provider on the class path, plug-ins included, whether it {@link #recognises} the path, and opens
 * it with the one that does, with {@link #parametersFor} (none or several is an error naming the
 * path and what each provider expects).
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface DatasetProvider extends NamedProvider {
    /**
     * Opens the dataset. Files are checked here, so bad input fails before anything trains.
     *
     * @throws org.pretext.PretextException naming the file, and what was wrong
     */
    Dataset open(ParamValues params);

    /**
     * Whether this provider reads the file or folder at {@code path} (which exists), e.g. by its
     * extension or the names of the files in it. Look at names, not contents: every provider is
     * asked. Recognise only what is unmistakably yours, since a path two providers claim is refused.
     * The default recognises nothing.
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    default boolean recognises(Path path) {
        return false;
    }

    /**
     * The parameters that open a path this provider {@link #recognises}, merged over the
     * configuration's {@code dataset} section. The default gives the absolute, normalised path as
     * the value of the provider's first parameter of type {@link Param.Type#PATH}, or else of its
     * parameter named {@code path} or {@code dir}.
     *
     * @throws IllegalStateException when the provider has no such parameter (override this method)
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    default Map<String, Object> parametersFor(Path path) {
        String value = path.toAbsolutePath().normalize().toString();
        Param<?> byName = null;
        for (Param<?> p : parameters()) {
            if (p.type() == Param.Type.PATH) {
                return Map.of(p.name(), value);
            }
            if (byName == null && (p.name().equals("path") || p.name().equals("dir"))) {
                byName = p;
            }
        }
        if (byName == null) {
            throw new IllegalStateException("dataset provider '" + name() + "' recognises " + path + " but has no"
                    + " parameter of type PATH (nor one named path or dir) to receive it: override parametersFor");
        }
        return Map.of(byName.name(), value);
    }
}
