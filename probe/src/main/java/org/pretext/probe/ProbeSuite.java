package org.pretext.probe;

import org.pretext.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pretext.PretextException;
import org.pretext.data.Finite;
import org.pretext.data.Split;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.Features;
import org.pretext.evaluation.Probe;
import org.pretext.runtime.EngineThreads;

/**
 * The whole frozen-feature evaluation of one feature set: every probe at every label budget,
 * each k-per-class budget over several seeded draws of the labelled subset, reported as mean ±
 * standard deviation. This is the entry point the runner calls.
 *
 * <pre>{@code
 * ProbeOptions options = ProbeOptions.defaults(device)               // 10/class (5 draws) and all;
 *         .withBudgets(LabelBudget.EFFICIENCY_CURVE).withSeed(seed); // logistic, knn, mean
 * ProbeSuite suite = new ProbeSuite(options);
 * List<ProbeResult> results = new ArrayList<>();
 * results.addAll(suite.run("pretrained", trainFeatures, testFeatures));
 * results.addAll(suite.run("raw-input", RawFeatures.of(train), RawFeatures.of(test)));
 * }</pre>
 *
 * <p>Features are given once per feature set (extract them once with {@link Features#extract}, or
 * use {@link #runEncoder}) and every probe and draw reuses them: the test features go to the
 * device once, the labelled subsets of each draw once per draw. Labelled subsets are drawn from
 * the training matrix alone ({@link LabelDraws}); the test matrix is only scored. Each draw uses the
 * same labelled rows for all probes. Result order: by budget as given, then by probe as given.
 *
 * <p>Budgets: {@code k} per class needs every class to have at least k training rows (else a
 * {@link PretextException} names the class and its count); "all" uses every training row once.
 * Memory: every NDArray is freed before {@link #run} returns.
 *
 * <p>Threads: while {@link #run} evaluates, the PyTorch engine's intra-op thread count is set to
 * {@link #DEFAULT_ENGINE_THREADS} (1) and restored afterwards ({@link #withEngineThreads}; 0
 * leaves the engine alone). The probe's work is many small or memory-bound ops, and with two
 * OpenMP threads every op waits for the slower thread: on this 2-core machine under load, probing
 * three MNIST feature sets took 218 s with 2 threads against 27 s with 1 (CPU 99 s against 13 s).
 * So the cores are used by evaluating draws at once instead ({@link #withWorkers}): up to that
 * many draws, of one feature set or of several given together ({@link #runAll}), each on its own
 * thread with that engine thread count and its own copies of the probes. The numbers do not
 * depend on the workers: every draw computes exactly what it computes alone. Do not run a suite
 * while another thread trains on the same engine.
 */
public final class ProbeSuite {
    /** Intra-op threads of the engine while a suite runs. */
    public static final int DEFAULT_ENGINE_THREADS = 1;
    private final ProbeOptions options;
    private final int engineThreads;
    private final int workers;
    private final java.util.function.Consumer<String> progress;

    public ProbeSuite(ProbeOptions options) {
        this(options, DEFAULT_ENGINE_THREADS, 1, line -> {});
    }

    private ProbeSuite(ProbeOptions options, int engineThreads, int workers,
            java.util.function.Consumer<String> progress) {
        if (engineThreads < 0) {
            throw new PretextException("Invalid engine thread count " + engineThreads + " for probing: expected 0"
                    + " (leave the engine's setting) or more");
        }
        if (workers < 1) {
            throw new PretextException("Invalid number of probe workers " + workers + ": expected 1 or more");
        }
        this.options = options;
        this.engineThreads = engineThreads;
        this.workers = workers;
        this.progress = progress;
    }

    /** This suite with another engine thread count while it runs (0: leave the engine's setting). */
    public ProbeSuite withEngineThreads(int threads) {
        return new ProbeSuite(options, threads, workers, progress);
    }

