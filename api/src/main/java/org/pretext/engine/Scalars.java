package org.pretext.engine;

import org.apiguardian.api.API;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
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

    /**
     * A 0-d array holding c, of x's type, device and manager, in memory libtorch owns. Where DJL
     * has no name for x's type (bfloat16 under mixed precision: {@code DataType.UNKNOWN}, which
     * DJL's engine cannot create) it is float32, which a 0-d operand does not promote x from: the
     * result keeps x's type, as with a Python number in PyTorch.
     */
    public static NDArray constant(NDArray x, double c) {
        return x.getManager().full(new Shape(), (float) c, creatableType(x));
    }

    /**
     * x in float32 where it is bfloat16 (the type {@code training.precision: bf16} gives the
     * encoder's matrix products, which DJL reports as {@code DataType.UNKNOWN} and whose ops that
     * pass a type to libtorch, such as {@code softmax}, DJL cannot run), through an op autograd
     * records, so gradients flow back in bfloat16; x itself otherwise. DJL's own {@code toType}
     * would cut the gradient.
     *
     * @since 0.4
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.4")
    public static NDArray float32(NDArray x) {
        if (x.getDataType() != DataType.UNKNOWN) {
            return x;
        }
        try (NDArray zero = x.getManager().zeros(new Shape(1), DataType.FLOAT32)) {
            return x.add(zero); // a 1-d float32 operand promotes; x + 0 is x exactly; add's gradient passes through
        }
    }

    /**
     * The type to create arrays that go with x in: x's own, or float32 where DJL has no name for it
     * and cannot create it (bfloat16, which {@code training.precision: bf16} gives the encoder's
     * matrix products; DJL reports it as {@code DataType.UNKNOWN}).
     *
     * @since 0.4
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.4")
    public static DataType creatableType(NDArray x) {
        DataType type = x.getDataType();
        return type == DataType.UNKNOWN ? DataType.FLOAT32 : type;
    }
}
