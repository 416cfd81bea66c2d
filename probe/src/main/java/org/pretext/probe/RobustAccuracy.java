package org.pretext.probe;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.pretext.PretextException;
import org.pretext.adversarial.Pgd;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.HostTensor;
import org.pretext.data.Split;
import org.pretext.encoder.Encoder;
import org.pretext.engine.HostArrays;
import org.pretext.engine.Engines;
import org.pretext.engine.NoGradient;

/**
 * Accuracy of a linear probe under attack. The probe fitted on frozen features and the encoder
 * that made them form one classifier of the inputs,
 *
 * <pre>
 *   x ↦ argmax_c ( W · (encoder(x) − μ) / σ + b )_c
 * </pre>
 *
 * (the encoder in inference mode, then the probe's {@link Standardizer} and coefficients). Its
 * accuracy is measured on labelled test inputs twice: on the clean inputs, and on inputs moved by
 * L∞ PGD ({@link Pgd}, Madry et al. 2018) within ε to maximise the classifier's cross-entropy,
 * from a uniform random start in the ε-ball, every iterate clamped to the valid input range. The
 * attack differentiates through the whole classifier, encoder included; the encoder's parameters
 * are excluded from the gradient while it runs (their {@code requiresGradient} is switched off and
 * restored), so only input gradients are computed and the model is left as it was.
 *
 * <p>What is attacked is what the encoder sees: {@code encoderInput} of each batch of raw test
 * examples (the examples themselves for most objectives; e.g. the top half for part-prediction,
 * where perturbing the half the classifier reads is the same attack as perturbing the whole image).
 *
 * <p>The linear head runs in float64 with the probe's coefficients as fitted (the encoder's float32
 * features are promoted by the subtraction of the float64 mean; DJL's {@code toType} would cut the
 * autograd graph). With ε = 0 the attacked and the clean predictions are identical. The clean
 * accuracy is the probe's test accuracy up to near-ties: {@link LogisticModel#evaluate} multiplies
 * in the probe's {@link Precision} (float32 by default) and features are extracted in other batch
 * sizes.
 *
 * <p>Every array is freed before {@link #evaluate} returns. It opens gradient collectors, so it must
 * not run while another one is open (DJL allows one at a time).
 */
public final class RobustAccuracy {
    private RobustAccuracy() {}

    /**
     * How to attack.
     *
     * @param epsilon ε, the L∞ radius in input units (0: the attack leaves every input where it is)
     * @param stepSize α, the signed-gradient step (0: ε/4)
     * @param steps PGD ascent steps
     * @param randomStart start each attack from a uniform random point of the ε-ball
     * @param min lowest valid input value
     * @param max highest valid input value
     * @param maxExamples attack the first N test examples only (0: all)
     * @param batchSize examples attacked together
     * @param seed seeds the random starts
     */
    public record Settings(double epsilon, double stepSize, int steps, boolean randomStart, double min, double max,
            int maxExamples, int batchSize, long seed) {
        public Settings {
            if (!(epsilon >= 0) || !Double.isFinite(epsilon)) {
                throw new PretextException("Invalid PGD radius ε = " + epsilon + ": expected a finite number >= 0");
            }
            if (!(stepSize >= 0) || !Double.isFinite(stepSize)) {
                throw new PretextException("Invalid PGD step size " + stepSize + ": expected a finite number >= 0"
                        + " (0: ε/4)");
            }
            if (steps < 0) {
                throw new PretextException("Invalid number of PGD steps " + steps + ": expected at least 0");
            }
            if (!(max > min)) {
                throw new PretextException("Invalid valid-input range [" + min + ", " + max + "]: expected min < max");
            }
            if (maxExamples < 0 || batchSize < 1) {
                throw new PretextException("Invalid robust-accuracy sizes: examples " + maxExamples + " (expected"
                        + " >= 0), batch " + batchSize + " (expected >= 1)");
            }
        }

        /** α as used: the given step size, or ε/4 when it is 0. */
        public double effectiveStepSize() {
            return stepSize > 0 ? stepSize : epsilon / 4;
        }

        /** The defaults for ε: α = ε/4, 20 steps, random start, inputs in [0, 1], every example, batches of 256. */
        public static Settings of(double epsilon) {
            return new Settings(epsilon, 0, 20, true, 0, 1, 0, 256, 0);
        }
    }