    /**
     * This suite evaluating up to {@code workers} draws at once (1, the default: one at a time on
     * the calling thread), each worker at this suite's engine thread count with its own copies of
     * the probes ({@link NamedProbe#copies()}). A suite with a probe that has no copies (a plug-in's)
     * runs one draw at a time whatever this says. The draws most likely to be long (the "all"
     * budgets, in the order given) start first.
     */
    public ProbeSuite withWorkers(int workers) {
        return new ProbeSuite(options, engineThreads, workers, progress);
    }

    /** Draws evaluated at once: {@link #withWorkers}, or 1 when some probe has no copies. */
    public int workers() {
        return options.probes().stream().allMatch(p -> p.copies() != null) ? workers : 1;
    }

    /**
     * This suite reporting progress: after every draw, a line such as {@code "pretrained: 10 labels
     * per class, draw 3 of 5 (7 of 11 draws, 12.4 s, about 9 s left)"}. The caller decides how
     * often to show it (e.g. redrawn on a terminal, every few seconds in a log).
     */
    public ProbeSuite withProgress(java.util.function.Consumer<String> lines) {
        return new ProbeSuite(options, engineThreads, workers, lines);
    }

    public ProbeOptions options() {
        return options;
    }

    public int engineThreads() {
        return engineThreads;
    }

    /** {@link #run(String, Features.Matrix, Features.Matrix, List)} naming classes by index. */
    public List<ProbeResult> run(String featuresName, Features.Matrix train, Features.Matrix test) {
        return run(featuresName, train, test, null);
    }

    /**
     * Evaluates one feature set.
     *
     * @param featuresName the report's name for it ("pretrained", "random-encoder", "raw-input", "file")
     * @param train labelled training features (labels required)
     * @param test labelled test features of the same width
     * @param classNames names for error messages (index → name), or null
     * @return one result per budget and probe
     */
    public List<ProbeResult> run(String featuresName, Features.Matrix train, Features.Matrix test,
            List<String> classNames) {
        return runKeepingModel(featuresName, train, test, classNames).results();
    }

    /**
     * The results of one feature set and the logistic model fitted on every training label.
     *
     * @param results as {@link #run} returns them
     * @param allLabelsModel the logistic probe's final fit at the "all" budget (host data only, usable
     *     after the suite's arrays are freed), or null when the budgets have no "all" or the probes no
     *     logistic
     */
    public record Evaluation(List<ProbeResult> results, LogisticModel allLabelsModel) {}

    /**
     * {@link #run(String, Features.Matrix, Features.Matrix, List)}, also returning the logistic model
     * of the "all" budget (e.g. to attack it: {@link RobustAccuracy}).
     */
    public Evaluation runKeepingModel(String featuresName, Features.Matrix train, Features.Matrix test,
            List<String> classNames) {
        return runAll(List.of(new FeatureSet(featuresName, train, test)), classNames).get(0);
    }

    /**
     * One feature set of {@link #runAll}.
     *
     * @param name the report's name for it ("pretrained", "random-encoder", "raw-input", "file")
     * @param train labelled training features (labels required)
     * @param test labelled test features of the same width
     */
    public record FeatureSet(String name, Features.Matrix train, Features.Matrix test) {}

    /**
     * Evaluates several feature sets as {@link #runKeepingModel} evaluates one, their draws sharing
     * this suite's workers: with two workers, the draws of one set run beside those of another
     * instead of after them. Every set is checked before any draw starts.
     *
     * @param classNames names for error messages (index → name), or null
     * @return one evaluation per set, in the order given
     */
    public List<Evaluation> runAll(List<FeatureSet> sets, List<String> classNames) {
        for (FeatureSet set : sets) {
            check("'" + set.name() + "'", set.train(), set.test(), classNames);
        }
        try (EngineThreads threads = EngineThreads.set(engineThreads)) {
            if (workers() > 1) {
                return evaluate(sets, classNames, true);
            }
            List<Evaluation> out = new ArrayList<>(); // one set's arrays at a time, its budgets in order
            for (FeatureSet set : sets) {
                out.addAll(evaluate(List.of(set), classNames, false));
            }
            return out;
        }
    }

