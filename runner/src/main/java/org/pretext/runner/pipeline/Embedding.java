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
import org.pretext.encoder.Features;
import org.pretext.text.TextDataset;

/**
 * Features of every example of a dataset's splits through a frozen encoder, written as NumPy
 * files that {@code probe --features} and {@code numpy.load} read: {@code SPLIT_features.npy}
 * (float32, n × d) and, for labelled splits, {@code SPLIT_labels.npy} (int32, n), plus
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
        if (data instanceof TextDataset) {
            throw new PretextException("embed takes image and array datasets; dataset '" + data.name() + "' is text,"
                    + " whose sentence features come from feature maps: use probe --run DIR for those");
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
        manifest.put("featureSize", source.encoder().featureSize());
        java.util.List<Path> written = new java.util.ArrayList<>();
        Map<String, Object> files = new LinkedHashMap<>();
        for (Map.Entry<String, Split> e : splits.entrySet()) {
            Split split = e.getValue();
            long n = split.size();
            int d = source.encoder().featureSize();
            Path features = out.resolve(e.getKey() + "_features.npy");
            Path labels = out.resolve(e.getKey() + "_labels.npy");
            long[] done = {0};
            long t0 = System.nanoTime();
            ProgressLines progress = ProgressLines.stderr("embedding " + e.getKey() + ": ");
            try (NpyWriter f = NpyWriter.create(features, DataType.FLOAT32, n, d);
                    NpyWriter y = split.hasLabels() ? NpyWriter.create(labels, DataType.INT32, n) : null) {
                Features.stream(source.encoder(), source.store(), split, device, batchSize, source.encoderInput(),
                        (values, rows, ys) -> {
                            f.writeFloats(values, 0, values.length);
                            if (y != null) {
                                y.writeInts(ys, 0, rows);
                            }
                            done[0] += rows;
                            double s = (System.nanoTime() - t0) / 1e9;
                            progress.accept(String.format(Locale.ROOT, "%d of %d examples, %.1f s%s", done[0], n, s,
                                    done[0] < n ? String.format(Locale.ROOT, ", about %.0f s left",
                                            s / done[0] * (n - done[0])) : ""));
                        });
            }
            progress.finish();
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
            files.put(e.getKey(), entry);
        }
        manifest.put("splits", files);
        manifest.put("provenance", source.provenance());
        Path json = out.resolve("embed.json");
        Files.writeString(json, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
                .toJson(manifest), StandardCharsets.UTF_8);
        written.add(json);
        return written;
    }

}
