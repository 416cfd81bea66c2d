package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.pretext.engine.Scalars;

/**
 * DINO's last layer: a linear map without bias whose K rows are unit vectors, the prototypes,
 *
 * <pre>
 *   y_k = (v_k / ‖v_k‖) · z
 * </pre>
 *
 * PyTorch's {@code weight_norm(nn.Linear(bottleneck, K, bias=False))} with the gains fixed at 1
 * (DINO's {@code norm_last_layer=True}). On an ℓ2-normalised input z, every output is a cosine in
 * [−1, 1]. The stored weight V may change length without changing the layer: decoupled weight
 * decay shrinks V while its gradient is held at zero (the frozen first part of the run), and the
 * layer stays exactly where it was up to rounding.
 *
 * <p>The same layer as the {@code examples/dino-plugin} example's (built-in objectives do not import examples). It
 * normalises a parameter, so unlike {@link org.pretext.blocks.Norms#unitRows} on activations it
 * moves its temporaries into the step's manager itself.
 */
public final class WeightNormLinear extends AbstractBlock {
    private static final byte VERSION = 1;
    private final int out;
    private final Parameter weight;
    private final Parameter gain;

    /**
     * @param in input width (DINO's bottleneck)
     * @param out number of prototypes K
     * @param learnedGains whether each row has a trained gain g_k, starting at 1 (y_k = g_k·v_k·z/‖v_k‖;
     *     DINO's {@code norm_last_layer=False}); otherwise every gain is 1
     */
    public WeightNormLinear(int in, int out, boolean learnedGains) {
        super(VERSION);
        this.out = out;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(out, in)).build());
        gain = learnedGains ? addParameter(Parameter.builder().setName("gain").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(out, 1)).build()) : null;
    }

    /** V, the unnormalised (K, in) weight that the optimizer updates. */
    public Parameter weight() {
        return weight;
    }

    /** This layer's parameters: V, and the gains when they are learned. */
    public java.util.List<Parameter> trained() {
        return gain == null ? java.util.List.of(weight) : java.util.List.of(weight, gain);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray v = store.getValue(weight, x.getDevice(), training);
        // V / max(‖v_k‖, 1e−12) as Norms.unitRows computes it, but with every new array in the input's (the step's)
        // manager: an op's result belongs to its first operand's manager, here the parameter's, the model's
        NDArray norm = v.norm(new int[] {1}, true);
        norm.attach(x.getManager());
        NDArray unit = v.div(Scalars.maximum(norm, 1e-12));
        unit.attach(x.getManager());
        return Linear.linear(x, gain == null ? unit : unit.mul(store.getValue(gain, x.getDevice(), training)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), out)};
    }

    @Override
    public String toString() {
        return "WeightNormLinear(out=" + out + ")";
    }
}