    /**
     * Fits the logistic probe on every training row alone, exactly as the "all" budget of a suite
     * with logistic fits it (same C selection, same seed), without running anything else.
     */
    public LogisticModel fitAllLabels(Features.Matrix train, Features.Matrix test) {
        check("the features", train, test, null);
        Features.Matrix tr = withClassesOf(train, test);
        int numClasses = tr.numClasses();
        try (EngineThreads threads = EngineThreads.set(engineThreads);
                NDManager manager = NDManager.newBaseManager(options.device())) {
            NDArray testX = HostArrays.floats(manager, test.values(), new Shape(test.rows(), test.cols()));
            NDArray testY = manager.create(test.labels());
            long seed = LabelDraws.drawSeed(options.seed(), LabelBudget.all(), 0);
            return logistic().run(tr, null, null, testX, testY, seed, manager).model();
        }
    }

    /**
     * Every probe of this suite on labelled rows chosen elsewhere, one draw per row set: e.g. the
     * draws of a fine-tuning evaluation, so that the linear probe of frozen features is judged on
     * exactly the labels fine-tuning had. The suite's budgets and draw count play no part.
     *
     * @param draws the rows of {@code train} of each draw
     * @param seeds each draw's seed (for probes that choose their regularisation at random)
     * @return by probe name, the test accuracy of every draw in order
     */
    public Map<String, double[]> evaluateRows(Features.Matrix train, Features.Matrix test, List<int[]> draws,
            long[] seeds) {
        check("the features", train, test, null);
        if (seeds.length != draws.size()) {
            throw new IllegalArgumentException(draws.size() + " draws but " + seeds.length + " seeds");
        }
        Features.Matrix tr = withClassesOf(train, test);
        int numClasses = tr.numClasses();
        Map<String, double[]> out = new LinkedHashMap<>();
        for (NamedProbe probe : options.probes()) {
            out.put(probe.name(), new double[draws.size()]);
        }
        try (EngineThreads threads = EngineThreads.set(engineThreads);
                NDManager manager = NDManager.newBaseManager(options.device())) {
            NDArray testX = HostArrays.floats(manager, test.values(), new Shape(test.rows(), test.cols()));
            NDArray testY = manager.create(test.labels());
            for (int d = 0; d < draws.size(); d++) {
                int[] rows = draws.get(d);
                try (NDManager draw = manager.newSubManager()) {
                    NDArray x = LogisticProbe.upload(draw, tr, rows);
                    int[] y = LogisticProbe.gatherLabels(tr, rows);
                    for (NamedProbe probe : options.probes()) {
                        Probe.Outcome o = probe.probe().evaluate(new Probe.Draw(tr, rows, x, y, numClasses, testX,
                                testY, test.labels(), seeds[d], draw));
                        out.get(probe.name())[d] = o.testAccuracy();
                    }
                }
            }
        }
        return out;
    }

    /** The suite's logistic probe, or the default one when the suite has none. */
    private LogisticProbe logistic() {
        for (NamedProbe p : options.probes()) {
            if (p.probe() instanceof LogisticProbe l) {
                return l;
            }
        }
        return new LogisticProbe(LogisticOptions.defaults());
    }

    /** The training features counting the classes of both splits (a class may be in the test split alone). */
    private static Features.Matrix withClassesOf(Features.Matrix train, Features.Matrix test) {
        int numClasses = Math.max(train.numClasses(), test.numClasses());
        return train.numClasses() == numClasses ? train
                : new Features.Matrix(train.values(), train.rows(), train.cols(), train.labels(), numClasses);
    }

