package org.pretext.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.pretext.PretextException;
import org.pretext.Seeds;
import org.pretext.CheckpointException;
import org.pretext.checkpoint.CheckpointStore;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Split;
import org.pretext.runtime.EngineSetup;
import org.pretext.model.PretextModel;
import org.pretext.model.ReplicatedModel;
import org.pretext.runtime.MixedPrecision;
import org.pretext.objective.Distribution;
import org.pretext.objective.Objective;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;
import org.pretext.training.StepPhases.Phase;
import org.pretext.training.EpochMonitor;
import org.pretext.training.StepMetrics;
import org.pretext.training.TrainingListener;
import org.pretext.training.optimizer.AdamW;
import org.pretext.training.optimizer.Optimizer;
import org.pretext.training.optimizer.Sgd;
import org.pretext.training.optimizer.LearningRateSchedule;

/**
 * The pretraining loop, objective-agnostic and usable from plain Java:
 *
 * <pre>{@code
 * try (PretextModel model = PretextModel.create(encoder, objective, data.exampleShape(), device, seed)) {
 *     PretrainResult r = new Pretrainer(config).run(model, data, provenance);
 * }
 * }</pre>
 *
 * Each step runs in its own {@link NDManager} scope (every array it creates is freed when it
 * ends): prepared batch to device, loss under a gradient collector, global-norm clipping, fused
 * AdamW update with warm-up and cosine schedule (and the weight decay's, if it has one), the
 * objective's post-update hook. Batches are
 * prepared ahead on worker threads. The same seed on the same device gives the same losses, and a
 * run resumed from a checkpoint continues exactly as if it had never stopped.
 */
public final class Pretrainer {
    private static final int FINAL_LOSS_WINDOW = 50;
    private final PretrainConfig config;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final List<EpochMonitor> monitors = new ArrayList<>();

    public Pretrainer(PretrainConfig config) {
        this.config = config;
    }

    /** Adds a listener for progress, metrics or checkpoints. */
    public Pretrainer addListener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Adds a monitor run at the end of every epoch (and every {@code monitorEvery} steps when set);
     * its scalars join that step's metrics.
     */
    public Pretrainer addMonitor(EpochMonitor monitor) {
        monitors.add(monitor);
        return this;
    }

    /** Number of optimizer steps this config gives for a split of {@code size} examples. */
    public long plannedSteps(long size) {
        return config.steps() > 0 ? config.steps() : config.epochs() * stepsPerEpoch(size);
    }

    private long stepsPerEpoch(long size) {
        long spe = size / config.batchSize();
        if (spe == 0) {
            throw new PretextException("Batch size " + config.batchSize() + " is larger than the pretraining data ("
                    + size + " examples): expected a batch size of at most " + size);
        }
        return spe;
    }

