package org.pretext.runner.wiring;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.pretext.PretextException;
import org.pretext.checkpoint.Provenance.PluginJar;
import org.pretext.registry.NamedProvider;

/**
 * The plug-in jars a run was made with: recorded in the run folder's {@code plugins.json} (and the
 * provenance) when it starts, and found again when it is resumed or probed, so that
 * {@code --resume DIR} of a run made with {@code --plugins} works without the flag while the jar
 * is where it was, and otherwise names the jar it needs.
 */
public final class RunPlugins {
    /** The file in a run folder. */
    public static final String FILE = "plugins.json";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private RunPlugins() {}

    /**
     * The providers of a run that came from plug-in jars (not from the runner's own class path).
     *
     * @param used provider kind ("objective", ...) and the provider itself
     */
    public static List<PluginJar> of(Map<String, List<? extends NamedProvider>> used) {
        List<PluginJar> out = new ArrayList<>();
        used.forEach((kind, providers) -> {
            for (NamedProvider p : providers) {
                Path jar = PluginClassLoader.pluginJarOf(p.getClass());
                if (jar != null) {
                    out.add(new PluginJar(kind, p.name(), p.version(), jar.toAbsolutePath().toString(), sha256(jar)));
                }
            }
        });
        return List.copyOf(out);
    }

    /** Writes {@code plugins.json} into the run folder (nothing when the run has no plug-in). */
    public static void write(Path runFolder, List<PluginJar> jars) throws IOException {
        if (jars.isEmpty()) {
            return;
        }
        Path file = runFolder.resolve(FILE);
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.writeString(tmp, GSON.toJson(jars), StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The jars recorded in a run folder, empty when it has none. */
    public static List<PluginJar> read(Path runFolder) {
        Path file = runFolder.resolve(FILE);
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            List<PluginJar> jars = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8),
                    new TypeToken<List<PluginJar>>() {}.getType());
            return jars == null ? List.of() : jars;
        } catch (IOException | JsonParseException e) {
            throw new PretextException("Plug-in record " + file + " could not be read: " + e.getMessage()
                    + ": expected the JSON list of plug-in jars the run was made with");
        }
    }

    /**
     * The plug-in folders to load an existing run with: the ones given, plus the folder of each
     * recorded jar that is not in them but still where the run found it (same SHA-256).
     *
     * @throws PretextException naming the provider, the jar and {@code --plugins} when a recorded jar
     *     is found nowhere
     */
    public static List<Path> foldersFor(Path runFolder, List<Path> given) {
        List<PluginJar> recorded = read(runFolder);
        if (recorded.isEmpty()) {
            return given;
        }
        Map<String, Path> bySha = new LinkedHashMap<>();
        List<Path> searched = new ArrayList<>(given);
        Path beside = PluginClassLoader.besideRunnerJar();
        if (beside != null && Files.isDirectory(beside)) {
            searched.add(beside);
        }
        for (Path dir : searched) {
            for (Path jar : jarsIn(dir)) {
                bySha.putIfAbsent(sha256(jar), jar);
            }
        }
        List<Path> folders = new ArrayList<>(given);
        for (PluginJar j : recorded) {
            if (bySha.containsKey(j.sha256())) {
                continue;
            }
            Path where = Path.of(j.jar());
            if (Files.isRegularFile(where) && sha256(where).equals(j.sha256())) {
                if (!folders.contains(where.getParent())) {
                    folders.add(where.getParent());
                }
                bySha.put(j.sha256(), where);
                continue;
            }
            String name = where.getFileName().toString();
            String changed = Files.isRegularFile(where) ? " has changed since (its SHA-256 is now "
                    + sha256(where).substring(0, 12) + "…)" : " is not there any more";
            throw new PretextException("Run folder " + runFolder + " was made with " + j.kind() + " '" + j.provider()
                    + "' (version " + j.version() + ") from plug-in jar " + name + " (SHA-256 "
                    + j.sha256().substring(0, 12) + "…); " + where + changed + (given.isEmpty() ? ""
                    : " and no jar in " + given + " matches")
                    + ": pass the folder that holds that jar with --plugins DIR");
        }
        return folders;
    }

    private static List<Path> jarsIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.toString().endsWith(".jar") && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            throw new PretextException("Plugin folder " + dir + " could not be read: " + e.getMessage(), e);
        }
    }

    /** The SHA-256 of a file, hex. */
    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new PretextException("Plug-in jar " + file + " could not be read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