    /** @param longestFirst start the "all" budgets' draws first (else every draw in budget order) */
    private List<Evaluation> evaluate(List<FeatureSet> sets, List<String> classNames, boolean longestFirst) {
        List<NamedProbe> probes = options.probes();
        try (NDManager manager = NDManager.newBaseManager(options.device())) {
            List<SetDraws> drawn = new ArrayList<>();
            for (FeatureSet set : sets) {
                drawn.add(new SetDraws(set, classNames, manager.newSubManager()));
            }
            List<DrawTask> tasks = new ArrayList<>();
            for (SetDraws set : drawn) {
                for (BudgetDraws budget : set.budgets) {
                    for (int d = 0; d < budget.rows.length; d++) {
                        tasks.add(new DrawTask(set, budget, d));
                    }
                }
            }
            if (longestFirst) { // a stable sort: the "all" budgets' draws first, each group in the order above
                tasks.sort(java.util.Comparator.comparing(t -> !t.budget().budget.isAll()));
            }
            new DrawRunner(tasks, probes).run();
            List<Evaluation> out = new ArrayList<>();
            for (SetDraws set : drawn) {
                out.add(set.evaluation(probes));
            }
            return out;
        }
    }

    /** A feature set's device arrays and labelled subsets, drawn before any draw is evaluated. */
    private final class SetDraws {
        final String name;
        final Features.Matrix train;
        final Features.Matrix test;
        final int numClasses;
        final NDManager manager;
        final NDArray testX;
        final NDArray testY;
        final NDArray allTrain;
        final List<BudgetDraws> budgets = new ArrayList<>();
        final int totalDraws;

        SetDraws(FeatureSet set, List<String> classNames, NDManager manager) {
            name = set.name();
            train = withClassesOf(set.train(), set.test());
            numClasses = train.numClasses();
            test = set.test();
            this.manager = manager;
            int draws = 0;
            for (LabelBudget budget : options.budgets()) {
                BudgetDraws b = new BudgetDraws(budget, budget.isAll() ? 1 : options.draws(), options.probes().size());
                for (int d = 0; d < b.rows.length; d++) {
                    b.seeds[d] = LabelDraws.drawSeed(options.seed(), budget, d);
                    b.rows[d] = budget.isAll() ? null : LabelDraws.perClass(train.labels(), numClasses,
                            budget.perClass(), b.seeds[d], "the training split of '" + name + "'", classNames);
                }
                budgets.add(b);
                draws += b.rows.length;
            }
            totalDraws = draws;
            testX = HostArrays.floats(manager, test.values(), new Shape(test.rows(), test.cols()));
            testY = manager.create(test.labels());
            allTrain = options.budgets().stream().anyMatch(LabelBudget::isAll)
                    ? HostArrays.floats(manager, train.values(), new Shape(train.rows(), train.cols())) : null;
        }

        Evaluation evaluation(List<NamedProbe> probes) {
            List<ProbeResult> results = new ArrayList<>();
            LogisticModel kept = null;
            for (BudgetDraws b : budgets) {
                int labelled = b.rows[0] == null ? train.rows() : b.rows[0].length;
                for (int p = 0; p < probes.size(); p++) {
                    results.add(b.result(name, probes.get(p), p, labelled, test.rows()));
                    if (b.budget.isAll() && b.models[p][0] instanceof LogisticModel m) {
                        kept = m;
                    }
                }
            }
            return new Evaluation(results, kept);
        }
    }

    /** The draws of one budget of one feature set and, per probe and draw, what each gave. */
    private static final class BudgetDraws {
        final LabelBudget budget;
        final int[][] rows;
        final long[] seeds;
        final double[][] accuracy;
        final double[][] l2;
        final String[][] selection;
        final Object[][] models;
        final long[][] nanos;

        BudgetDraws(LabelBudget budget, int draws, int probes) {
            this.budget = budget;
            rows = new int[draws][];
            seeds = new long[draws];
            accuracy = new double[probes][draws];
            l2 = new double[probes][draws];
            selection = new String[probes][draws];
            models = new Object[probes][draws];
            nanos = new long[probes][draws];
        }

