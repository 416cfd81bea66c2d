package org.pretext.engine;

import org.apiguardian.api.API;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.function.BinaryOperator;

/**
 * Arithmetic between an array and a constant that is safe inside a {@code GradientCollector}.
 *
 * <p>DJL's PyTorch engine implements {@code NDArray.mul(Number)} (and {@code div}, {@code pow},
 * {@code maximum}, {@code minimum}) by wrapping the constant in a tensor that points into a Java
 * direct buffer, then closing that wrapper as soon as the op returns. Autograd keeps the tensor for
 * the backward pass, so a garbage collection between forward and backward frees the buffer and the
 * backward pass reads whatever reused the memory: in a forced trial 42 of 50 gradients of
 * {@code x.mul(3f)} came out wrong, and in training it showed as a near-zero gradient in one step of
 * a few hundred, runs that differed under the same seed, and a NaN loss. The helpers here make the
 * constant a tensor that libtorch allocated and owns. {@code add} and {@code sub} with a constant
 * are safe in DJL as they are (their backward never reads the constant).
 *
 * <p>Objectives and encoders use these for every constant in a differentiable path; plug-ins
 * should do the same.
 */
@API(status = API.Status.STABLE, since = "0.1")
public final class Scalars {
    private Scalars() {}

    /** x · c. */
    public static NDArray mul(NDArray x, double c) {
        return withConstant(x, c, NDArray::mul);
    }

    /** x / c. */
    public static NDArray div(NDArray x, double c) {
        return withConstant(x, c, NDArray::div);
    }

    /** x^c, element-wise. */
    public static NDArray pow(NDArray x, double c) {
        return withConstant(x, c, NDArray::pow);
    }

    /** max(x, c), element-wise. */
    public static NDArray maximum(NDArray x, double c) {
        return withConstant(x, c, NDArray::maximum);
    }

    /** min(x, c), element-wise. */
    public static NDArray minimum(NDArray x, double c) {
        return withConstant(x, c, NDArray::minimum);
    }

    private static NDArray withConstant(NDArray x, double c, BinaryOperator<NDArray> op) {
        try (NDArray k = constant(x, c)) {
            return op.apply(x, k);
        }
    }

    /** A 0-d array holding c, of x's type, device and manager, in memory libtorch owns. */
    public static NDArray constant(NDArray x, double c) {
        return x.getManager().full(new Shape(), (float) c, x.getDataType());
    }
}
