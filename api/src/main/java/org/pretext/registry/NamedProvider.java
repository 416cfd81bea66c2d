package org.pretext.registry;

import org.apiguardian.api.API;
import java.util.List;
import org.pretext.param.Param;

/**
 * What every extension of Pretext declares: a stable unique name, a one-line description and its
 * typed parameters. Providers are found with {@link java.util.ServiceLoader} through a file in
 * {@code META-INF/services} named after the provider interface; no registration code is needed.
 *
 * <p>Capability interfaces extend this one ({@code ObjectiveProvider}, {@code EncoderProvider},
 * {@code DatasetProvider}); a plug-in implements only those it has.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface NamedProvider {
    /** The stable name users select this provider by, e.g. {@code simclr}. Lower-case, dashes. */
    String name();

    /** One line saying what the provider supplies. */
    String description();

    /** The parameters it takes, with defaults and documentation; empty when it takes none. */
    List<Param<?>> parameters();

    /** The version of the provider itself, recorded in provenance. */
    default String version() {
        return "1";
    }

    /**
     * The SPI major version this provider was compiled against. Implementations return the
     * compile-time constant {@code Versions.SPI_VERSION}, which the compiler copies into the
     * plug-in's class, so a plug-in built against another SPI is detected and refused.
     */
    int spiVersion();
}
