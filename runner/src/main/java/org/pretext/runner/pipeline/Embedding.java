package org.pretext.runner.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.pretext.PretextException;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Dataset;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;
import org.pretext.datasets.npy.NpyWriter;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.FeatureMap;
import org.pretext.encoder.Features;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.encoder.TextFeatures;
import org.pretext.text.TextDataset;

/**
 * Features of every example of a dataset's splits through a frozen encoder (sentences through every
 * feature map), written as NumPy
 * files that {@code probe --features} and {@code numpy.load} read: {@code SPLIT_features.npy}
 * (float32, n × d) and, for labelled splits, {@code SPLIT_labels.npy} (int32, n), where the
 * dataset names its examples {@code SPLIT_ids.txt} (one per line, e.g. image paths), plus
 * {@code embed.json} naming them with the encoder's provenance. Streams: one batch in memory.
 */
public final class Embedding {
    private Embedding() {}

    /** The encoder to run, how to feed it, and where it came from. */
    public record Source(Encoder encoder, ParameterStore store, UnaryOperator<HostTensor> encoderInput,
            Provenance provenance, String description) {}

    /**
     * Writes the features of the dataset's labelled splits (train, test), or of its pretraining split
     * when it has none, into {@code out}.
     *
     * @return the files written
     */
    public static List<Path> write(Source source, Dataset data, Path out, Device device, int batchSize)
            throws IOException {
        return write(source, data, out, device, batchSize, List.of());
    }

