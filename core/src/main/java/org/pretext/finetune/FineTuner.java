package org.pretext.finetune;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.pretext.PretextException;
import org.pretext.Seeds;
import org.pretext.checkpoint.CheckpointStore;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.HostTensor;
import org.pretext.data.IndexedSplit;
import org.pretext.data.Split;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.TextFeatures;
import org.pretext.engine.Scalars;
import org.pretext.model.PretextModel;
import org.pretext.objective.Model;
import org.pretext.objective.StepContext;
import org.pretext.runtime.EngineArrays;
import org.pretext.runtime.EngineSetup;
import org.pretext.runtime.MixedPrecision;
import org.pretext.training.optimizer.AdamW;
import org.pretext.training.optimizer.LearningRateSchedule;

/**
 * Fine-tuning of one draw: an encoder (pretrained weights, or its random initialisation) and a new
 * classifier head ({@link ClassifierObjective}) trained end to end with cross-entropy on the
 * draw's labelled rows, then scored on the test split.
 *
 * <p>Each epoch visits the training rows in a seeded order, in full batches (a draw with fewer rows
 * than a batch trains on all of them each step); optionally each example is augmented first with
 * a stream seeded by (seed, epoch, row). AdamW updates the head at {@code headLearningRate} and
 * the encoder's blocks ({@link EncoderLayers}) at {@code encoderLearningRate}·decay^(G−1−g) for
 * block g of G, the peak rates decaying by a cosine to 0 over all planned steps; the first
 * {@code freezeBlocks} blocks are left out of the optimizer and keep their weights bit for bit
 * (BatchNorm running statistics in a frozen block still move in training mode, as in PyTorch).
 * With early stopping, a stratified part of the draw's labels is held out, the best epoch's
 * weights are kept and put back at the end ({@link EarlyStopping}).
 *
 * <p>Every array a step makes belongs to that step's sub-manager and is freed at its end. With a
 * checkpoint folder, the first epoch to end {@link #DEFAULT_CHECKPOINT_SECONDS} seconds after the
 * previous checkpoint ends with an atomic, checksummed one ({@link CheckpointStore}: model,
 * optimizer, early-stopping record; {@link #withCheckpointSeconds}); a draw run again with the same folder resumes from the
 * newest one and ends with the same weights and accuracy, bit for bit, as one never interrupted.
 * The same seed gives the same numbers.
 *
 * <p>Sentences (a text dataset's token rows) fine-tune as sequence classification through
 * {@link TokenRows}: each keeps its last {@code context} tokens and the sequence encoder pools its
 * hidden states itself. With {@link FinetuneOptions#noise()} the encoder's trainable parameters get
 * NoisyTune's uniform noise once before the first step ({@link UniformNoise}) or PATS's
 * sensitivity-aware Gaussian noise after every update ({@link PatsNoise}, its state checkpointed).
 * After training, {@link Outcome#sensitivities()} describes the fine-tuned encoder's sensitivities.
 * With {@link FinetuneOptions#precision()} {@code bf16} the training steps' encoder calls run in
 * mixed precision as pretraining's do ({@link MixedPrecision}); held-out and test accuracy, and PATS's
 * final sensitivities, are computed in float32.
 */
public final class FineTuner {
    private final FinetuneOptions options;
    private final Device device;
    private final Consumer<String> progress;
    private final IntConsumer epochEnd;
    private final Consumer<PretextModel> inspector;
    private final double checkpointSeconds;

    /** Seconds between checkpoints by default: an epoch of a small draw is far shorter than writing one. */
    public static final double DEFAULT_CHECKPOINT_SECONDS = 30;

    public FineTuner(FinetuneOptions options, Device device) {
        this(options, device, line -> { }, epoch -> { }, model -> { }, DEFAULT_CHECKPOINT_SECONDS);
    }

    private FineTuner(FinetuneOptions options, Device device, Consumer<String> progress, IntConsumer epochEnd,
            Consumer<PretextModel> inspector, double checkpointSeconds) {
        this.options = options;
        this.device = device;
        this.progress = progress;
        this.epochEnd = epochEnd;
        this.inspector = inspector;
        this.checkpointSeconds = checkpointSeconds;
    }

