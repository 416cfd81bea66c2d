package org.pretext.runner.wiring;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.pretext.PretextException;

/**
 * The class loader providers are found with: the runner's own class path, plus the jars of a
 * {@code plugins/} folder beside the runner jar and of folders named with {@code --plugins}. Jars
 * load from nowhere else. A jar that is not a readable ZIP is left out and reported by name
 * ({@link #problems}); the JDK's class loader would skip it silently.
 */
public final class PluginClassLoader {
    private PluginClassLoader() {}

    /** The loader over plug-in jars, remembering the jars it had to leave out. */
    private static final class Loader extends URLClassLoader {
        private final List<String> problems;

        Loader(URL[] urls, ClassLoader parent, List<String> problems) {
            super(urls, parent);
            this.problems = List.copyOf(problems);
        }
    }

    /** A loader over the jars of the given folders (missing default folder ignored, missing named folder an error). */
    public static ClassLoader create(List<Path> namedFolders) {
        List<URL> urls = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Path beside = besideRunnerJar();
        if (beside != null && Files.isDirectory(beside)) {
            urls.addAll(jars(beside, problems));
        }
        for (Path dir : namedFolders) {
            if (!Files.isDirectory(dir)) {
                throw new PretextException("Plugin folder " + dir + " does not exist or is not a folder");
            }
            urls.addAll(jars(dir, problems));
        }
        ClassLoader parent = PluginClassLoader.class.getClassLoader();
        return urls.isEmpty() && problems.isEmpty() ? parent
                : new Loader(urls.toArray(URL[]::new), parent, problems);
    }

    /** The plug-in jars a loader made by {@link #create} left out, each with its path and what is wrong. */
    public static List<String> problems(ClassLoader loader) {
        return loader instanceof Loader l ? l.problems : List.of();
    }

    /**
     * The plug-in jar a class was loaded from by a loader of {@link #create}, or null for a class of
     * the runner's own class path.
     */
    static Path pluginJarOf(Class<?> c) {
        if (!(c.getClassLoader() instanceof Loader)) {
            return null;
        }
        try {
            var cs = c.getProtectionDomain().getCodeSource();
            return cs == null ? null : Path.of(cs.getLocation().toURI());
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** The {@code plugins} folder beside the jar the runner was started from, or null when run from classes. */
    static Path besideRunnerJar() {
        try {
            var cs = PluginClassLoader.class.getProtectionDomain().getCodeSource();
            if (cs == null) {
                return null;
            }
            Path self = Path.of(cs.getLocation().toURI());
            return self.toString().endsWith(".jar") ? self.getParent().resolve("plugins") : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static List<URL> jars(Path dir, List<String> problems) {
        try (Stream<Path> s = Files.list(dir)) {
            List<URL> out = new ArrayList<>();
            for (Path p : s.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(p.toFile())) {
                    z.size();
                } catch (IOException | RuntimeException e) {
                    problems.add("plug-in jar " + p.toAbsolutePath() + " cannot be read as a jar ("
                            + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                            + "); its providers are not loaded");
                    continue;
                }
                out.add(p.toUri().toURL());
            }
            return out;
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new PretextException("Plugin folder " + dir + " could not be read: " + e.getMessage(), e);
        }
    }
}
