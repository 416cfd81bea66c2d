package org.pretext.runtime;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.pretext.engine.EngineBridge;

/** The PyTorch engine behind {@code api}'s engine-neutral helpers, registered with ServiceLoader. */
public final class PyTorchBridge implements EngineBridge {
    @Override
    public Engine engine() {
        return EngineSetup.engine();
    }

    @Override
    public NDArray floats(NDManager manager, float[] values, Shape shape) {
        return EngineArrays.floats(manager, values, shape);
    }

    @Override
    public NDArray ints(NDManager manager, int[] values, Shape shape) {
        return EngineArrays.ints(manager, values, shape);
    }

    @Override
    public NDArray longs(NDManager manager, long[] values, Shape shape) {
        return EngineArrays.longs(manager, values, shape);
    }

    @Override
    public NDArray doubles(NDManager manager, double[] values, Shape shape) {
        return EngineArrays.doubles(manager, values, shape);
    }

    @Override
    public void copyInto(NDArray target, float[] values) {
        EngineArrays.copyInto(target, values);
    }

    @Override
    public boolean gradMode(boolean enabled) {
        EngineSetup.engine();
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
        return previous;
    }

    @Override
    public int channelsLast(java.util.List<NDArray> arrays) {
        return ChannelsLast.apply(arrays);
    }

    @Override
    public boolean momentumUpdate(java.util.List<NDArray[]> pairs, float momentum) {
        java.util.Optional<ForeachEma> ema = ForeachEma.get();
        if (ema.isEmpty() || !ForeachEma.accepts(pairs)) {
            return false;
        }
        ema.get().update(pairs, momentum);
        return true;
    }
}
