package org.pretext.datasets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.pretext.PretextException;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;
import org.pretext.datasets.store.PathKinds;

/**
 * Which dataset provider reads a path, for {@code run --dataset PATH}: the one provider, among all
 * on the class path (plug-ins included), that {@link DatasetProvider#recognises recognises} it. The
 * built-in ones recognise MNIST-style IDX folders ({@code idx}), CIFAR binaries ({@code cifar}),
 * {@code .npy} files or folders of them ({@code npy}), {@code .csv}/{@code .tsv} files or folders
 * of them ({@code csv}), folders of images ({@code images}) and {@code .txt} files or folders of
 * nothing else ({@code text}). A path no provider or several providers recognise is an error that
 * names the path, what it holds and what each provider that reads files expects.
 */
public final class DatasetPaths {
    /**
     * The provider to open a path with, and its parameters (for {@link ParamValues#resolve}).
     *
     * @param provider the dataset provider's name
     * @param params its parameters
     * @param reason what was recognised (the provider's description), for a log line
     */
    public record Resolved(String provider, Map<String, Object> params, String reason) {}

    private DatasetPaths() {}

    /** {@link #resolve(Path, Collection)} among the providers of the thread's context class loader. */
    public static Resolved resolve(Path path) {
        return resolve(path, providers().all().values());
    }

    /**
     * Which of {@code providers} reads {@code path}.
     *
     * @throws PretextException when the path does not exist, or no provider or several recognise it
     */
    public static Resolved resolve(Path path, Collection<? extends DatasetProvider> providers) {
        if (!Files.exists(path)) {
            throw new PretextException("Dataset path " + path + " does not exist: expected a dataset name (see"
                    + " `list`) or a folder or file of data");
        }
        List<DatasetProvider> claim = new ArrayList<>();
        for (DatasetProvider p : providers) {
            boolean mine;
            try {
                mine = p.recognises(path);
            } catch (RuntimeException e) {
                throw new PretextException("Dataset provider '" + p.name() + "' failed while looking at " + path
                        + ": " + e, e);
            }
            if (mine) {
                claim.add(p);
            }
        }
        if (claim.size() == 1) {
            DatasetProvider p = claim.get(0);
            return new Resolved(p.name(), new LinkedHashMap<>(p.parametersFor(path)), p.description());
        }
        if (claim.isEmpty()) {
            throw new PretextException("Could not tell what dataset " + path + " holds: no dataset provider recognises"
                    + " it. " + expectations(providers) + " " + path + " holds " + describe(path) + ". Or name the"
                    + " provider: --dataset NAME --set dataset.KEY=" + path + " (see `list`).");
        }
        throw new PretextException("Dataset path " + path + " is recognised by " + claim.size() + " providers ("
                + claim.stream().map(DatasetProvider::name).collect(Collectors.joining(", ")) + "): "
                + expectations(claim) + " Choose one: --dataset NAME --set dataset.KEY=" + path + ".");
    }

    /**
     * Opens the data at a path with the provider {@link #resolve} picks, from code:
     * {@code Dataset d = DatasetPaths.open(Path.of("my-photos"), Map.of("size", "64"));}
     *
     * @param overrides more parameters of that provider (e.g. {@code size}, {@code test-fraction})
     */
    public static Dataset open(Path path, Map<String, ?> overrides) {
        ProviderRegistry<DatasetProvider> registry = providers();
        Resolved r = resolve(path, registry.all().values());
        DatasetProvider provider = registry.get(r.provider());
        Map<String, Object> raw = new LinkedHashMap<>(r.params());
        raw.putAll(overrides);
        return provider.open(ParamValues.resolve("dataset '" + r.provider() + "'", provider.parameters(), raw));
    }

    /** {@link #open(Path, Map)} with the provider's defaults. */
    public static Dataset open(Path path) {
        return open(path, Map.of());
    }

    private static ProviderRegistry<DatasetProvider> providers() {
        return ProviderRegistry.load(DatasetProvider.class, "dataset", null);
    }

    /** "Expected: idx: a folder ...; npy: ..." for the providers with a path parameter. */
    private static String expectations(Collection<? extends DatasetProvider> providers) {
        List<String> parts = new ArrayList<>();
        for (DatasetProvider p : providers) {
            for (Param<?> param : p.parameters()) {
                if (param.type() == Param.Type.PATH || param.name().equals("path") || param.name().equals("dir")) {
                    parts.add(p.name() + " (" + param.name() + "): "
                            + param.description().replace(" (required)", ""));
                    break;
                }
            }
        }
        return "Providers that read files expect: " + String.join("; ", parts) + ".";
    }

    private static String describe(Path path) {
        if (Files.isRegularFile(path)) {
            return "a file of " + sizeOf(path) + " bytes";
        }
        List<Path> entries = PathKinds.entries(path);
        List<Path> files = entries.stream().filter(Files::isRegularFile).toList();
        List<Path> folders = entries.stream().filter(Files::isDirectory).toList();
        if (files.isEmpty() && folders.isEmpty()) {
            return "nothing (it is empty)";
        }
        List<String> parts = new ArrayList<>();
        if (!files.isEmpty()) {
            parts.add(files.size() + " file" + (files.size() == 1 ? "" : "s") + " (e.g. " + names(files) + ")");
        }
        if (!folders.isEmpty()) {
            parts.add(folders.size() + " folder" + (folders.size() == 1 ? "" : "s") + " (e.g. " + names(folders)
                    + ")");
        }
        return String.join(" and ", parts);
    }

    private static String names(List<Path> paths) {
        return paths.stream().limit(3).map(p -> p.getFileName().toString()).collect(Collectors.joining(", "));
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
