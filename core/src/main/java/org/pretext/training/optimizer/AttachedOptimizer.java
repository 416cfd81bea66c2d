package org.pretext.training.optimizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.runtime.EngineArrays;

/**
 * What every {@link Optimizer} of the loop keeps alike: the parameters it is attached to, by name
 * in update order, a sub-manager of the model's for its state, the update count, and the checks
 * that a saved state names the same parameters.
 */
abstract class AttachedOptimizer implements Optimizer {
    protected final List<String> names = new ArrayList<>();
    protected final List<Parameter> params = new ArrayList<>();
    protected NDManager manager;
    protected long updates;

    @Override
    public final void attach(Map<String, Parameter> parameters, NDManager owner) {
        if (manager != null) {
            throw new IllegalStateException("already attached");
        }
        manager = owner.newSubManager();
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            names.add(e.getKey());
            params.add(e.getValue());
            attachState(e.getValue().getArray());
        }
    }

    /**
     * Whether a decoupled weight decay λ applies to a weight: λ > 0, and the weight is a matrix or
     * vectors are decayed too ({@code weight-decay-vectors}).
     */
    protected static boolean decays(NDArray w, double weightDecay, boolean decayVectors) {
        return weightDecay > 0 && decayable(w, decayVectors);
    }

    /** Whether weight decay applies to {@code w} at all: a matrix or more, or any tensor with {@code decayVectors}. */
    protected static boolean decayable(NDArray w, boolean decayVectors) {
        return decayVectors || w.getShape().dimension() > 1;
    }

    /** Creates the state of one parameter (e.g. zero moments) in {@link #manager}; none by default. */
    protected void attachState(NDArray weight) {}

    @Override
    public long updates() {
        return updates;
    }

    @Override
    public void zeroGradients() {
        for (Parameter p : params) {
            EngineArrays.zeroGradient(p.getArray());
        }
    }

    @Override
    public double gradientNorm(NDManager scratch) {
        NDList squares = new NDList(params.size());
        for (Parameter p : params) {
            NDArray g = p.getArray().getGradient();
            g.attach(scratch); // the wrapper, and all computed from it, is freed with the scratch manager
            squares.add(g.square().sum().reshape(1));
        }
        NDArray all = squares.size() == 1 ? squares.get(0) : NDArrays.concat(squares);
        return Math.sqrt(all.sum().getFloat());
    }

    /** Refuses a saved state for another number of parameters. */
    protected void requireCount(int n) {
        if (n != names.size()) {
            throw new PretextException("optimizer state holds " + n + " parameters, the model has " + names.size());
        }
    }

    /** Refuses a saved state whose i-th parameter is another one. */
    protected void requireName(int i, String name) {
        if (!name.equals(names.get(i))) {
            throw new PretextException("optimizer state for parameter '" + name + "' where the model has '"
                    + names.get(i) + "'");
        }
    }

    /** Names of the parameters in update order. */
    @Override
    public Map<String, Parameter> parameters() {
        Map<String, Parameter> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            m.put(names.get(i), params.get(i));
        }
        return m;
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
