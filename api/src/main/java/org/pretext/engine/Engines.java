package org.pretext.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.ServiceLoader;
import org.apiguardian.api.API;

/**
 * The engine Pretext runs on: use {@link #engine()} where DJL code would call
 * {@code Engine.getInstance()}, so that the engine starts with Pretext's settings (offline native
 * library, thread counts, numerical checks) whichever class touches it first.
 */
@API(status = API.Status.STABLE, since = "0.2")
public final class Engines {
    private static volatile EngineBridge bridge;

    private Engines() {}

    /** The running engine, started on first use. */
    public static Engine engine() {
        return bridge().engine();
    }

    /** The bridge in use: {@code pretext-core}'s when it is on the class path, else a portable one. */
    @API(status = API.Status.INTERNAL, since = "0.2")
    public static EngineBridge bridge() {
        EngineBridge b = bridge;
        if (b == null) {
            synchronized (Engines.class) {
                if (bridge == null) {
                    bridge = ServiceLoader.load(EngineBridge.class, Engines.class.getClassLoader())
                            .findFirst().orElseGet(Portable::new);
                }
                b = bridge;
            }
        }
        return b;
    }

    /** DJL's own calls, for engines other than PyTorch; autograd mode cannot be switched there. */
    private static final class Portable implements EngineBridge {
        @Override
        public Engine engine() {
            return Engine.getInstance();
        }

        @Override
        public NDArray floats(NDManager manager, float[] values, Shape shape) {
            return manager.create(values, shape);
        }

        @Override
        public NDArray ints(NDManager manager, int[] values, Shape shape) {
            return manager.create(values, shape);
        }

        @Override
        public NDArray longs(NDManager manager, long[] values, Shape shape) {
            return manager.create(values, shape);
        }

        @Override
        public NDArray doubles(NDManager manager, double[] values, Shape shape) {
            return manager.create(values, shape);
        }

        @Override
        public void copyInto(NDArray target, float[] values) {
            if (target.getShape().dimension() == 0) {
                target.set(FloatBuffer.wrap(values));
                return;
            }
            try (NDArray source = target.getManager().create(values, target.getShape())) {
                target.set(new NDIndex(":"), source);
            }
        }

        @Override
        public boolean gradMode(boolean enabled) {
            return false;
        }
    }
}
