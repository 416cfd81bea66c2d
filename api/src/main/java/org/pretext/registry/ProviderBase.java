package org.pretext.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;
import org.pretext.param.Param;

/**
 * The one base of providers (Lucene's {@code NamedSPILoader} shape): the name, the one-line
 * description and the parameters are given once, to the constructor, and everything a registry
 * asks of a provider follows from them.
 *
 * <pre>{@code
 * public final class MyObjectiveProvider extends ProviderBase implements ObjectiveProvider {
 *     static final Param<Double> TEMPERATURE = Param.ofDouble("temperature", 0.1, "softmax temperature").above(0);
 *
 *     public MyObjectiveProvider() {
 *         super(Versions.SPI_VERSION, "my-objective", "What it does, in one line", List.of(TEMPERATURE));
 *     }
 *
 *     public Objective create(ParamValues p) { ... }
 * }
 * }</pre>
 *
 * {@code Versions.SPI_VERSION} is passed by the subclass so that the compiler copies the value of
 * the api the plug-in was built against into the plug-in's own class: a jar built against another
 * SPI is then refused by name when it is loaded.
 */
@API(status = API.Status.STABLE, since = "0.2")
public abstract class ProviderBase implements NamedProvider {
    private final int spiVersion;
    private final String name;
    private final String description;
    private final List<Param<?>> parameters;

    /**
     * @param spiVersion always {@code Versions.SPI_VERSION}
     * @param name the stable name users select this provider by: lower case, digits and dashes
     * @param description one line saying what the provider supplies
     * @param parameters its parameters, in the order {@code list} shows them
     */
    protected ProviderBase(int spiVersion, String name, String description, List<? extends Param<?>> parameters) {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("provider name '" + name
                    + "' must start with a lower-case letter and hold only lower-case letters, digits and '-'");
        }
        this.spiVersion = spiVersion;
        this.name = name;
        this.description = Objects.requireNonNull(description, "description");
        this.parameters = List.copyOf(parameters);
    }

    /** Several groups of parameters as one list, e.g. a provider's own and the shared augmentation ones. */
    @SafeVarargs
    public static List<Param<?>> join(List<? extends Param<?>>... groups) {
        List<Param<?>> all = new ArrayList<>();
        for (List<? extends Param<?>> g : groups) {
            all.addAll(g);
        }
        return List.copyOf(all);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final List<Param<?>> parameters() {
        return parameters;
    }

    @Override
    public final int spiVersion() {
        return spiVersion;
    }

    @Override
    public String toString() {
        return name;
    }
}
