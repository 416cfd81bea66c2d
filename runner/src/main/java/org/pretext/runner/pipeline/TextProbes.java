package org.pretext.runner.pipeline;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pretext.PretextException;
import org.pretext.data.BatchPlan;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.Features;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.runtime.EngineSetup;
import org.pretext.model.PretextModel;
import org.pretext.param.ParamValues;
import org.pretext.probe.ProbeResult;
import org.pretext.runner.config.ProbeSettings;
import org.pretext.runner.wiring.RunComponents;
import org.pretext.encoder.FeatureMap;
import org.pretext.encoder.FeatureMapProvider;
import org.pretext.text.TextDataset;
import org.pretext.encoder.TextFeatures;

/**
 * Probes for labelled sentences: every feature map found by name (last-token, mean,
 * conditional-mean: Saunshi, Malladi and Arora 2021) on the pretrained transformer and on the same
 * transformer randomly initialised, against a bag-of-words linear baseline. Feature sets are named
 * {@code pretrained/MAP}, {@code random-encoder/MAP} and {@code bag-of-words} (the text form of
 * raw-input).
 */
public final class TextProbes {
    /** Bag-of-words vectors are hashed into this many buckets when the vocabulary is larger. */
    static final int MAX_BOW_DIM = 4096;
    private final RunComponents components;
    private final TextDataset text;

    TextProbes(RunComponents components, TextDataset text) {
        this.components = components;
        this.text = text;
    }

    List<ProbeResult> probeAll(PretextModel model, ParamValues probe) {
        Split train = text.train().orElseThrow();
        Split test = text.test().orElseThrow();
        int batch = probe.get(ProbeSettings.BATCH_SIZE);
        ProbeStage probes = new ProbeStage(probe, components.config().seed(), components.device(), components.probes(),
                train.classNames(), EngineSetup.startThreads()); // one feature set at a time: its draws share the workers
        List<FeatureMap> maps = featureMaps();
        List<ProbeResult> out = new ArrayList<>();
        org.pretext.runtime.MallocTuning.forLargeArrays();
        for (String set : ProbeSettings.names(probe, ProbeSettings.FEATURES, ProbeSettings.FEATURE_SETS)) {
            releaseFreedMemory();
            long t0 = System.nanoTime();
            switch (set) {
                case "pretrained" -> out.addAll(evaluate(probes, "pretrained", sequence(model.probedEncoder()),
                        model.parameterStore(), maps, train, test, batch));
                case "random-encoder" -> {
                    EngineSetup.engine().setRandomSeed((int) components.config().seed());
                    Encoder e = components.encoders().get();
                    try (NDManager m = NDManager.newBaseManager(components.device())) {
                        e.block().initialize(m, DataType.FLOAT32, PretextModel.batched(e.inputShape(), 2));
                        out.addAll(evaluate(probes, "random-encoder", sequence(e), new ParameterStore(m, false), maps,
                                train, test, batch));
                    }
                }
                default -> out.addAll(probes.evaluate("bag-of-words", bagOfWords(train), bagOfWords(test)));
            }
            System.err.printf(Locale.ROOT, "probed %s features in %.1f s%n", set, (System.nanoTime() - t0) / 1e9);
        }
        releaseFreedMemory();
        return out;
    }

    /**
     * Between feature sets: a full collection, so the Java heap shrinks back (G1 gives up committed
     * memory only after one; the previous set's feature matrices were hundreds of MB of it) and
     * the engine's arrays that wait for collection are freed, then glibc's free memory goes back to
     * the kernel.
     */
    static void releaseFreedMemory() {
        System.gc();
        org.pretext.runtime.MallocTuning.trim();
    }

    private List<ProbeResult> evaluate(ProbeStage probes, String prefix, SequenceEncoder encoder, ParameterStore store,
            List<FeatureMap> maps, Split train, Split test, int batch) {
        List<Features.Matrix> tr = TextFeatures.extract(encoder, store, maps, train, components.device(), batch,
                ProgressLines.extraction(prefix + " sentence features (train)"));
        List<Features.Matrix> te = TextFeatures.extract(encoder, store, maps, test, components.device(), batch,
                ProgressLines.extraction(prefix + " sentence features (test)"));
        List<ProbeResult> out = new ArrayList<>();
        for (int i = 0; i < maps.size(); i++) {
            out.addAll(probes.evaluate(prefix + "/" + maps.get(i).name(), tr.get(i), te.get(i)));
        }
        return out;
    }

    private List<FeatureMap> featureMaps() {
        return featureMaps(components.featureMaps());
    }

    /** Every feature map found, each with its default parameters. */
    public static List<FeatureMap> featureMaps(org.pretext.registry.ProviderRegistry<FeatureMapProvider> found) {
        List<FeatureMap> maps = new ArrayList<>();
        for (FeatureMapProvider p : found.all().values()) {
            maps.add(p.create(ParamValues.defaults("feature map '" + p.name() + "'", p.parameters())));
        }
        if (maps.isEmpty()) {
            throw new PretextException("No feature map provider found to turn hidden states into sentence features"
                    + " (pretext-objectives-lm provides last-token, mean and conditional-mean)");
        }
        return maps;
    }

    private static SequenceEncoder sequence(Encoder e) {
        if (e instanceof SequenceEncoder s) {
            return s;
        }
        throw new PretextException("Probing sentences needs a sequence encoder (e.g. transformer), not "
                + e.getClass().getSimpleName());
    }

    /** Token counts per sentence (hashed into at most {@link #MAX_BOW_DIM} buckets), pad tokens left out. */
    Features.Matrix bagOfWords(Split split) {
        int vocab = text.tokenizer().vocabularySize();
        int dim = Math.min(vocab, MAX_BOW_DIM);
        int pad = text.tokenizer().padId();
        int n = Math.toIntExact(split.size());
        float[] out = new float[n * dim];
        int row = 0;
        var it = split.batches(BatchPlan.sequential(1024));
        while (it.hasNext()) {
            HostTensor t = it.next().inputs();
            int b = (int) t.shape().get(0);
            int len = (int) (t.shape().size() / b);
            int[] ids = t.ints();
            for (int i = 0; i < b; i++, row++) {
                for (int j = 0; j < len; j++) {
                    int id = ids[i * len + j];
                    if (id != pad) {
                        out[row * dim + Math.floorMod(id, dim)] += 1;
                    }
                }
            }
        }
        return new Features.Matrix(out, n, dim, split.labels(), split.numClasses());
    }
}