        ProbeResult result(String features, NamedProbe probe, int p, int labelled, int tests) {
            boolean hasL2 = java.util.Arrays.stream(l2[p]).anyMatch(Double::isFinite);
            String chosen = null;
            for (String s : selection[p]) {
                chosen = s != null ? s : chosen;
            }
            return new ProbeResult(features, probe.name(), budget.perClass(), Accuracy.mean(accuracy[p]),
                    Accuracy.std(accuracy[p]), accuracy[p].length, accuracy[p].clone(), seeds.clone(), labelled,
                    tests, hasL2 ? mostFrequentL2(l2[p]) : null, hasL2 ? l2[p].clone() : null, chosen,
                    probe.settings(), java.util.Arrays.stream(nanos[p]).sum() / 1e9);
        }
    }

    /** One draw: every probe on the draw's labelled rows; writes only its own slot of the budget's arrays. */
    private record DrawTask(SetDraws set, BudgetDraws budget, int draw) {
        void run(List<Probe> probes) {
            int[] rows = budget.rows[draw];
            int[] drawRows = rows != null ? rows : LogisticProbe.range(set.train.rows());
            try (NDManager m = set.manager.newSubManager()) {
                NDArray x = rows == null ? set.allTrain : LogisticProbe.upload(m, set.train, rows);
                int[] y = LogisticProbe.gatherLabels(set.train, drawRows);
                for (int p = 0; p < probes.size(); p++) {
                    long t0 = System.nanoTime();
                    Probe.Outcome o = probes.get(p).evaluate(new Probe.Draw(set.train, drawRows, x, y, set.numClasses,
                            set.testX, set.testY, set.test.labels(), budget.seeds[draw], m));
                    budget.accuracy[p][draw] = o.testAccuracy();
                    budget.l2[p][draw] = o.l2() == null ? Double.NaN : o.l2();
                    budget.selection[p][draw] = o.l2Selection();
                    budget.models[p][draw] = o.model();
                    budget.nanos[p][draw] = System.nanoTime() - t0;
                }
            }
        }
    }

    /**
     * Evaluates draws on the calling thread (one worker) or on worker threads ({@link WorkerThreads}),
     * each with its own copies of the probes, and reports progress after every draw.
     */
    private final class DrawRunner {
        private final List<DrawTask> tasks;
        private final List<NamedProbe> probes;
        private final long start = System.nanoTime();
        private int done;
        private final java.util.Map<SetDraws, int[]> doneBySet = new java.util.IdentityHashMap<>();

        DrawRunner(List<DrawTask> tasks, List<NamedProbe> probes) {
            this.tasks = tasks;
            this.probes = probes;
        }

        void run() {
            int n = workers();
            // one worker (the calling thread): the suite's own probes; several: each thread its own copies
            ThreadLocal<List<Probe>> instances = ThreadLocal.withInitial(
                    () -> probes.stream().map(p -> n > 1 ? p.copies().get() : p.probe()).toList());
            WorkerThreads.run(tasks, n, "pretext-probe", t -> {
                try (EngineThreads threads = EngineThreads.set(engineThreads)) {
                    t.run(instances.get());
                }
                report(t);
            });
        }

        private synchronized void report(DrawTask t) {
            done++;
            int setDone = ++doneBySet.computeIfAbsent(t.set(), k -> new int[1])[0];
            int total = tasks.size();
            double elapsed = (System.nanoTime() - start) / 1e9;
            LabelBudget budget = t.budget().budget;
            progress.accept(String.format(java.util.Locale.ROOT, "%s: %s, draw %d of %d (%d of %d draws%s, %.1f s%s)",
                    t.set().name, budget.isAll() ? "all labels" : budget.perClass() + " labels per class",
                    t.draw() + 1, t.budget().rows.length, done, total, total == t.set().totalDraws ? ""
                            : String.format(java.util.Locale.ROOT, "; %d of %d of this feature set", setDone,
                                    t.set().totalDraws), elapsed, done < total ? String.format(java.util.Locale.ROOT,
                                            ", about %.0f s left", elapsed / done * (total - done)) : ""));
        }
    }

