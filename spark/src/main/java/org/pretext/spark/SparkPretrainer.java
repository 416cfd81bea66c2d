package org.pretext.spark;

import com.google.inject.Guice;
import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.PartitionEvaluator;
import org.apache.spark.PartitionEvaluatorFactory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import org.apiguardian.api.API;
import org.pretext.PretextException;
import org.pretext.Seeds;
import org.pretext.checkpoint.CheckpointStore;
import org.pretext.data.IndexedSplit;
import org.pretext.data.Split;
import org.pretext.engine.FileTrees;
import org.pretext.model.PretextModel;
import org.pretext.runner.config.ConfigLoader;
import org.pretext.runner.config.RunConfig;
import org.pretext.runner.wiring.RunComponents;
import org.pretext.runner.wiring.RunModule;
import org.pretext.runtime.EngineArrays;
import org.pretext.runtime.EngineSetup;
import org.pretext.runtime.EngineThreads;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;
import org.pretext.training.TrainingSettings;
import org.pretext.training.optimizer.Optimizer;

/**
 * Data-parallel pretraining on Spark by synchronous periodic model averaging (local SGD). Each round
 * the driver broadcasts the whole training state — the round's checkpoint file, written by core's
 * {@link CheckpointStore} (encoder, heads, optimizer state, the objective's state such as EMA
 * targets and queues, the losses of the last steps) — to W barrier tasks
 * ({@code RDD.barrier()}, gang-scheduled, one per executor slot). Task w restores it, takes K steps
 * with Pretext's own {@link Pretrainer} on its own shard of the pretraining split (examples
 * {@code i ≡ w mod W}) with a seed of its own, and turns every parameter and every array of the
 * optimizer's state (Adam's moments) into one flat vector. Spark sums the W vectors with
 * {@code treeAggregate} (depth 2, final combine on an executor) in double precision, together with
 * the per-step losses; worker 0 alone adds its checkpoint bytes, for its objective state and update
 * count. The driver receives one {@link Sum} — one sum of W models and one checkpoint, not W
 * checkpoints — restores worker 0's checkpoint into its model and optimizer, overwrites the
 * parameters and optimizer arrays with sum ÷ W, and writes the round's checkpoint atomically with
 * the same store. Its memory for a round is its own model, worker 0's checkpoint and the sum
 * (8 bytes per averaged value), whatever W. With K = 1, plain SGD and a loss that is a mean over
 * examples, a round is exactly one step on the W batches together.
 *
 * <p>The sums are doubles: a sum of W floats in double precision is exact unless the values' exponents
 * lie more than about 29 − log2 W binary orders apart, so the mean does not depend on the order in which
 * the tree (and the shuffle's fetches) combine the workers, and equals the mean the driver computed
 * when it collected the W checkpoints itself. Float sums with Kahan compensation would move as many
 * bytes and still depend on that order.
 *
 * <p>A task that fails is retried by Spark (a barrier stage is retried whole; a fetch failure in the
 * aggregation's shuffle drops all the barrier stage's outputs and re-runs it) from the same broadcast,
 * which lives until the round's job is done, so a lost executor costs at most the round; a driver that dies is resumed from the
 * last round's checkpoint. Contrastive objectives see the negatives of their own worker's batch
 * only: there are no negatives across workers in this design.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class SparkPretrainer {
    /** What the run keeps beside the runner's {@code config.yaml} and {@code checkpoints/}. */
    static final String PLAN = "spark-pretrain.properties";

    /**
     * The shape of a run.
     *
     * @param rounds rounds of broadcast, local steps and averaging
     * @param localSteps K, the steps each worker takes between averagings
     * @param workers W, the tasks of a round (at most the cluster's task slots: a barrier stage
     *     needs all of them at once)
     */
    public record Plan(int rounds, int localSteps, int workers) implements Serializable {
        public Plan {
            if (rounds < 1 || localSteps < 1 || workers < 1) {
                throw new PretextException("--rounds, --local-steps and --workers must be at least 1 (got " + rounds
                        + ", " + localSteps + ", " + workers + ")");
            }
        }

        /** Steps of the whole run: the learning-rate schedule's length. */
        public long totalSteps() {
            return (long) rounds * localSteps;
        }
    }

    /**
     * One round's measurements.
     *
     * @param round the round, from 1
     * @param step the step reached
     * @param loss the mean loss of the round's local steps over all workers
     * @param broadcastSeconds the driver's reading of the state and the slowest task's fetching and restoring it
     * @param localSeconds the slowest task's local steps (and turning its arrays into the vector it sums)
     * @param roundSeconds the whole round as the driver saw it, from broadcast to written checkpoint
     * @param averageSeconds the driver's restoring of worker 0's checkpoint, its division of the sum by W and
     *     the round's checkpoint
     */
    public record Round(int round, long step, double loss, double broadcastSeconds, double localSeconds,
            double averageSeconds, double roundSeconds) implements Serializable {}

    /**
     * What a worker's task hands to the aggregation (inside its own task, never to the driver): its
     * parameters and optimizer arrays after the local steps as one flat vector, its losses, its
     * checkpoint (worker 0 only, else null) and its timings.
     */
    record WorkerResult(int worker, float[] values, byte[] checkpoint, float[] losses, double restoreSeconds,
            double stepSeconds) implements Serializable {}

    /**
     * The aggregation's value: the sum of the flat vectors of {@link #workers} workers, the sum of their
     * per-step losses, worker 0's checkpoint once it is among them, and the slowest restore and local
     * steps. The zero value holds nothing (no vector is shipped with it). {@link #add} and
     * {@link #merge} update and return their first argument, as Spark's aggregation allows.
     */
    static final class Sum implements Serializable {
        private static final long serialVersionUID = 1L;
        double[] values;
        double[] losses;
        int workers;
        byte[] checkpoint;
        double restoreSeconds;
        double stepSeconds;

        static Sum add(Sum sum, WorkerResult w) {
            if (sum.values == null) {
                sum.values = new double[w.values().length];
                sum.losses = new double[w.losses().length];
            }
            check(sum.values.length, w.values().length, "values", "worker " + w.worker());
            check(sum.losses.length, w.losses().length, "losses", "worker " + w.worker());
            for (int i = 0; i < sum.values.length; i++) {
                sum.values[i] += w.values()[i];
            }
            for (int i = 0; i < sum.losses.length; i++) {
                sum.losses[i] += w.losses()[i];
            }
            sum.workers++;
            sum.checkpoint = one(sum.checkpoint, w.checkpoint());
            sum.restoreSeconds = Math.max(sum.restoreSeconds, w.restoreSeconds());
            sum.stepSeconds = Math.max(sum.stepSeconds, w.stepSeconds());
            return sum;
        }

        static Sum merge(Sum a, Sum b) {
            if (b.values == null) {
                return a;
            }
            if (a.values == null) {
                return b;
            }
            check(a.values.length, b.values.length, "values", "a partial sum");
            check(a.losses.length, b.losses.length, "losses", "a partial sum");
            for (int i = 0; i < a.values.length; i++) {
                a.values[i] += b.values[i];
            }
            for (int i = 0; i < a.losses.length; i++) {
                a.losses[i] += b.losses[i];
            }
            a.workers += b.workers;
            a.checkpoint = one(a.checkpoint, b.checkpoint);
            a.restoreSeconds = Math.max(a.restoreSeconds, b.restoreSeconds);
            a.stepSeconds = Math.max(a.stepSeconds, b.stepSeconds);
            return a;
        }

        private static byte[] one(byte[] a, byte[] b) {
            if (a != null && b != null) {
                throw new IllegalStateException("two checkpoints in one round's sum: only worker 0 sends one");
            }
            return a != null ? a : b;
        }

        private static void check(int want, int got, String what, String from) {
            if (want != got) {
                throw new IllegalStateException(from + " sent " + got + " " + what + " where the sum holds " + want
                        + ": the workers' models differ");
            }
        }
    }

    private SparkPretrainer() {}

    /**
     * Runs (or, when {@code out} holds checkpoints and {@code resume} is set, resumes) the plan on the
     * session's cluster. {@code out} becomes a runner run folder ({@code config.yaml},
     * {@code checkpoints/}), so {@code pretext export --run OUT} and {@code pretext probe --run OUT}
     * take its encoder.
     *
     * @param tree the runner's merged config tree ({@code training.batch-size} is each worker's batch)
     * @param log progress lines
     * @return the rounds run by this call
     */
    public static List<Round> run(SparkSession spark, Map<String, Object> tree, Plan plan, Path out, boolean resume,
            PrintStream log) throws IOException {
        Map<String, Object> t = new java.util.LinkedHashMap<>(tree);
        ConfigLoader.set(t, "training.steps=" + plan.totalSteps());
        String yaml = ConfigLoader.toYaml(t);
        RunConfig cfg = ConfigLoader.resolve(t);
        Path checkpoints = out.resolve("checkpoints");
        CheckpointStore store = new CheckpointStore(checkpoints, 2);
        if (!resume && !store.files().isEmpty()) {
            throw new PretextException(out + " already holds the checkpoints of a run: resume it with --resume " + out
                    + ", or choose another --out");
        }
        if (resume) {
            checkPlan(out, plan);
        }
        Files.createDirectories(checkpoints);
        Files.writeString(out.resolve("config.yaml"), yaml);
        Files.writeString(out.resolve(PLAN), "rounds=" + plan.rounds() + "\nlocal-steps=" + plan.localSteps()
                + "\nworkers=" + plan.workers() + "\n");
        RunComponents c = components(cfg, out);
        PretrainConfig config = TrainingSettings.toBuilder(cfg.training()).seed(cfg.seed()).build();
        Split data = c.pretrain();
        long perWorker = data.size() / plan.workers();
        if (perWorker < config.batchSize()) {
            throw new PretextException("Each of the " + plan.workers() + " workers gets " + perWorker + " of the "
                    + data.size() + " pretraining examples, fewer than training.batch-size (" + config.batchSize()
                    + "): lower the batch size or the number of workers");
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Round> rounds = new ArrayList<>();
        try (PretextModel model = PretextModel.create(c.encoders(), cfg.encoder().name(), c.objectives().get(),
                data.exampleShape(), c.device(), cfg.seed(), e -> c.encoderInit().ifPresent(init -> init.accept(e)));
                Optimizer optimizer = Pretrainer.optimizer(config)) {
            optimizer.attach(model.trainableParameters(), model.manager());
            long step = 0;
            if (resume) {
                Optional<Long> restored = store.restoreLatest(model, optimizer, c.provenance());
                if (restored.isEmpty()) {
                    throw new PretextException("Cannot resume: " + checkpoints + " holds no valid checkpoint"
                            + (store.skipped().isEmpty() ? "" : " (" + String.join("; ", store.skipped()) + ")"));
                }
                step = restored.get();
                if (step % plan.localSteps() != 0) {
                    throw new PretextException("The newest checkpoint in " + checkpoints + " is at step " + step
                            + ", not at the end of a round of " + plan.localSteps() + " local steps");
                }
                log.printf("resumed %s at step %d (round %d of %d)%n", checkpoints, step, step / plan.localSteps(),
                        plan.rounds());
            } else {
                store.save(model, optimizer, 0, c.provenance(), new float[0]);
            }
            log.printf("model: encoder %s (%,d trainable parameters with heads), objective %s, %d workers x batch %d,"
                    + " %d local steps x %d rounds, optimizer %s, on %s%n", cfg.encoder().name(),
                    model.parameterCount(), cfg.objective().name(), plan.workers(), config.batchSize(),
                    plan.localSteps(), plan.rounds(), config.optimizer(), spark.sparkContext().master());
            for (int r = (int) (step / plan.localSteps()); r < plan.rounds(); r++) {
                long t0 = System.nanoTime();
                Path latest = store.files().get(store.files().size() - 1);
                Broadcast<byte[]> state = jsc.broadcast(Files.readAllBytes(latest));
                double read = (System.nanoTime() - t0) / 1e9;
                Task task = new Task(yaml, state, plan, step, r);
                RDD<Integer> slots = jsc.parallelize(IntStream.range(0, plan.workers()).boxed().toList(),
                        plan.workers()).rdd();
                Sum sum = aggregate(slots, task, plan, r);
                state.destroy();
                long t1 = System.nanoTime();
                step += plan.localSteps();
                float[] losses = average(model, optimizer, sum, c, out);
                store.save(model, optimizer, step, c.provenance(), losses);
                long t2 = System.nanoTime();
                double loss = 0;
                for (float f : losses) {
                    loss += f;
                }
                Round round = new Round(r + 1, step, loss / losses.length, read + sum.restoreSeconds,
                        sum.stepSeconds, (t2 - t1) / 1e9, (t2 - t0) / 1e9);
                rounds.add(round);
                log.printf(Locale.ROOT, "round %d/%d: step %d, loss %.4f, %.2f s (broadcast and restore %.2f s, local"
                        + " steps %.2f s, averaging and checkpoint %.2f s)%n", round.round(), plan.rounds(), step,
                        round.loss(), round.roundSeconds(), round.broadcastSeconds(), round.localSeconds(),
                        round.averageSeconds());
            }
        }
        return rounds;
    }

    /** A resumed run keeps the plan it was started with: the schedule and the shards depend on it. */
    private static void checkPlan(Path out, Plan plan) throws IOException {
        Path file = out.resolve(PLAN);
        if (!Files.isRegularFile(file)) {
            throw new PretextException("Cannot resume: " + file + " does not exist (is " + out
                    + " a folder written by pretext-spark pretrain?)");
        }
        java.util.Properties p = new java.util.Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        String expected = "rounds=" + p.getProperty("rounds") + ", local-steps=" + p.getProperty("local-steps")
                + ", workers=" + p.getProperty("workers");
        String given = "rounds=" + plan.rounds() + ", local-steps=" + plan.localSteps() + ", workers=" + plan.workers();
        if (!expected.equals(given)) {
            throw new PretextException("Cannot resume " + out + " with " + given + ": it was started with " + expected
                    + " (" + file + "), and its learning-rate schedule and data shards depend on them");
        }
    }

    /** The plan a run folder was started with, for {@code --resume} without the flags. */
    public static Plan savedPlan(Path out) throws IOException {
        Path file = out.resolve(PLAN);
        if (!Files.isRegularFile(file)) {
            throw new PretextException("Cannot resume: " + file + " does not exist (is " + out
                    + " a folder written by pretext-spark pretrain?)");
        }
        java.util.Properties p = new java.util.Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return new Plan(Integer.parseInt(p.getProperty("rounds").trim()),
                Integer.parseInt(p.getProperty("local-steps").trim()), Integer.parseInt(p.getProperty("workers").trim()));
    }

    /** The job description of round {@code round} (from 0) of {@code rounds}, as Spark's UI and listeners see it. */
    static String jobDescription(int round, int rounds) {
        return "pretext-spark pretrain: round " + (round + 1) + " of " + rounds;
    }

    /**
     * One round's job: the barrier stage of W tasks (restore, K local steps, flatten) and the sum of
     * their results by {@code treeAggregate} of depth 2 whose last combine runs on an executor, so the
     * driver receives one {@link Sum}. The aggregation's first level runs inside the barrier tasks (same
     * partitions, no shuffle, which barrier mode allows); the levels above it are shuffle stages of
     * their own, not barrier stages.
     */
    static Sum aggregate(RDD<Integer> slots, Task task, Plan plan, int round) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(slots.sparkContext());
        RDD<WorkerResult> done = slots.barrier().mapPartitionsWithEvaluator(task,
                scala.reflect.ClassTag$.MODULE$.apply(WorkerResult.class));
        jsc.setJobDescription(jobDescription(round, plan.rounds()));
        try {
            Sum sum = JavaRDD.fromRDD(done, scala.reflect.ClassTag$.MODULE$.apply(WorkerResult.class))
                    .treeAggregate(new Sum(), Sum::add, Sum::merge, 2, true);
            if (sum.workers != plan.workers() || sum.checkpoint == null) {
                throw new IllegalStateException("round " + (round + 1) + " summed " + sum.workers + " of "
                        + plan.workers() + " workers" + (sum.checkpoint == null ? ", without worker 0's checkpoint" : ""));
            }
            return sum;
        } finally {
            jsc.setJobDescription(null);
        }
    }

    /**
     * Restores worker 0's checkpoint into the driver's model and optimizer (its objective state and
     * update count stay) and overwrites every parameter and optimizer array with the workers' mean,
     * sum ÷ W, rounded once to float.
     *
     * @return the mean over workers of each local step's loss
     */
    private static float[] average(PretextModel model, Optimizer optimizer, Sum sum, RunComponents c,
            Path out) throws IOException {
        Path tmp = Files.createTempDirectory(out.toAbsolutePath(), ".average");
        try {
            Files.write(tmp.resolve("step-00000000.ckpt"), sum.checkpoint);
            CheckpointStore one = new CheckpointStore(tmp, 2);
            if (one.restoreLatest(model, optimizer, c.provenance()).isEmpty()) {
                throw new IllegalStateException("worker 0 sent a damaged checkpoint: " + one.skipped());
            }
        } finally {
            FileTrees.delete(tmp);
        }
        List<NDArray> arrays = averaged(model, optimizer);
        long size = 0;
        for (NDArray a : arrays) {
            size += a.size();
        }
        if (size != sum.values.length) {
            throw new IllegalStateException("the workers' sum holds " + sum.values.length + " values where the"
                    + " driver's parameters and optimizer state hold " + size);
        }
        int at = 0;
        for (NDArray a : arrays) {
            float[] mean = new float[Math.toIntExact(a.size())];
            for (int j = 0; j < mean.length; j++) {
                mean[j] = (float) (sum.values[at + j] / sum.workers);
            }
            at += mean.length;
            EngineArrays.copyInto(a, mean);
        }
        float[] losses = new float[sum.losses.length];
        for (int j = 0; j < losses.length; j++) {
            losses[j] = (float) (sum.losses[j] / sum.workers);
        }
        return losses;
    }

    /** The arrays a round averages, in a fixed order: every parameter of the model, then the optimizer's state. */
    static List<NDArray> averaged(PretextModel model, Optimizer optimizer) {
        List<NDArray> arrays = new ArrayList<>();
        for (var p : model.parameters().values()) {
            arrays.add(p.getArray());
        }
        arrays.addAll(optimizer.stateArrays());
        return arrays;
    }

    /** {@link #averaged} as one flat vector, row-major, array after array. */
    static float[] flatten(PretextModel model, Optimizer optimizer) {
        List<float[]> parts = new ArrayList<>();
        long size = 0;
        for (NDArray a : averaged(model, optimizer)) {
            float[] v = a.toFloatArray();
            parts.add(v);
            size += v.length;
        }
        float[] flat = new float[Math.toIntExact(size)];
        int at = 0;
        for (float[] v : parts) {
            System.arraycopy(v, 0, flat, at, v.length);
            at += v.length;
        }
        return flat;
    }

    /** The run's pieces as the runner wires them (dataset, objective, encoders, device, provenance). */
    static RunComponents components(RunConfig cfg, Path folder) {
        return Guice.createInjector(new RunModule(cfg, Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : SparkPretrainer.class.getClassLoader(), folder))
                .getInstance(RunComponents.class);
    }

    /** Worker {@code w}'s examples of the pretraining split: those at indices i ≡ w (mod W). */
    static Split shard(Split data, int worker, int workers) {
        if (!(data instanceof IndexedSplit indexed)) {
            throw new PretextException("pretext-spark pretrain shards the pretraining split by index, and this"
                    + " dataset's (" + data.getClass().getSimpleName() + ") is streamed from disk: use a dataset held"
                    + " in memory");
        }
        int n = Math.toIntExact((indexed.size() - worker + workers - 1) / workers);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = worker + i * workers;
        }
        return indexed.subset(idx);
    }

    /** The seed of worker {@code w}'s batch order and randomness. */
    static long workerSeed(long seed, int worker) {
        return Seeds.derive(seed, 0x5ba6cL, worker);
    }

    /** One round's work on the executors: restore, K local steps on the worker's shard, its arrays flattened for the sum. */
    static final class Task implements PartitionEvaluatorFactory<Integer, WorkerResult> {
        private static final long serialVersionUID = 1L;
        private static final Object ENGINE = new Object();
        private final String yaml;
        private final Broadcast<byte[]> state;
        private final Plan plan;
        private final long step;
        private final int round;

        Task(String yaml, Broadcast<byte[]> state, Plan plan, long step, int round) {
            this.yaml = yaml;
            this.state = state;
            this.plan = plan;
            this.step = step;
            this.round = round;
        }

        @Override
        public PartitionEvaluator<Integer, WorkerResult> createEvaluator() {
            return (partition, inputs) -> {
                List<WorkerResult> out = new ArrayList<>();
                Iterator<Integer> it = scala.jdk.javaapi.CollectionConverters.asJava(inputs.head());
                while (it.hasNext()) {
                    out.add(work(it.next()));
                }
                return scala.jdk.javaapi.CollectionConverters.asScala(out.iterator());
            };
        }

        private WorkerResult work(int worker) {
            try {
                long t0 = System.nanoTime();
                Worker w = Worker.of(yaml, worker, plan.workers());
                Path dir = Files.createTempDirectory("pretext-spark-worker");
                try {
                    Files.write(dir.resolve(String.format(Locale.ROOT, "step-%08d.ckpt", step)), state.value());
                    double restore = (System.nanoTime() - t0) / 1e9;
                    PretrainConfig config = TrainingSettings.toBuilder(w.cfg.training())
                            .seed(workerSeed(w.cfg.seed(), worker)).steps(plan.totalSteps()).stopAt(step + plan.localSteps())
                            .checkpointDir(dir).resume(true).checkpointEvery(0).logEvery(plan.localSteps()).build();
                    long t1 = System.nanoTime();
                    PretrainResult r;
                    float[] values;
                    // PyTorch records gradients and seeds its generator per process: workers that share an
                    // executor JVM (local[N], or an executor with several cores) take turns, each on the engine's
                    // threads as it started (an embedding task of the same JVM may have set its thread's own)
                    synchronized (ENGINE) {
                        try (EngineThreads threads = EngineThreads.set(EngineSetup.startThreads());
                                PretextModel model = PretextModel.create(w.components.encoders(), w.cfg.encoder().name(),
                                        w.components.objectives().get(), w.shard.exampleShape(), w.components.device(),
                                        w.cfg.seed(), e -> { });
                                Optimizer optimizer = Pretrainer.optimizer(config)) {
                            r = new Pretrainer(config).run(model, w.shard, w.components.provenance());
                            // the optimizer's state lives in the loop: take it, with the parameters, from the checkpoint
                            optimizer.attach(model.trainableParameters(), model.manager());
                            CheckpointStore local = new CheckpointStore(dir, 2);
                            Optional<Long> at = local.restoreLatest(model, optimizer, w.components.provenance());
                            if (at.isEmpty() || at.get() != step + plan.localSteps()) {
                                throw new IllegalStateException("worker " + worker + " wrote no checkpoint at step "
                                        + (step + plan.localSteps()) + (local.skipped().isEmpty() ? ""
                                        : " (" + String.join("; ", local.skipped()) + ")"));
                            }
                            values = flatten(model, optimizer);
                        }
                    }
                    double steps = (System.nanoTime() - t1) / 1e9;
                    Path file = dir.resolve(String.format(Locale.ROOT, "step-%08d.ckpt", step + plan.localSteps()));
                    return new WorkerResult(worker, values, worker == 0 ? Files.readAllBytes(file) : null, r.losses(),
                            restore, steps);
                } finally {
                    FileTrees.delete(dir);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** What an executor JVM keeps between rounds: the wired run and the worker's shard, per config and worker. */
    static final class Worker {
        private static final Map<String, Worker> CACHE = new HashMap<>();
        final RunConfig cfg;
        final RunComponents components;
        final Split shard;

        private Worker(RunConfig cfg, RunComponents components, Split shard) {
            this.cfg = cfg;
            this.components = components;
            this.shard = shard;
        }

        static synchronized Worker of(String yaml, int worker, int workers) throws IOException {
            String key = worker + "/" + workers + "\n" + yaml;
            Worker w = CACHE.get(key);
            if (w == null) {
                Path dir = Files.createTempDirectory("pretext-spark-run");
                Path file = dir.resolve("config.yaml");
                Files.writeString(file, yaml, StandardCharsets.UTF_8);
                Map<String, Object> tree = ConfigLoader.defaults();
                ConfigLoader.merge(tree, ConfigLoader.read(file));
                Files.delete(file);
                dir.toFile().deleteOnExit(); // when a dataset cached nothing in it
                RunConfig cfg = ConfigLoader.resolve(tree);
                RunComponents c = components(cfg, dir);
                w = new Worker(cfg, c, shard(c.pretrain(), worker, workers));
                CACHE.clear(); // one run at a time per JVM
                CACHE.put(key, w);
            }
            return w;
        }
    }
}
