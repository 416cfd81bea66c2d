package org.pretext.registry;

import org.apiguardian.api.API;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.pretext.PretextException;
import org.pretext.Versions;

/**
 * The providers of one kind found by {@link ServiceLoader}, looked up by name.
 *
 * <p>A miss lists the available names; two providers with one name stop with both jars named; a
 * provider that fails to load (its constructor throws, its jar lacks a class, it was built against
 * another SPI version) is reported by jar and class in {@link #problems()} while the others still
 * work.
 *
 * @param <P> the provider interface
 */
@API(status = API.Status.STABLE, since = "0.1")
public final class ProviderRegistry<P extends NamedProvider> {
    private final String kind;
    private final Map<String, P> byName;
    private final Map<String, String> sources;
    private final List<String> problems;

    private ProviderRegistry(String kind, Map<String, P> byName, Map<String, String> sources,
            List<String> problems) {
        this.kind = kind;
        this.byName = byName;
        this.sources = sources;
        this.problems = problems;
    }

    /**
     * Loads every provider of a kind visible to a class loader.
     *
     * @param type the provider interface
     * @param kind a word for messages, e.g. "objective"
     * @param loader where to look; the thread's context class loader when null
     */
    public static <P extends NamedProvider> ProviderRegistry<P> load(Class<P> type, String kind,
            ClassLoader loader) {
        ClassLoader cl = loader != null ? loader : Thread.currentThread().getContextClassLoader();
        Map<String, P> byName = new TreeMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        Iterator<ServiceLoader.Provider<P>> it = ServiceLoader.load(type, cl).stream().iterator();
        while (true) {
            ServiceLoader.Provider<P> handle;
            try {
                if (!it.hasNext()) {
                    break;
                }
                handle = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                problems.add(kind + " provider could not be loaded: " + rootMessage(e));
                continue;
            }
            String cls = "?";
            String jar = "?";
            try {
                cls = handle.type().getName();
                jar = locationOf(handle.type());
                P p = handle.get();
                if (p.spiVersion() != Versions.SPI_VERSION) {
                    problems.add(kind + " provider " + cls + " in " + jar + " was built against SPI version "
                            + p.spiVersion() + " but this Pretext has SPI version " + Versions.SPI_VERSION
                            + "; rebuild the plug-in against pretext-api " + Versions.pretext());
                    continue;
                }
                String name = p.name();
                P previous = byName.get(name);
                if (previous != null) {
                    throw new PretextException("Two " + kind + " providers are named '" + name + "': "
                            + previous.getClass().getName() + " in " + sources.get(name) + " and "
                            + cls + " in " + jar + ". Remove one of the jars from the classpath.");
                }
                byName.put(name, p);
                sources.put(name, jar);
            } catch (PretextException e) {
                throw e;
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                problems.add(kind + " provider " + cls + " in " + jar + " failed to load: " + rootMessage(e));
            }
        }
        return new ProviderRegistry<>(kind, Collections.unmodifiableMap(byName), sources,
                Collections.unmodifiableList(problems));
    }

    /** Loads with the thread's context class loader. */
    public static <P extends NamedProvider> ProviderRegistry<P> load(Class<P> type, String kind) {
        return load(type, kind, null);
    }

    /** The provider with this name, or an error listing the available names. */
    public P get(String name) {
        P p = byName.get(name);
        if (p == null) {
            throw new UnknownProviderException(kind, name, byName.keySet());
        }
        return p;
    }

    /** All providers by name, sorted. */
    public Map<String, P> all() {
        return byName;
    }

    /** Where a provider's class was loaded from (a jar or folder path). */
    public String sourceOf(String name) {
        return sources.getOrDefault(name, "?");
    }

    /** Providers that failed to load, each naming its class and jar. */
    public List<String> problems() {
        return problems;
    }

    /** The word for this kind of provider, e.g. "objective". */
    public String kind() {
        return kind;
    }

    private static String locationOf(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        URL url = cs == null ? null : cs.getLocation();
        return url == null ? "(unknown location)" : url.getPath();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            sb.append(" <- ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        return sb.toString();
    }
}
