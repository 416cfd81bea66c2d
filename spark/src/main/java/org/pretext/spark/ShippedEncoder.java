package org.pretext.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apiguardian.api.API;
import org.pretext.PretextException;
import org.pretext.checkpoint.ExportedEncoder;
import org.pretext.param.ParamValues;
import org.pretext.data.IndexedSplit;
import org.pretext.datasets.text.TokenizedTextDataset;
import org.pretext.encoder.FeatureMap;
import org.pretext.encoder.FeatureMapProvider;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.encoder.TextFeatures;
import org.pretext.registry.ProviderRegistry;
import org.pretext.runtime.EngineThreads;

/**
 * An exported encoder file ({@link ExportedEncoder}) shipped to the executors once, as a Spark
 * broadcast of its bytes, and loaded once per executor JVM: the first task of a JVM that needs it
 * writes the bytes into Spark's own scratch folder of that JVM ({@link SparkFiles#getRootDirectory()})
 * under their SHA-256 and loads them; every later task and partition of that JVM reuses the loaded
 * encoder from a static cache keyed by the hash. Serializable: it travels inside the tasks' closures
 * as the hash and a broadcast handle (a few bytes), never as the weights.
 *
 * <p>The tasks of an executor run their batches through the loaded encoder at once
 * ({@link #features}), each on as many engine threads as Spark gives a task cores
 * ({@code spark.task.cpus}, default 1): an executor's cores are shared out by Spark's scheduler, not
 * by tasks taking turns with every core each. On 2 cores (local[2]) this ran the default MLP's rows
 * 1.2-1.35 times as fast as tasks taking turns, one batch at a time on two engine threads
 * (BENCHMARKS.md, "Embedding and probing on Spark").
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class ShippedEncoder implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Map<String, ExportedEncoder> LOADED = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();
    private static final Map<String, FeatureMap> MAPS = new ConcurrentHashMap<>();

    private final String sha256;
    private final String name;
    private final Broadcast<byte[]> bytes;
    private final long[] inputShape;
    private final int featureSize;

    private ShippedEncoder(String sha256, String name, Broadcast<byte[]> bytes, long[] inputShape, int featureSize) {
        this.sha256 = sha256;
        this.name = name;
        this.bytes = bytes;
        this.inputShape = inputShape;
        this.featureSize = featureSize;
    }

    /**
     * Reads, checks (by loading it on the driver, so a damaged or foreign file fails here, naming
     * it) and broadcasts an exported encoder file.
     *
     * @throws PretextException naming the file when it cannot be read or is not an exported encoder
     */
    public static ShippedEncoder ship(JavaSparkContext sc, Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PretextException("Cannot read the encoder file " + file + ": " + e.getMessage(), e);
        }
        String hash = sha256(content);
        long[] shape;
        int d;
        ExportedEncoder enc = local(hash, file);
        shape = enc.encoder().inputShape().getShape();
        d = enc.encoder().featureSize();
        return new ShippedEncoder(hash, file.getFileName().toString(), sc.broadcast(content), shape, d);
    }

    /** The encoder's input shape, e.g. (1, 28, 28) or (784). */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /** Values per input example. */
    public int inputSize() {
        long s = 1;
        for (long x : inputShape) {
            s *= x;
        }
        return Math.toIntExact(s);
    }

    /** Width of the features. */
    public int featureSize() {
        return featureSize;
    }

    /** SHA-256 of the encoder file, hex. */
    public String sha256() {
        return sha256;
    }

    /** The file name it was shipped from. */
    public String name() {
        return name;
    }

    /**
     * Features (n × featureSize, row-major) of {@code n} examples given flattened in {@code inputs}
     * (the first {@code n × inputSize} values; the rest is ignored); on an executor, loads the encoder
     * on first use in this JVM. The batch goes to the engine without a copy per example; every array
     * of the batch is freed before this returns.
     */
    public float[] features(float[] inputs, int n) {
        ExportedEncoder enc = loaded();
        onTaskCores();
        return enc.features(inputs, n);
    }

    /**
     * Features (n × {@link #featureSize(String)}, row-major) of sentences through a shipped sequence
     * encoder: each sentence tokenised by the encoder's own tokenizer and padded as the runner's
     * sentence datasets do ({@link TokenizedTextDataset#sentenceRows}), then turned into one vector by
     * the named feature map ({@code mean}, {@code last-token}, {@code conditional-mean}, or a plug-in's)
     * with its default parameters, as {@code pretext embed} computes them ({@link TextFeatures}: batched
     * by length, a sentence longer than the context keeps its last tokens). Every array is freed
     * before this returns.
     *
     * @throws PretextException when the encoder is not a sequence encoder with a tokenizer, or no
     *     feature map has that name (the message lists those found)
     */
    public float[] sentenceFeatures(List<String> sentences, String featureMap, int batchSize) {
        ExportedEncoder enc = loaded();
        onTaskCores();
        SequenceEncoder encoder = sequenceEncoder(enc);
        IndexedSplit rows = TokenizedTextDataset.sentenceRows(encoder.tokenizer().orElseThrow(), sentences, null,
                List.of());
        return TextFeatures.extract(encoder, enc.parameterStore(), List.of(featureMap(featureMap)), rows,
                ai.djl.Device.cpu(), batchSize).get(0).values();
    }

    /** Width of the sentence features the named feature map gives with this (sequence) encoder. */
    public int featureSize(String featureMap) {
        return featureMap(featureMap).featureSize(sequenceEncoder(loaded()));
    }

    /** On a task's thread, the engine threads of the task's own cores; elsewhere (the driver) as it is. */
    private static void onTaskCores() {
        TaskContext task = TaskContext.get();
        if (task != null) {
            EngineThreads.keep(task.cpus());
        }
    }

    private SequenceEncoder sequenceEncoder(ExportedEncoder enc) {
        if (!(enc.encoder() instanceof SequenceEncoder s) || s.tokenizer().isEmpty()) {
            throw new PretextException("Encoder " + name + " is not a sequence encoder with a tokenizer (its input"
                    + " shape is " + java.util.Arrays.toString(inputShape) + "): sentences need an encoder trained on"
                    + " text, e.g. transformer");
        }
        return s;
    }

    /** The feature map of a name, with its default parameters, made once per JVM. */
    private static FeatureMap featureMap(String name) {
        return MAPS.computeIfAbsent(name, n -> {
            FeatureMapProvider p = ProviderRegistry.load(FeatureMapProvider.class, "feature map",
                    ShippedEncoder.class.getClassLoader()).get(n);
            return p.create(ParamValues.defaults("feature map '" + p.name() + "'", p.parameters()));
        });
    }

    /** How many encoder files this JVM has loaded (each distinct file once). */
    public static int loadsInThisJvm() {
        return LOADS.get();
    }

    /** Frees every encoder this JVM loaded (tests, or a long-lived driver that is done). */
    public static void unloadAll() {
        LOADED.values().forEach(ExportedEncoder::close);
        LOADED.clear();
    }

    private ExportedEncoder loaded() {
        ExportedEncoder e = LOADED.get(sha256);
        if (e != null) {
            return e;
        }
        synchronized (LOADED) {
            e = LOADED.get(sha256);
            if (e == null) {
                Path dir = Path.of(SparkFiles.getRootDirectory());
                Path file = dir.resolve("pretext-" + sha256 + ".encoder");
                try {
                    if (!Files.exists(file)) {
                        Path tmp = Files.createTempFile(dir, "pretext-", ".part");
                        Files.write(tmp, bytes.value());
                        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    }
                } catch (IOException ex) {
                    throw new UncheckedIOException("Cannot write the shipped encoder " + name + " to " + file, ex);
                }
                e = local(sha256, file);
            }
            return e;
        }
    }

    /** The cached encoder of a hash, loading it from {@code file} the first time. */
    private static ExportedEncoder local(String hash, Path file) {
        return LOADED.computeIfAbsent(hash, h -> {
            LOADS.incrementAndGet();
            return ExportedEncoder.load(file, ai.djl.Device.cpu(), ShippedEncoder.class.getClassLoader());
        });
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
