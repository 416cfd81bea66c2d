package org.pretext.runner;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pretext.Versions;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.data.IndexedSplit;
import org.pretext.data.Split;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderBase;

/**
 * A dataset as a plug-in writes one, against api alone: {@code .pets} files, one example a line
 * ("label v1 v2 ..."), recognised by their suffix so that {@code run --dataset x.pets} finds it.
 * Registered only by the plug-in jar {@link OwnDataTest} builds, never on the test class path.
 */
public final class PetsDatasetProvider extends ProviderBase implements DatasetProvider {
    static final Param<Path> FILE = Param.ofPath("file", null, "a .pets file, one example a line: label v1 v2 ...")
            .required();

    public PetsDatasetProvider() {
        super(Versions.SPI_VERSION, "pets", "pet measurements in .pets files", List.of(FILE));
    }

    @Override
    public boolean recognises(Path path) {
        return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".pets");
    }

    @Override
    public Dataset open(ParamValues params) {
        Path file = params.get(FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int d = lines.get(0).trim().split("\\s+").length - 1;
        float[] x = new float[lines.size() * d];
        int[] y = new int[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            String[] v = lines.get(i).trim().split("\\s+");
            y[i] = Integer.parseInt(v[0]);
            for (int j = 0; j < d; j++) {
                x[i * d + j] = Float.parseFloat(v[j + 1]);
            }
        }
        IndexedSplit all = IndexedSplit.ofFloats(x, new Shape(d), y, IndexedSplit.numberedClasses(2));
        return new Pets(all.unlabelled(), Optional.of(all), Optional.of(all), Map.of("file", file.toString()));
    }

    /** A record implements {@link Dataset} by its components. */
    private record Pets(Split pretrain, Optional<Split> train, Optional<Split> test, Map<String, String> provenance)
            implements Dataset {
        @Override
        public String name() {
            return "pets";
        }
    }
}
