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
 * load from nowhere else.
 */
public final class PluginClassLoader {
    private PluginClassLoader() {}

    /** A loader over the jars of the given folders (missing default folder ignored, missing named folder an error). */
    public static ClassLoader create(List<Path> namedFolders) {
        List<URL> urls = new ArrayList<>();
        Path beside = besideRunnerJar();
        if (beside != null && Files.isDirectory(beside)) {
            urls.addAll(jars(beside));
        }
        for (Path dir : namedFolders) {
            if (!Files.isDirectory(dir)) {
                throw new PretextException("Plugin folder " + dir + " does not exist or is not a folder");
            }
            urls.addAll(jars(dir));
        }
        ClassLoader parent = PluginClassLoader.class.getClassLoader();
        return urls.isEmpty() ? parent : new URLClassLoader(urls.toArray(URL[]::new), parent);
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

    private static List<URL> jars(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<URL> out = new ArrayList<>();
            for (Path p : s.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
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