    /**
     * Pretrains the model's encoder and heads on a split.
     *
     * @param provenance recorded in checkpoints; checked against a checkpoint when resuming
     */
    public PretrainResult run(PretextModel model, Split data, Provenance provenance) {
        long spe = stepsPerEpoch(data.size());
        long total = plannedSteps(data.size());
        Engine engine = EngineSetup.engine();
        Objective objective = model.objective();
        CheckpointStore store = config.checkpointDir() == null ? null
                : new CheckpointStore(config.checkpointDir(), config.keepCheckpoints());
        Optional<MixedPrecision> precision = precision(config, model);
        try (Optimizer optimizer = optimizer(config)) {
            optimizer.attach(model.trainableParameters(), model.manager());
            long start = 0;
            LossWindow recent = new LossWindow(FINAL_LOSS_WINDOW);
            Path lastCheckpoint = null;
            if (store != null && config.resume()) {
                Optional<Long> restored = store.restoreLatest(model, optimizer, provenance);
                if (restored.isEmpty() && !store.skippedFiles().isEmpty()) {
                    throw nothingToResume(store);
                }
                for (String s : store.skipped()) {
                    System.err.println("warning: skipped damaged checkpoint: " + s);
                }
                setAside(store);
                start = restored.orElse(0L);
                if (restored.isPresent()) {
                    lastCheckpoint = store.files().get(store.files().size() - 1);
                    float[] before = store.restoredLosses();
                    if (before != null) {
                        recent.addAll(before);
                    } else {
                        System.err.println("note: " + lastCheckpoint + " was written by an older Pretext without the"
                                + " losses of its last steps; the final loss will be the mean over the steps run from"
                                + " now on");
                    }
                }
            } else if (store != null && !store.files().isEmpty()) {
                throw new PretextException("Checkpoint folder " + store.dir() + " already holds checkpoints of another"
                        + " run (newest: " + store.files().get(store.files().size() - 1).getFileName() + "): resume"
                        + " from them, or start in an empty folder");
            }
            long warmup = Math.round(config.warmupFraction() * total);
            LearningRateSchedule schedule = LearningRateSchedule.warmupCosine(config.learningRate(), warmup, total,
                    config.finalLearningRateFraction());
            LearningRateSchedule decaySchedule = config.weightDecayScheduled()
                    ? LearningRateSchedule.cosine(config.weightDecay(), config.weightDecayEnd(), total) : null;
            for (TrainingListener l : listeners) {
                l.onStart(start, total);
            }
            long end = config.stopAt() > 0 ? Math.min(config.stopAt(), total) : total;
            float[] losses = new float[(int) Math.max(0, end - start)];
            long t0 = System.nanoTime();
            long lastLogTime = t0;
            long lastLogStep = start;
            double lossSinceLog = 0;
            long s = start;
            boolean stoppedEarly = false;
            int replicaCount = 1;
            StepPhases phases = new StepPhases();
            String preparationNote = null;
            phases.start();
            try (ReplicatedModel replicas = ReplicatedModel.create(model, replicaDevices(model));
                    BatchPipeline pipeline = new BatchPipeline(data, objective, config.batchSize(), config.seed(), start,
                    total, spe, config.prepareThreads(), config.prefetch(), config.backgroundPreparation())) {
                // what the objective sees: the model itself on one device, the replicated view on several
                org.pretext.objective.Model stepModel = replicas.count() > 1 ? replicas : model;
                replicaCount = replicas.count();
                for (; s < end; s++) {
                    long selfPrepared = pipeline.selfPreparedNanos();
                    PreparedBatch batch = pipeline.next();
                    phases.lap(Phase.DATA);
                    phases.move(Phase.DATA, Phase.PREPARE, pipeline.selfPreparedNanos() - selfPrepared);
                    double lr = schedule.at(s);
                    Map<String, Double> extra = new LinkedHashMap<>();
                    double loss;
                    double gradNorm = Double.NaN;
                    boolean epochEnd = (s + 1) % spe == 0 || s + 1 == total;
                    boolean monitorNow = !monitors.isEmpty() && (epochEnd
                            || (config.monitorEvery() > 0 && (s + 1) % config.monitorEvery() == 0));
                    boolean log = (s + 1) % config.logEvery() == 0 || s + 1 == end || monitorNow;
                    try (NDManager stepManager = model.manager().newSubManager()) {
                        engine.setRandomSeed((int) Seeds.derive(config.seed(), 0x5eedL, s));
                        Context ctx = new Context(stepModel, stepManager, s, total, extra);
                        NDList raw = batch.toNDList(stepManager);
                        phases.lap(Phase.TRANSFER);
                        // perturbations run on the main device: objectives that perturb declare no distribution
                        NDList inputs = objective.perturb(new Context(model, stepManager, s, total, extra), raw);
                        if (inputs != raw) {
                            optimizer.zeroGradients();
                        }
                        phases.lap(Phase.PERTURB);
                        try (GradientCollector gc = engine.newGradientCollector()) {
                            NDArray l = model.underPrecision(precision, () -> objective.loss(ctx, inputs));
                            if (l.getShape().size() != 1) {
                                throw new PretextException("The objective's loss has shape " + l.getShape()
                                        + ": expected a scalar (e.g. the mean over the batch)");
                            }
                            phases.lap(Phase.FORWARD);
                            gc.backward(l);
                            loss = l.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
                        }
                        phases.lap(Phase.BACKWARD);
                        replicas.reduceGradients(stepManager);
                        phases.lap(Phase.REDUCE);
                        if (!Double.isFinite(loss)) {
                            throw nonFinite(s + 1, loss, lr, lastCheckpoint);
                        }
                        double scale = 1;
                        if (config.clipNorm() > 0 || log) {
                            gradNorm = optimizer.gradientNorm(stepManager);
                            if (config.clipNorm() > 0 && gradNorm > config.clipNorm()) {
                                scale = config.clipNorm() / gradNorm;
                            }
                        }
                        objective.beforeUpdate(ctx);
                        phases.lap(Phase.CLIP);
                        if (decaySchedule != null) {
                            double decay = decaySchedule.at(s);
                            optimizer.setWeightDecay(decay);
                            extra.put("weight-decay", decay); // in metrics.jsonl
                        }
                        optimizer.step(lr, scale);
                        objective.afterUpdate(ctx);
                        phases.lap(Phase.UPDATE);
                        replicas.broadcast();
                        phases.lap(Phase.BROADCAST);
                    }
                    phases.lap(Phase.FREE);
                    if (monitorNow) {
                        for (EpochMonitor monitor : monitors) {
                            extra.putAll(monitor.measure(model, s / spe));
                        }
                        phases.lap(Phase.MONITOR);
                    }
                    losses[(int) (s - start)] = (float) loss;
                    recent.add((float) loss);
                    lossSinceLog += loss;
                    long done = s + 1;
                    if (log) {
                        long now = System.nanoTime();
                        double elapsed = (now - t0) / 1e9;
                        double window = (now - lastLogTime) / 1e9;
                        long windowSteps = done - lastLogStep;
                        double sps = windowSteps * config.batchSize() / Math.max(window, 1e-9);
                        double eta = elapsed / (done - start) * (total - done);
                        StepMetrics m = new StepMetrics(done, total, s / spe, loss, lossSinceLog / windowSteps, lr,
                                gradNorm, sps, elapsed, eta, Collections.unmodifiableMap(extra));
                        for (TrainingListener l : listeners) {
                            l.onStep(m);
                        }
                        lastLogTime = now;
                        lastLogStep = done;
                        lossSinceLog = 0;
                    }
                    boolean timeUp = config.maxSeconds() > 0 && (System.nanoTime() - t0) / 1e9 >= config.maxSeconds();
                    if (store != null && (done == end || timeUp
                            || (config.checkpointEvery() > 0 && done % config.checkpointEvery() == 0))) {
                        lastCheckpoint = save(store, model, optimizer, done, provenance, recent.values(),
                                lastCheckpoint);
                    }
                    phases.lap(Phase.OTHER);
                    if (timeUp && done < total) {
                        stoppedEarly = true;
                        s++;
                        break;
                    }
                }
                preparationNote = pipeline.starvedNote();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            int n = (int) (s - start);
            float[] ran = java.util.Arrays.copyOf(losses, n);
            PretrainResult result = new PretrainResult(s, start, seconds, recent.mean(),
                    n * (double) config.batchSize() / Math.max(seconds, 1e-9), ran, stoppedEarly, phases.seconds(), replicaCount);
            for (TrainingListener l : listeners) {
                l.onEnd(result);
            }
            warnIfDataLagged(result);
            if (preparationNote != null) {
                System.err.println("note: other work on the machine starved the background preparation threads ("
                        + preparationNote + "): the rest of the run prepared its batches at normal priority"
                        + " (training.prepare-priority)");
            }
            return result;
        }
    }

    /** Says on standard error when the step waited for its batches too long ({@link StepPhases#waitedForData}). */
    private void warnIfDataLagged(PretrainResult r) {
        if (StepPhases.waitedForData(r.phaseSeconds()) && r.steps() - r.startStep() >= 20) {
            double share = StepPhases.dataWaitShare(r.phaseSeconds());
            System.err.printf(java.util.Locale.ROOT, "warning: the step waited for (or prepared) its next batch %.0f %% of the"
                    + " time:"
                    + " %d preparation thread%s (training.prepare-threads) did not keep up; more of them help where"
                    + " cores are free, and fewer engine threads (--threads) free cores for them%n", 100 * share,
                    config.prepareThreads(), config.prepareThreads() == 1 ? "" : "s");
        }
    }

    /** The configured precision of the steps' encoder forward pass, checked before the first step. */
    private static Optional<MixedPrecision> precision(PretrainConfig config, PretextModel model) {
        return MixedPrecision.forSteps(config.precision(), MixedPrecision.TRAINING_KEY, model.device());
    }

    /**
     * The devices of the replicas: the configured ones, or the model's alone when none are
     * configured or the objective declares no distribution (said on standard error).
     */
    private List<ai.djl.Device> replicaDevices(PretextModel model) {
        List<ai.djl.Device> devices = config.devices();
        if (devices.size() <= 1) {
            if (devices.size() == 1 && !devices.get(0).equals(model.device())) {
                throw new PretextException("The configured device " + org.pretext.runtime.Devices.name(devices.get(0))
                        + " is not the model's (" + org.pretext.runtime.Devices.name(model.device())
                        + "): create the model on the first of the devices");
            }
            return List.of(model.device());
        }
        if (model.objective().distribution() == Distribution.SINGLE_DEVICE) {
            System.err.println("note: objective " + model.objective().getClass().getSimpleName() + " declares no"
                    + " distribution over devices (Objective.distribution()), so it runs on one device, "
                    + org.pretext.runtime.Devices.name(model.device()) + ", instead of the " + devices.size()
                    + " asked for");
            return List.of(model.device());
        }
        return devices;
    }

    /** The configured optimizer, not yet attached. */
    public static Optimizer optimizer(PretrainConfig config) {
        return switch (config.optimizer()) {
            case "sgd" -> new Sgd(config.weightDecay(), config.weightDecayVectors());
            case "adamw" -> new AdamW(config.beta1(), config.beta2(), config.epsilon(), config.weightDecay(),
                    config.weightDecayVectors());
            default -> throw new PretextException("Unknown optimizer '" + config.optimizer() + "' in training.optimizer:"
                    + " expected one of " + Optimizer.NAMES);
        };
    }

    private Path save(CheckpointStore store, PretextModel model, Optimizer optimizer, long step, Provenance provenance,
            float[] recentLosses, Path previous) {
        try {
            Path file = store.save(model, optimizer, step, provenance, recentLosses);
            for (TrainingListener l : listeners) {
                l.onCheckpoint(file, step);
            }
            return file;
        } catch (IOException e) {
            String what = e instanceof java.nio.file.FileSystemException fe ? (fe.getReason() != null ? fe.getReason()
                    : e.getClass().getSimpleName()) + " (" + fe.getFile() + ")" : String.valueOf(e.getMessage());
            String lower = what.toLowerCase(Locale.ROOT);
            boolean full = lower.contains("no space") || lower.contains("too large") || lower.contains("quota");
            throw new UncheckedIOException("Writing the checkpoint of step " + step + " to " + store.dir() + " failed: "
                    + what + ". " + (previous == null
                            ? "No checkpoint had been written yet, so this run cannot be resumed" + (full
                                    ? ": free some space (or choose another folder) and start it again" : "")
                            : "The previous checkpoint, " + previous + " (step " + CheckpointStore.stepOf(previous)
                                    + "), is intact" + (full ? ": free some space and resume from it" : "")), e);
        }
    }

    /** Every checkpoint there is damaged: restarting from step 0 is not resuming. */
    private static CheckpointException nothingToResume(CheckpointStore store) {
        StringBuilder b = new StringBuilder("Cannot resume from " + store.dir() + ": every checkpoint there is damaged (");
        List<CheckpointStore.Skipped> all = store.skippedFiles();
        for (int i = 0; i < all.size(); i++) {
            b.append(i == 0 ? "" : "; ").append(all.get(i).reason());
        }
        return new CheckpointException(b.append("). They are left as they are. Starting again from step 0 is not a"
                + " resume: start a new run (the command line's --force does it in the same folder, deleting them)")
                .toString());
    }

    private static void setAside(CheckpointStore store) {
        try {
            for (Path p : store.setAsideDamaged()) {
                System.err.println("moved the damaged checkpoint aside: " + p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Moving damaged checkpoints into " + store.dir().resolve(
                    CheckpointStore.DAMAGED) + " failed: " + e.getMessage(), e);
        }
    }

    /** The losses of the last steps, oldest first: what the final loss is the mean of. */
    private static final class LossWindow {
        private final float[] ring;
        private int count;
        private int next;

        LossWindow(int size) {
            ring = new float[size];
        }

        void add(float v) {
            ring[next] = v;
            next = (next + 1) % ring.length;
            count = Math.min(count + 1, ring.length);
        }

        void addAll(float[] v) {
            for (float f : v) {
                add(f);
            }
        }

        float[] values() {
            float[] out = new float[count];
            for (int i = 0; i < count; i++) {
                out[i] = ring[(next - count + i + ring.length) % ring.length];
            }
            return out;
        }

        /** Mean in order, oldest first; NaN when empty. */
        double mean() {
            if (count == 0) {
                return Double.NaN;
            }
            double sum = 0;
            for (float f : values()) {
                sum += f;
            }
            return sum / count;
        }
    }

    private NonFiniteLossException nonFinite(long step, double loss, double lr, Path lastCheckpoint) {
        return new NonFiniteLossException(String.format(Locale.ROOT,
                "The loss became %s at step %d (learning rate %.3g, peak %.3g, float32 precision). Training stopped; "
                        + "%s. Lower training.learning-rate or set training.clip-norm and resume.",
                Double.isNaN(loss) ? "NaN" : "infinite", step, lr, config.learningRate(),
                lastCheckpoint == null ? "no checkpoint had been written yet"
                        : "the last good checkpoint is kept at " + lastCheckpoint), step);
    }

    private record Context(org.pretext.objective.Model model, NDManager manager, long step, long totalSteps,
            Map<String, Double> extra) implements StepContext {
        @Override
        public void metric(String name, double value) {
            extra.put(name, value);
        }
    }
}