    /**
     * The measurement, as the {@code robust} entry of {@code report.json}.
     *
     * @param features the feature set whose probe was attacked (e.g. "pretrained")
     * @param probe the probe ("logistic")
     * @param labelsPerClass labels per class the probe was fitted with (null: all)
     * @param epsilon ε
     * @param stepSize α as used
     * @param steps PGD steps
     * @param randomStart whether attacks started at a random point of the ball
     * @param min lowest valid input value
     * @param max highest valid input value
     * @param examples test examples attacked
     * @param clean accuracy of the classifier on the clean inputs, in [0, 1]
     * @param robust its accuracy on the attacked inputs, in [0, 1]
     * @param maxPerturbation the largest |x′ − x| over every attacked input (at most ε)
     * @param seconds wall time of the clean and the attacked evaluation
     */
    public record Result(String features, String probe, Integer labelsPerClass, double epsilon, double stepSize,
            int steps, boolean randomStart, double min, double max, int examples, double clean, double robust,
            double maxPerturbation, double seconds) {}

    /**
     * Attacks encoder + probe on (the first examples of) a labelled test split.
     *
     * @param encoder the initialised encoder the probe's features came from
     * @param store the parameter store it runs with (e.g. {@code model.parameterStore()})
     * @param encoderInput what the encoder sees of a batch of raw examples (e.g. {@code objective::encoderInput})
     * @param probe the logistic model fitted on the encoder's features
     * @param test labelled test split
     * @param device where to run
     * @param featuresName the report's name of the feature set, e.g. "pretrained"
     * @param labelsPerClass labels per class the probe was fitted with (null: all)
     */
    public static Result evaluate(Encoder encoder, ParameterStore store, UnaryOperator<HostTensor> encoderInput,
            LogisticModel probe, Split test, Device device, Settings s, String featuresName,
            Integer labelsPerClass) {
        return evaluate(encoder, store, encoderInput, probe, test, device, s, featuresName, labelsPerClass,
                line -> {});
    }

    /**
     * {@link #evaluate}, reporting progress after every attacked batch: {@code "512 of 10000
     * examples, robust so far 41.2 %, 20.5 s, about 380 s left"}.
     */
    public static Result evaluate(Encoder encoder, ParameterStore store, UnaryOperator<HostTensor> encoderInput,
            LogisticModel probe, Split test, Device device, Settings s, String featuresName,
            Integer labelsPerClass, java.util.function.Consumer<String> progress) {
        return evaluate(encoder, store, encoderInput, probe, test, device, s, featuresName, labelsPerClass,
                progress, null);
    }

    /** Receives every batch of attacked inputs, row-major (tests). */
    interface AttackedInputs {
        void accept(float[] rows);
    }

