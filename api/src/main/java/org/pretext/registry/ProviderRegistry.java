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
    private final List<String> loaderProblems;

    private ProviderRegistry(String kind, Map<String, P> byName, Map<String, String> sources,
            List<String> problems, List<String> loaderProblems) {
        this.kind = kind;
        this.byName = byName;
        this.sources = sources;
        this.problems = problems;
        this.loaderProblems = loaderProblems;
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
        return load(type, kind, loader, List.of());
    }

    /**
     * Like {@link #load(Class, String, ClassLoader)}, also naming in the message of an unknown name
     * what could not be loaded before providers were looked for (e.g. a plug-in jar that is not a
     * readable ZIP), since the provider asked for may have been in it.
     *
     * @param loaderProblems such problems, each naming its jar (not repeated in {@link #problems()})
     */
    public static <P extends NamedProvider> ProviderRegistry<P> load(Class<P> type, String kind,
            ClassLoader loader, List<String> loaderProblems) {
        ClassLoader cl = loader != null ? loader : Thread.currentThread().getContextClassLoader();
        Map<String, String> declared = declarations(type, cl);
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
                String message = rootMessage(e);
                String named = declaredClassIn(message, declared);
                problems.add(kind + " provider " + (named == null ? "" : named + " listed in " + declared.get(named)
                        + " ") + "could not be loaded: " + message);
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
                Collections.unmodifiableList(problems), List.copyOf(loaderProblems));
    }

    /**
     * Which jar or folder lists each provider class in its {@code META-INF/services} file, so a
     * provider that cannot be loaded (its class is missing from the jar) is reported with the jar
     * that declared it.
     */
    private static Map<String, String> declarations(Class<?> type, ClassLoader cl) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            java.util.Enumeration<URL> files = cl.getResources("META-INF/services/" + type.getName());
            while (files.hasMoreElements()) {
                URL url = files.nextElement();
                String where = serviceFileOwner(url);
                try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                        url.openStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        int hash = line.indexOf('#');
                        String c = (hash >= 0 ? line.substring(0, hash) : line).trim();
                        if (!c.isEmpty()) {
                            out.merge(c, where, (a, b) -> a + " and " + b);
                        }
                    }
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // diagnostics only: the loader itself reports what it cannot read
        }
        return out;
    }

    /** The jar (or class folder) a {@code META-INF/services} file belongs to. */
    private static String serviceFileOwner(URL url) {
        String s = url.toString();
        if (s.startsWith("jar:")) {
            int bang = s.indexOf("!/");
            s = s.substring(4, bang < 0 ? s.length() : bang);
        } else {
            int meta = s.lastIndexOf("META-INF/services/");
            s = meta < 0 ? s : s.substring(0, meta);
        }
        try {
            return java.nio.file.Path.of(java.net.URI.create(s)).toString();
        } catch (RuntimeException e) {
            return s;
        }
    }

    /** The longest declared provider class named in a message, or null. */
    private static String declaredClassIn(String message, Map<String, String> declared) {
        String best = null;
        for (String c : declared.keySet()) {
            if (message.contains(c) && (best == null || c.length() > best.length())) {
                best = c;
            }
        }
        return best;
    }

    /** Loads with the thread's context class loader. */
    public static <P extends NamedProvider> ProviderRegistry<P> load(Class<P> type, String kind) {
        return load(type, kind, null);
    }

    /** The provider with this name, or an error listing the available names. */
    public P get(String name) {
        P p = byName.get(name);
        if (p == null) {
            List<String> all = new ArrayList<>(loaderProblems);
            all.addAll(problems);
            throw new UnknownProviderException(kind, name, byName.keySet(), all);
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