    /**
     * Extracts an encoder's frozen features of both splits once (batched, inference mode) and
     * evaluates them.
     *
     * @param store the parameter store the encoder runs with (e.g. {@code model.parameterStore()})
     * @param batchSize examples per forward pass
     */
    public List<ProbeResult> runEncoder(String featuresName, Encoder encoder, ParameterStore store, Split train,
            Split test, int batchSize) {
        Features.Matrix tr = Features.extract(encoder, store, train, options.device(), batchSize);
        Features.Matrix te = Features.extract(encoder, store, test, options.device(), batchSize);
        return run(featuresName, tr, te);
    }

    /**
     * Refuses what no probe can judge: unlabelled or mismatched matrices, labels out of range,
     * fewer than two classes among the training labels (every probe would score 100%), and values
     * that are not finite (one NaN row made kNN and mean probes report 36% instead of 77%).
     */
    private static void check(String what, Features.Matrix train, Features.Matrix test, List<String> classNames) {
        if (train.labels() == null || test.labels() == null) {
            throw new PretextException("The probe needs labelled features: the "
                    + (train.labels() == null ? "training" : "test") + " features have no labels");
        }
        if (train.cols() != test.cols()) {
            throw new PretextException("Training features have " + train.cols() + " columns but test features have "
                    + test.cols() + ": expected the same feature width");
        }
        for (Features.Matrix m : List.of(train, test)) {
            if (m.labels().length != m.rows() || (long) m.rows() * m.cols() != m.values().length) {
                throw new PretextException("A feature matrix of " + m.rows() + " × " + m.cols() + " has "
                        + m.values().length + " values and " + m.labels().length + " labels: expected "
                        + (long) m.rows() * m.cols() + " and " + m.rows());
            }
            int nc = Math.max(train.numClasses(), test.numClasses());
            for (int i = 0; i < m.labels().length; i++) {
                if (m.labels()[i] < 0 || m.labels()[i] >= nc) {
                    throw new PretextException("Label " + m.labels()[i] + " of row " + i + " of the "
                            + (m == train ? "training" : "test") + " features is outside 0.." + (nc - 1));
                }
            }
        }
        requireTwoClasses(what, train.labels(), classNames);
        for (Features.Matrix m : List.of(train, test)) {
            int bad = Finite.firstNonFinite(m.values(), 0, m.values().length);
            if (bad >= 0) {
                throw new PretextException("The " + (m == train ? "training" : "test") + " features of " + what
                        + " hold " + m.values()[bad] + " at " + Finite.position(bad, new long[] {m.rows(), m.cols()})
                        + " (counting from 0; the first value that is not a finite number): the probes need finite"
                        + " features (an encoder whose training diverged, or input data holding NaN or infinity)");
            }
        }
    }

    /**
     * Refuses labels of fewer than two distinct classes: a probe of one class scores 100% whatever
     * the features.
     *
     * @param what names the labelled data, for the message
     * @param classNames class names by index, or null
     */
    public static void requireTwoClasses(String what, int[] labels, List<String> classNames) {
        int first = labels.length == 0 ? -1 : labels[0];
        for (int y : labels) {
            if (y != first) {
                return;
            }
        }
        throw new PretextException("The training labels of " + what + " hold " + (first < 0 ? "no class"
                : "one class only (" + (classNames != null && first < classNames.size() ? "'" + classNames.get(first)
                        + "'" : "class " + first) + ", " + labels.length + " rows)")
                + ": a probe needs at least two classes (with one, every probe scores 100%)");
    }

    /**
     * The L2 strength chosen in most draws, as a report gives it; ties go to the stronger
     * regularisation (larger λ). The Spark probe reports with the same rule.
     */
    public static double mostFrequentL2(double[] drawL2) {
        Map<Double, Integer> counts = new TreeMap<>();
        for (double x : drawL2) {
            counts.merge(x, 1, Integer::sum);
        }
        double best = Double.NaN;
        int bestCount = 0;
        for (Map.Entry<Double, Integer> e : counts.entrySet()) {
            if (e.getValue() >= bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }
}