    /** {@link #evaluate}, handing every batch of attacked inputs (row-major) to {@code attackedInputs} (tests). */
    static Result evaluate(Encoder encoder, ParameterStore store, UnaryOperator<HostTensor> encoderInput,
            LogisticModel probe, Split test, Device device, Settings s, String featuresName,
            Integer labelsPerClass, java.util.function.Consumer<String> progress, AttackedInputs attackedInputs) {
        if (!test.hasLabels()) {
            throw new PretextException("Robust accuracy needs a labelled test split");
        }
        if (encoder.featureSize() != probe.dim()) {
            throw new PretextException("The probe was fitted on " + probe.dim() + " features but the encoder makes "
                    + encoder.featureSize());
        }
        long t0 = System.nanoTime();
        int limit = s.maxExamples() > 0 ? (int) Math.min(s.maxExamples(), test.size()) : Math.toIntExact(test.size());
        Pgd.Settings attack = new Pgd.Settings(s.epsilon(), s.effectiveStepSize(), s.steps(), s.randomStart(), s.min(),
                s.max());
        Engines.engine().setRandomSeed((int) (s.seed() ^ (s.seed() >>> 32)));
        int correctClean = 0;
        int correctRobust = 0;
        int seen = 0;
        double maxPerturbation = 0;
        List<NDArray> frozen = freeze(encoder);
        try (NDManager manager = NDManager.newBaseManager(device)) {
            int classes = probe.numClasses();
            int d = probe.dim();
            NDArray mean = HostArrays.doubles(manager, probe.standardizer().mean(), new Shape(d));
            NDArray scale = HostArrays.doubles(manager, probe.standardizer().scale(), new Shape(d));
            NDArray w = HostArrays.doubles(manager, probe.coefficients(), new Shape(classes, d));
            NDArray b = HostArrays.doubles(manager, probe.intercepts(), new Shape(classes));
            Function<NDArray, NDArray> logits = x -> {
                NDArray f = encoder.block().forward(store, new NDList(x), false).singletonOrThrow();
                // float32 − float64 promotes to float64 and stays differentiable
                return Linear.linear(f.sub(mean).div(scale), w, b).singletonOrThrow();
            };
            Iterator<Batch> it = test.batches(BatchPlan.sequential(s.batchSize()));
            while (it.hasNext() && seen < limit) {
                Batch batch = it.next();
                int n = Math.min(batch.size(), limit - seen);
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = encoderInput.apply(batch.inputs()).toNDArray(step);
                    if (n < batch.size()) {
                        x = x.get("0:" + n);
                    }
                    int[] labels = java.util.Arrays.copyOf(batch.labels(), n);
                    NDArray y = HostArrays.longs(step, toLongs(labels), new Shape(n, 1));
                    NDArray clean = x;
                    correctClean += NoGradient.get(() -> correct(logits.apply(clean), labels));
                    Pgd.Result r = Pgd.attack(new NDList(x),
                            in -> logits.apply(in.get(0)).logSoftmax(1).gather(y, 1).sum().neg(), attack);
                    NDArray attacked = r.inputs().get(0);
                    if (attackedInputs != null) {
                        attackedInputs.accept(attacked.toFloatArray());
                    }
                    correctRobust += NoGradient.get(() -> correct(logits.apply(attacked), labels));
                    maxPerturbation = Math.max(maxPerturbation,
                            NoGradient.get(() -> attacked.sub(clean).abs().max().toType(DataType.FLOAT64, false)
                                    .getDouble()));
                }
                seen += n;
                double elapsed = (System.nanoTime() - t0) / 1e9;
                progress.accept(String.format(java.util.Locale.ROOT, "%d of %d examples, robust so far %.1f %%, %.1f s%s",
                        seen, limit, 100.0 * correctRobust / seen, elapsed, seen < limit ? String.format(
                                java.util.Locale.ROOT, ", about %.0f s left", elapsed / seen * (limit - seen)) : ""));
            }
        } finally {
            for (NDArray p : frozen) {
                p.setRequiresGradient(true);
            }
        }
        return new Result(featuresName, "logistic", labelsPerClass, s.epsilon(), s.effectiveStepSize(),
                s.steps(), s.randomStart(), s.min(), s.max(), seen, correctClean / (double) seen,
                correctRobust / (double) seen, maxPerturbation, (System.nanoTime() - t0) / 1e9);
    }

    /** Switches off the gradient of every encoder parameter that has one; returns them, to switch back on. */
    private static List<NDArray> freeze(Encoder encoder) {
        List<NDArray> out = new ArrayList<>();
        for (Pair<String, Parameter> p : encoder.block().getParameters()) {
            if (p.getValue().isInitialized() && p.getValue().getArray().hasGradient()) {
                NDArray a = p.getValue().getArray();
                a.setRequiresGradient(false);
                out.add(a);
            }
        }
        return out;
    }

    private static int correct(NDArray logits, int[] labels) {
        int[] pred = logits.argMax(1).toType(DataType.INT32, false).toIntArray();
        int c = 0;
        for (int i = 0; i < pred.length; i++) {
            if (pred[i] == labels[i]) {
                c++;
            }
        }
        return c;
    }

    private static long[] toLongs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