    /**
     * As {@link #write(Source, Dataset, Path, Device, int)}; sentences of a text dataset go through
     * each of {@code featureMaps} (e.g. last-token, mean, conditional-mean), one file per map and split:
     * {@code SPLIT_MAP_features.npy}. Sentence features are gathered per split before they are written
     * (a split's sentences are sorted by length for batching).
     */
    public static List<Path> write(Source source, Dataset data, Path out, Device device, int batchSize,
            List<FeatureMap> featureMaps) throws IOException {
        SequenceEncoder sentences = null;
        if (data instanceof TextDataset) {
            if (!(source.encoder() instanceof SequenceEncoder s)) {
                throw new PretextException("Dataset '" + data.name() + "' holds sentences, but the encoder ("
                        + source.description() + ") is not a sequence encoder: expected a transformer");
            }
            if (featureMaps.isEmpty()) {
                throw new PretextException("Embedding sentences needs a feature map (pretext-objectives-lm provides"
                        + " last-token, mean and conditional-mean), and none was found");
            }
            sentences = s;
        }
        Files.createDirectories(out);
        Map<String, Split> splits = new LinkedHashMap<>();
        data.train().ifPresent(s -> splits.put("train", s));
        data.test().ifPresent(s -> splits.put("test", s));
        if (splits.isEmpty()) {
            splits.put("pretrain", data.pretrain());
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("encoder", source.description());
        manifest.put("dataset", data.name());
        java.util.List<Path> written = new java.util.ArrayList<>();
        Map<String, Object> files = new LinkedHashMap<>();
        if (sentences != null) {
            Map<String, Object> sizes = new LinkedHashMap<>();
            for (FeatureMap map : featureMaps) {
                sizes.put(map.name(), map.featureSize(sentences));
            }
            manifest.put("featureSize", sizes);
            for (Map.Entry<String, Split> e : splits.entrySet()) {
                files.put(e.getKey(), writeSentences(sentences, source.store(), featureMaps, e.getKey(), e.getValue(),
                        out, device, batchSize, written));
            }
            return finish(manifest, files, source, out, written);
        }
        manifest.put("featureSize", source.encoder().featureSize());
        for (Map.Entry<String, Split> e : splits.entrySet()) {
            Split split = e.getValue();
            long n = split.size();
            int d = source.encoder().featureSize();
            Path features = out.resolve(e.getKey() + "_features.npy");
            Path labels = out.resolve(e.getKey() + "_labels.npy");
            long[] done = {0};
            long t0 = System.nanoTime();
            Features.Progress progress = ProgressLines.examples("embedding " + e.getKey() + ": ");
            try (NpyWriter f = NpyWriter.create(features, DataType.FLOAT32, n, d);
                    NpyWriter y = split.hasLabels() ? NpyWriter.create(labels, DataType.INT32, n) : null) {
                Features.stream(source.encoder(), source.store(), split, device, batchSize, source.encoderInput(),
                        (values, rows, ys) -> {
                            f.writeFloats(values, 0, values.length);
                            if (y != null) {
                                y.writeInts(ys, 0, rows);
                            }
                            done[0] += rows;
                            progress.update(done[0], n);
                        });
            }
            System.err.printf(Locale.ROOT, "embedded %s: %d × %d in %.1f s%n", e.getKey(), n, d,
                    (System.nanoTime() - t0) / 1e9);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("features", features.getFileName().toString());
            entry.put("rows", n);
            written.add(features);
            if (split.hasLabels()) {
                entry.put("labels", labels.getFileName().toString());
                entry.put("classNames", split.classNames());
                written.add(labels);
            }
            ids(split, e.getKey(), out, entry, written);
            files.put(e.getKey(), entry);
        }
        return finish(manifest, files, source, out, written);
    }

    /** One split's sentence features through every map, and its labels. */
    private static Map<String, Object> writeSentences(SequenceEncoder encoder, ParameterStore store,
            List<FeatureMap> maps, String name, Split split, Path out, Device device, int batchSize,
            List<Path> written) throws IOException {
        long t0 = System.nanoTime();
        List<Features.Matrix> f = TextFeatures.extract(encoder, store, maps, split, device, batchSize,
                ProgressLines.extraction("sentence features (" + name + ")"));
        Map<String, Object> entry = new LinkedHashMap<>();
        Map<String, Object> byMap = new LinkedHashMap<>();
        for (int k = 0; k < maps.size(); k++) {
            Features.Matrix m = f.get(k);
            Path file = out.resolve(name + "_" + maps.get(k).name() + "_features.npy");
            try (NpyWriter w = NpyWriter.create(file, DataType.FLOAT32, m.rows(), m.cols())) {
                w.writeFloats(m.values(), 0, m.values().length);
            }
            byMap.put(maps.get(k).name(), file.getFileName().toString());
            written.add(file);
        }
        entry.put("features", byMap);
        entry.put("rows", split.size());
        if (split.hasLabels()) {
            Path labels = out.resolve(name + "_labels.npy");
            try (NpyWriter y = NpyWriter.create(labels, DataType.INT32, split.size())) {
                int[] l = split.labels();
                y.writeInts(l, 0, l.length);
            }
            entry.put("labels", labels.getFileName().toString());
            entry.put("classNames", split.classNames());
            written.add(labels);
        }
        ids(split, name, out, entry, written);
        System.err.printf(Locale.ROOT, "embedded %s: %d sentences through %d feature maps in %.1f s%n", name,
                split.size(), maps.size(), (System.nanoTime() - t0) / 1e9);
        return entry;
    }

    /** {@code SPLIT_ids.txt}, one identifier per line in row order, where the split names its examples. */
    private static void ids(Split split, String name, Path out, Map<String, Object> entry, List<Path> written)
            throws IOException {
        java.util.Optional<List<String>> ids = split.ids();
        if (ids.isPresent()) {
            Path file = out.resolve(name + "_ids.txt");
            Files.write(file, ids.get(), StandardCharsets.UTF_8);
            entry.put("ids", file.getFileName().toString());
            written.add(file);
        }
    }

    private static List<Path> finish(Map<String, Object> manifest, Map<String, Object> files, Source source, Path out,
            List<Path> written) throws IOException {
        manifest.put("splits", files);
        manifest.put("provenance", source.provenance());
        Path json = out.resolve("embed.json");
        Files.writeString(json, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
                .toJson(manifest), StandardCharsets.UTF_8);
        written.add(json);
        return written;
    }

}
