package org.pretext.adversarial;

import org.apiguardian.api.API;
import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.function.Function;
import org.pretext.engine.Engines;
import org.pretext.engine.NoGradient;

/**
 * Projected gradient ascent in an L∞ ball (Madry et al. 2018): from x⁰ = x (or a uniform random
 * point of the ball), repeat
 *
 * <pre>
 *   x^{t+1} = clip_[lo, hi]( Π_{‖x′ − x‖∞ ≤ ε}( x^t + α·sign(∇_x L(x^t)) ) )
 * </pre>
 *
 * for a number of steps, on every floating-point array of a list at once (integer arrays such as
 * index tables pass through unchanged). The valid range takes precedence over the ball: an input
 * that lies outside [lo, hi] by more than ε (augmentation noise can put it there) is clamped
 * into the range. Each step opens its own {@link GradientCollector}, so the
 * attack must run where no other collector is open (DJL allows one at a time); gradients it
 * leaves on model parameters are the caller's to zero. Every array it creates attaches to the
 * inputs' managers.
 *
 * <p>It lives in {@code api} so that objectives and evaluations share one attack: the
 * {@code adversarial} objective trains against it, and the probe module's
 * {@code RobustAccuracy} measures a linear probe's accuracy under it.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class Pgd {
    /**
     * @param epsilon ε, the L∞ radius
     * @param stepSize α
     * @param steps number of ascent steps (0: only the random start, if any)
     * @param randomStart start from a uniform point of the ball instead of x
     * @param min lowest valid input value
     * @param max highest valid input value
     */
    public record Settings(double epsilon, double stepSize, int steps, boolean randomStart, double min, double max) {
        public Settings {
            if (!(epsilon >= 0) || !(stepSize >= 0) || steps < 0 || !(max > min)) {
                throw new IllegalArgumentException("invalid PGD settings: " + epsilon + ", " + stepSize + ", " + steps
                        + ", [" + min + ", " + max + "]");
            }
        }
    }

    /**
     * The perturbed inputs and the loss seen at the first and at the last ascent step (NaN when
     * there were no steps).
     */
    public record Result(NDList inputs, double firstLoss, double lastLoss) {}

    private Pgd() {}

    /**
     * Perturbs the floating-point inputs to maximise {@code loss}.
     *
     * @param inputs the clean inputs (no gradient)
     * @param loss a scalar function (float32 or float64) of inputs of the same layout, built from NDArray
     *     operations
     */
    public static Result attack(NDList inputs, Function<NDList, NDArray> loss, Settings s) {
        int n = inputs.size();
        NDArray[] clean = new NDArray[n];
        NDArray[] lower = new NDArray[n];
        NDArray[] upper = new NDArray[n];
        NDArray[] x = new NDArray[n];
        NoGradient.run(() -> {
            for (int i = 0; i < n; i++) {
                NDArray a = inputs.get(i);
                if (!a.getDataType().isFloating()) {
                    continue;
                }
                clean[i] = a;
                lower[i] = a.sub((float) s.epsilon());
                upper[i] = a.add((float) s.epsilon());
                NDArray start = a;
                if (s.randomStart() && s.epsilon() > 0) {
                    NDManager m = a.getManager();
                    start = a.add(m.randomUniform((float) -s.epsilon(), (float) s.epsilon(), a.getShape(),
                            a.getDataType()));
                }
                x[i] = project(start, lower[i], upper[i], s);
            }
        });
        double first = Double.NaN;
        double last = Double.NaN;
        for (int t = 0; t < s.steps(); t++) {
            NDList current = new NDList(n);
            NDArray[] leaf = new NDArray[n];
            for (int i = 0; i < n; i++) {
                if (clean[i] == null) {
                    current.add(inputs.get(i));
                } else {
                    leaf[i] = x[i].stopGradient();
                    leaf[i].setRequiresGradient(true);
                    current.add(leaf[i]);
                }
            }
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                NDArray l = loss.apply(current);
                gc.backward(l);
                last = l.getDataType() == DataType.FLOAT64 ? l.getDouble() : l.toType(DataType.FLOAT32, false).getFloat();
            }
            if (t == 0) {
                first = last;
            }
            NoGradient.run(() -> {
                for (int i = 0; i < n; i++) {
                    if (clean[i] != null) {
                        NDArray g = leaf[i].getGradient();
                        x[i] = project(leaf[i].add(Scalars.mul(g.sign(), s.stepSize())), lower[i], upper[i], s);
                    }
                }
            });
        }
        NDList out = new NDList(n);
        for (int i = 0; i < n; i++) {
            out.add(clean[i] == null ? inputs.get(i) : x[i].stopGradient());
        }
        return new Result(out, first, last);
    }

    /** Into the ε-ball, then into the valid range (which wins for inputs that lie outside it). */
    private static NDArray project(NDArray x, NDArray lower, NDArray upper, Settings s) {
        return Scalars.minimum(Scalars.maximum(x.maximum(lower).minimum(upper), s.min()), s.max());
    }
}