    /**
     * This tuner checkpointing at the end of the first epoch that ends at least {@code seconds} after
     * the previous checkpoint (or the start); 0 checkpoints every epoch. Where checkpoints fall does
     * not change the numbers: a resumed draw continues exactly.
     */
    public FineTuner withCheckpointSeconds(double seconds) {
        return new FineTuner(options, device, progress, epochEnd, inspector, seconds);
    }

    /** This tuner telling {@code lines} how each epoch went. */
    public FineTuner withProgress(Consumer<String> lines) {
        return new FineTuner(options, device, lines, epochEnd, inspector, checkpointSeconds);
    }

    /** This tuner calling {@code listener} with the number of epochs done after each epoch's checkpoint. */
    public FineTuner withEpochListener(IntConsumer listener) {
        return new FineTuner(options, device, progress, listener, inspector, checkpointSeconds);
    }

    /** This tuner showing {@code look} the trained model (best weights put back) before it is closed. */
    public FineTuner withInspector(Consumer<PretextModel> look) {
        return new FineTuner(options, device, progress, epochEnd, look, checkpointSeconds);
    }

    public FinetuneOptions options() {
        return options;
    }

    /**
     * Where fine-tuning starts.
     *
     * @param encoders new encoders of the architecture (uninitialised)
     * @param encoderName the encoder provider's name, for messages and checkpoints
     * @param encoderInput what the encoder sees of a batch of raw examples (the pretraining objective's
     *     {@code encoderInput}; identity for most)
     * @param weights the encoder's pretrained parameter values by name, or null for its random
     *     initialisation
     */
    public record Start(Supplier<Encoder> encoders, String encoderName, UnaryOperator<HostTensor> encoderInput,
            Map<String, float[]> weights) {
        /** The same start from the encoder's random initialisation. */
        public Start random() {
            return new Start(encoders, encoderName, encoderInput, null);
        }

        /** Host copies of an initialised encoder's parameters, by name. */
        public static Map<String, float[]> weightsOf(Encoder encoder) {
            Map<String, float[]> w = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : encoder.block().getParameters()) {
                w.put(p.getKey(), p.getValue().getArray().toFloatArray());
            }
            return w;
        }
    }

    /**
     * What a draw gave.
     *
     * @param testAccuracy accuracy on the whole test split
     * @param trainRows labelled rows trained on
     * @param heldOutRows labelled rows held out for early stopping (0 without)
     * @param epochs epochs trained (fewer than planned when early stopping ended the draw)
     * @param bestEpoch the epoch whose weights were kept (the last without early stopping)
     * @param heldOutAccuracy the held-out accuracy of that epoch, NaN without early stopping
     * @param resumedAtEpoch the epoch a checkpoint resumed the draw at (0: from the start)
     * @param seconds wall time of this call
     * @param sensitivities the distribution of the fine-tuned encoder's parameter sensitivities
     *     |θ·∂L/∂θ| on the draw's training rows (the gradient of their mean loss, inference mode)
     */
    public record Outcome(double testAccuracy, int trainRows, int heldOutRows, int epochs, int bestEpoch,
            double heldOutAccuracy, int resumedAtEpoch, double seconds, Sensitivities sensitivities) {}

    /**
     * Fine-tunes on the given rows of {@code train} and scores on {@code test}.
     *
     * @param rows the draw's labelled rows of {@code train}
     * @param seed fixes head initialisation, hold-out, order, augmentation and dropout
     * @param checkpoints the draw's checkpoint folder, or null for none
     * @param provenance recorded in the checkpoints (its objective and encoder are checked on resume)
     */
    public Outcome run(Start start, Split train, int[] rows, Split test, long seed, Path checkpoints,
            Provenance provenance) {
        long t0 = System.nanoTime();
        if (!train.hasLabels() || !test.hasLabels()) {
            throw new PretextException("Fine-tuning needs labelled training and test splits");
        }
        int numClasses = Math.max(train.numClasses(), test.numClasses());
        int[] labels = train.labels();
        int[][] parts = options.earlyStoppingFraction() > 0
                ? FinetuneBudget.holdOut(rows, labels, numClasses, options.earlyStoppingFraction(), seed)
                : new int[][] {rows, new int[0]};
        Batch fit = rowsOf(train, parts[0]);
        Batch held = parts[1].length > 0 ? rowsOf(train, parts[1]) : null;
        Shape exampleShape = fit.inputs().shape().slice(1);
        TokenRows tokens = null;
        Shape encoderShape;
        if (fit.inputs().dataType() != DataType.FLOAT32) {
            tokens = TokenRows.of(start.encoders().get(), exampleShape);
            encoderShape = new Shape(tokens.context());
        } else {
            HostTensor probe = start.encoderInput().apply(HostTensor.of(new float[Math.toIntExact(exampleShape.size())],
                    PretextModel.batched(exampleShape, 1)));
            encoderShape = probe.shape().slice(1);
        }
        ClassifierObjective objective = new ClassifierObjective(numClasses, options.hidden());
        List<List<String>> groups = new ArrayList<>();
        try (PretextModel model = PretextModel.create(start.encoders(), start.encoderName(), objective, encoderShape,
                device, Seeds.derive(seed, 0x1a17L), e -> prepareEncoder(e, start.weights(), groups))) {
            Outcome o = train(model, objective, start, tokens, fit, held, test, seed, checkpoints, provenance, groups,
                    t0);
            inspector.accept(model);
            return o;
        }
    }

    /** Copies the pretrained weights in and freezes the first blocks; records the blocks. */
    private void prepareEncoder(Encoder e, Map<String, float[]> weights, List<List<String>> groups) {
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : e.block().getParameters()) {
            params.put(p.getKey(), p.getValue());
        }
        if (weights != null) {
            if (!weights.keySet().equals(params.keySet())) {
                throw new PretextException("The pretrained weights hold parameters " + weights.keySet()
                        + " but the encoder has " + params.keySet());
            }
            weights.forEach((k, v) -> {
                NDArray a = params.get(k).getArray();
                if (a.getShape().size() != v.length) {
                    throw new PretextException("Pretrained parameter '" + k + "' has " + v.length + " values; the"
                            + " encoder's has shape " + a.getShape());
                }
                EngineArrays.copyInto(a, v);
            });
        }
        groups.addAll(EncoderLayers.of(new ArrayList<>(params.keySet())));
        for (int g = 0; g < Math.min(options.freezeBlocks(), groups.size()); g++) {
            for (String name : groups.get(g)) {
                params.get(name).freeze(true);
            }
        }
    }

    private Outcome train(PretextModel model, ClassifierObjective objective, Start start, TokenRows tokens, Batch fit,
            Batch held, Split test, long seed, Path checkpoints, Provenance provenance, List<List<String>> groups,
            long t0) {
        Engine engine = EngineSetup.engine();
        int n = fit.size();
        int batch = Math.min(options.batchSize(), n);
        long perEpoch = n / batch;
        long total = perEpoch * options.epochs();
        LearningRateSchedule schedule = LearningRateSchedule.warmupCosine(options.headLearningRate(), 0, total, 0.0);
        CheckpointStore store = checkpoints == null ? null : new CheckpointStore(checkpoints, 2);
        try (AdamW optimizer = new AdamW(0.9, 0.999, 1e-8, options.weightDecay())) {
            optimizer.attach(model.trainableParameters(), model.manager());
            optimizer.setLearningRateScales(rateScales(model, groups));
            Map<String, Parameter> encoderParams = encoderParameters(model);
            FinetuneNoise noise = options.noise();
            PatsNoise pats = noise.kind() == FinetuneNoise.Kind.PATS
                    ? new PatsNoise(noise.lambda(), noise.beta(), encoderParams, model.manager()) : null;
            objective.noise = pats;
            Optional<MixedPrecision> precision = MixedPrecision.forSteps(options.precision(),
                    FinetuneOptions.PRECISION_KEY, model.device());
            int startEpoch = 0;
            if (store != null) {
                Optional<Long> restored = store.restoreLatest(model, optimizer, provenance);
                for (String s : store.skipped()) {
                    System.err.println("warning: skipped damaged fine-tuning checkpoint: " + s);
                }
                try {
                    store.setAsideDamaged();
                } catch (IOException e) {
                    throw new UncheckedIOException("Moving damaged checkpoints aside in " + store.dir() + " failed", e);
                }
                startEpoch = restored.orElse(0L).intValue();
            }
            if (startEpoch == 0 && noise.kind() == FinetuneNoise.Kind.UNIFORM) {
                // once, before fine-tuning; a resumed draw's checkpoint holds the perturbed weights
                engine.setRandomSeed((int) Seeds.derive(seed, 0x4015eL));
                try (NDManager scratch = model.manager().newSubManager()) {
                    UniformNoise.perturb(encoderParams, noise.lambda(), scratch);
                }
            }
            int epoch = startEpoch;
            long lastCheckpoint = System.nanoTime();
            int sampleSize = Math.toIntExact(fit.inputs().shape().size() / n);
            float[] all = tokens != null ? null : fit.inputs().floats();
            Shape exampleShape = fit.inputs().shape().slice(1);
            for (; epoch < options.epochs() && !objective.state.stopped; epoch++) {
                int[] order = IndexedSplit.permutation(n, Seeds.derive(seed, 0xe90cL, epoch));
                double lossSum = 0;
                for (long b = 0; b < perEpoch; b++) {
                    long step = epoch * perEpoch + b;
                    float[] x = new float[tokens != null ? 0 : batch * sampleSize];
                    int[] y = new int[batch];
                    for (int i = 0; i < batch; i++) {
                        int row = order[(int) (b * batch + i)];
                        y[i] = fit.labels()[row];
                        if (tokens != null) {
                            continue;
                        }
                        if (options.augmentation() != null) {
                            float[] src = Arrays.copyOfRange(all, row * sampleSize, (row + 1) * sampleSize);
                            float[] dst = new float[sampleSize];
                            options.augmentation().apply(src, dst,
                                    new SplittableRandom(Seeds.derive(seed, 0xa06L, epoch, row)));
                            System.arraycopy(dst, 0, x, i * sampleSize, sampleSize);
                        } else {
                            System.arraycopy(all, row * sampleSize, x, i * sampleSize, sampleSize);
                        }
                    }
                    HostTensor in = tokens != null ? tokens.rows(fit.inputs(), rowsOfBatch(order, b, batch))
                            : start.encoderInput().apply(HostTensor.of(x, PretextModel.batched(exampleShape, batch)));
                    try (NDManager stepManager = model.manager().newSubManager()) {
                        engine.setRandomSeed((int) Seeds.derive(seed, 0x5eedL, step));
                        NDList inputs = new NDList(in.toNDArray(stepManager), HostTensor.ofInts(y, new Shape(batch))
                                .toNDArray(stepManager));
                        double loss;
                        try (GradientCollector gc = engine.newGradientCollector()) {
                            NDArray l = model.underPrecision(precision,
                                    () -> objective.loss(new Context(model, stepManager, step, total), inputs));
                            gc.backward(l);
                            loss = l.toType(DataType.FLOAT64, false).getDouble();
                        }
                        if (!Double.isFinite(loss)) {
                            throw new PretextException(String.format(Locale.ROOT, "The fine-tuning loss became %s at"
                                    + " epoch %d, step %d (head learning rate %.3g, encoder %.3g): lower"
                                    + " finetune.learning-rate or finetune.encoder-learning-rate", loss, epoch + 1,
                                    step + 1, options.headLearningRate(), options.encoderLearningRate()));
                        }
                        lossSum += loss;
                        if (pats != null) {
                            pats.observe(stepManager);
                        }
                        double rate = schedule.at(step);
                        optimizer.step(rate, 1);
                        if (pats != null) {
                            pats.perturb(rate / options.headLearningRate(), stepManager);
                        }
                    }
                }
                String heldText = "";
                if (held != null) {
                    double acc = accuracy(model, List.of(held).iterator(), inputOf(start, tokens), evalRows(tokens));
                    objective.state.offer(epoch + 1, acc, model.parameters());
                    if (epoch + 1 - objective.state.bestEpoch >= options.patience()) {
                        objective.state.stopped = true;
                    }
                    heldText = String.format(Locale.ROOT, ", held-out accuracy %.2f %%", 100 * acc);
                }
                progress.accept(String.format(Locale.ROOT, "epoch %d of %d: loss %.4f%s", epoch + 1,
                        options.epochs(), lossSum / perEpoch, heldText));
                boolean last = epoch + 1 == options.epochs() || objective.state.stopped;
                if (store != null && !last && (System.nanoTime() - lastCheckpoint) / 1e9 >= checkpointSeconds) {
                    lastCheckpoint = System.nanoTime();
                    try {
                        store.save(model, optimizer, epoch + 1, provenance);
                    } catch (IOException e) {
                        throw new UncheckedIOException("Writing the fine-tuning checkpoint of epoch " + (epoch + 1)
                                + " to " + store.dir() + " failed: " + e.getMessage(), e);
                    }
                }
                epochEnd.accept(epoch + 1);
            }
            int bestEpoch = epoch;
            double heldAcc = Double.NaN;
            if (held != null && objective.state.bestEpoch > 0) {
                objective.state.restore(model.parameters());
                bestEpoch = objective.state.bestEpoch;
                heldAcc = objective.state.bestAccuracy;
            }
            double testAcc = accuracy(model, test.batches(BatchPlan.sequential(options.evalBatchSize())),
                    inputOf(start, tokens), evalRows(tokens));
            Sensitivities sens = Sensitivities.of(measureSensitivities(model, fit, inputOf(start, tokens)));
            return new Outcome(testAcc, n, held == null ? 0 : held.size(), epoch, bestEpoch, heldAcc, startEpoch,
                    (System.nanoTime() - t0) / 1e9, sens);
        }
    }

    /** Learning-rate multipliers of the encoder's trainable parameters relative to the head's rate. */
    private Map<String, Double> rateScales(PretextModel model, List<List<String>> groups) {
        Map<String, Double> scales = new LinkedHashMap<>();
        int g = groups.size();
        for (int i = 0; i < g; i++) {
            double rate = options.encoderLearningRate() * Math.pow(options.layerDecay(), g - 1 - i);
            for (String name : groups.get(i)) {
                String key = "encoder/" + name;
                if (model.trainableParameters().containsKey(key)) {
                    scales.put(key, rate / options.headLearningRate());
                }
            }
        }
        return scales;
    }

    /** The encoder's trainable parameters by their model name ({@code encoder/...}). */
    private static Map<String, Parameter> encoderParameters(PretextModel model) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        model.trainableParameters().forEach((k, p) -> {
            if (k.startsWith("encoder/")) {
                out.put(k, p);
            }
        });
        return out;
    }

    private static int[] rowsOfBatch(int[] order, long b, int batch) {
        return Arrays.copyOfRange(order, (int) (b * batch), (int) (b * batch + batch));
    }

    /** What the encoder sees of a batch of raw examples: token rows trimmed to the context, or the objective's view. */
    private static UnaryOperator<HostTensor> inputOf(Start start, TokenRows tokens) {
        return tokens != null ? t -> tokens.rows(t, null) : start.encoderInput();
    }

    /**
     * Sensitivities |θ·∂L/∂θ| of the encoder's trainable parameters, L the mean cross-entropy over all
     * of {@code fit} in inference mode (gradients accumulated over batches, then zeroed).
     */
    static Map<String, float[]> measureSensitivities(PretextModel model, Batch fit, UnaryOperator<HostTensor> input) {
        Engine engine = EngineSetup.engine();
        Map<String, Parameter> params = encoderParameters(model);
        var head = model.objective().heads().get(ClassifierObjective.HEAD);
        int n = fit.size();
        int size = Math.toIntExact(fit.inputs().shape().size() / n);
        // sentences (token ids): at most TextFeatures.MAX_TOKENS_PER_PASS tokens per backward pass, as in evaluation
        int per = fit.inputs().dataType() == DataType.FLOAT32 ? 256
                : Math.min(256, TextFeatures.rowsPerPass(size));
        Shape exampleShape = fit.inputs().shape().slice(1);
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager scratch = model.manager().newSubManager()) {
            try (GradientCollector gc = engine.newGradientCollector()) { // backward passes accumulate
                for (int from = 0; from < n; from += per) {
                    int b = Math.min(per, n - from);
                    HostTensor raw = fit.inputs().dataType() == DataType.FLOAT32
                            ? HostTensor.of(Arrays.copyOfRange(fit.inputs().floats(), from * size, (from + b) * size),
                                    PretextModel.batched(exampleShape, b))
                            : HostTensor.ofInts(Arrays.copyOfRange(fit.inputs().ints(), from * size, (from + b) * size),
                                    PretextModel.batched(exampleShape, b));
                    try (NDManager step = scratch.newSubManager()) {
                        NDArray x = input.apply(raw).toNDArray(step);
                        NDArray y = HostTensor.ofInts(Arrays.copyOfRange(fit.labels(), from, from + b), new Shape(b))
                                .toNDArray(step);
                        NDArray logits = model.forward(head, new NDList(model.encode(x, false)), false)
                                .singletonOrThrow();
                        gc.backward(Scalars.mul(ClassifierObjective.crossEntropy(logits, y), (double) b / n));
                    }
                }
            }
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                NDArray w = e.getValue().getArray();
                try (NDManager step = scratch.newSubManager()) {
                    NDArray g = w.getGradient();
                    g.attach(step);
                    out.put(e.getKey(), PatsNoise.sensitivity(w, g, step).toFloatArray());
                }
            }
            for (Parameter p : model.trainableParameters().values()) {
                EngineArrays.zeroGradient(p.getArray());
            }
        }
        return out;
    }

    /**
     * Rows per forward pass when measuring accuracy: the options' evaluation batch size, and for
     * sentences at most {@link TextFeatures#MAX_TOKENS_PER_PASS} tokens. DJL keeps every intermediate
     * array of a pass until the pass's manager closes, so one pass over SST-2's 872 dev sentences
     * (55,808 tokens) held 3.3 GB.
     */
    private int evalRows(TokenRows tokens) {
        return tokens == null ? options.evalBatchSize()
                : Math.min(options.evalBatchSize(), TextFeatures.rowsPerPass(tokens.context()));
    }

    /**
     * Accuracy of the model (inference mode) over batches of raw examples, each run through the
     * encoder in passes of at most {@code maxRows} rows (every pass's arrays freed at its end).
     */
    static double accuracy(PretextModel model, Iterator<Batch> batches, UnaryOperator<HostTensor> encoderInput,
            int maxRows) {
        long correct = 0;
        long count = 0;
        var head = model.objective().heads().get(ClassifierObjective.HEAD);
        while (batches.hasNext()) {
            Batch b = batches.next();
            try (NDManager m = model.manager().newSubManager()) {
                NDArray all = encoderInput.apply(b.inputs()).toNDArray(m);
                long n = all.getShape().get(0);
                for (long from = 0; from < n; from += maxRows) {
                    long to = Math.min(n, from + maxRows);
                    try (NDManager pass = m.newSubManager()) {
                        NDArray x = all.get(new NDIndex("{}:{}", from, to));
                        x.attach(pass);
                        NDArray f = model.encode(x, false);
                        NDArray logits = model.forward(head, new NDList(f), false).singletonOrThrow();
                        long[] predicted = logits.argMax(1).toType(DataType.INT64, false).toLongArray();
                        for (int i = 0; i < predicted.length; i++) {
                            correct += predicted[i] == b.labels()[(int) from + i] ? 1 : 0;
                        }
                        count += predicted.length;
                    }
                }
            }
        }
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    /** The given rows of a split as one batch, in the order given. */
    static Batch rowsOf(Split split, int[] rows) {
        if (split instanceof IndexedSplit indexed) {
            return indexed.gather(rows);
        }
        int[] sorted = rows.clone();
        Arrays.sort(sorted);
        Shape shape = split.exampleShape();
        int size = Math.toIntExact(shape.size());
        float[] out = new float[rows.length * size];
        int[] labels = new int[rows.length];
        Map<Integer, Integer> position = new java.util.HashMap<>();
        for (int i = 0; i < rows.length; i++) {
            position.put(rows[i], i);
        }
        Iterator<Batch> it = split.batches(BatchPlan.sequential(1024));
        int base = 0;
        while (it.hasNext()) {
            Batch b = it.next();
            float[] v = b.inputs().floats();
            for (int i = 0; i < b.size(); i++) {
                Integer p = position.get(base + i);
                if (p != null) {
                    System.arraycopy(v, i * size, out, p * size, size);
                    labels[p] = b.labels()[i];
                }
            }
            base += b.size();
        }
        return new Batch(HostTensor.of(out, PretextModel.batched(shape, rows.length)), labels);
    }

    private record Context(Model model, NDManager manager, long step, long totalSteps) implements StepContext {
        @Override
        public void metric(String name, double value) {}
    }
}
