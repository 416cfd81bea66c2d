package org.pretext.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.pretext.PretextException;

/**
 * Loads the TorchScript modules {@code core} ships (under {@code /org/pretext/torchscript/}, each
 * written by a script in {@code core/src/main/python}): the libtorch kernels DJL 0.35's JNI does
 * not expose, reached through modules that call them and hold no tensors.
 */
final class TorchScriptModules {
    private TorchScriptModules() {}

    /**
     * The module at {@code resource}, owned by a manager that lives as long as the JVM; empty when the
     * system property {@code property} is {@code false}, the engine is not PyTorch or the module does
     * not load (the reason goes to standard error, naming {@code fallback}: what the caller does instead).
     */
    static Optional<PtSymbolBlock> load(String property, String resource, String fallback) {
        try (InputStream in = TorchScriptModules.class.getResourceAsStream(resource)) {
            if (!enabled(property)) {
                return Optional.empty();
            }
            if (in == null) {
                throw new IOException(resource + " is not on the classpath");
            }
            NDManager owner = EngineSetup.engine().newBaseManager();
            if (!(owner instanceof PtNDManager pt)) {
                owner.close();
                return Optional.empty();
            }
            return Optional.of(JniUtils.loadModule(pt, in, false, false));
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            System.err.println("warning: " + fallback + ": " + resource + " did not load: " + e);
            return Optional.empty();
        }
    }

    /** The system properties that switch the modules off ({@code false}), one per module. */
    static final List<String> SWITCHES = List.of(FusedAdamWKernel.PROPERTY, FlatAdamWKernel.PROPERTY, ForeachEma.PROPERTY, ChannelsLast.PROPERTY);

    /**
     * Whether {@code -Dproperty} leaves its module on: unset or {@code true}; {@code false} turns it off.
     *
     * @throws PretextException for any other value, naming the property and the value
     */
    static boolean enabled(String property) {
        String value = System.getProperty(property);
        if (value == null || value.trim().equalsIgnoreCase("true")) {
            return true;
        }
        if (value.trim().equalsIgnoreCase("false")) {
            return false;
        }
        throw new PretextException("-D" + property + " is '" + value + "': expected true (the default) or false");
    }

    /** Refuses a bad value of any module switch, by name; called before the engine loads. */
    static void checkSwitches() {
        SWITCHES.forEach(TorchScriptModules::enabled);
    }

    /** Whether a module can take these arrays: at least one, all float32 arrays of the PyTorch engine on one device. */
    static boolean floatsOnOneDevice(List<NDArray> arrays) {
        if (arrays.isEmpty()) {
            return false;
        }
        for (NDArray a : arrays) {
            if (!(a instanceof PtNDArray) || a.getDataType() != DataType.FLOAT32
                    || !a.getDevice().equals(arrays.get(0).getDevice())) {
                return false;
            }
        }
        return true;
    }

    /** The arrays as the PyTorch engine's, for a module call (each must be one: see {@link #floatsOnOneDevice}). */
    static PtNDArray[] pt(List<NDArray> arrays) {
        return arrays.stream().map(PtNDArray.class::cast).toArray(PtNDArray[]::new);
    }

    /**
     * A new handle to each weight's gradient (zeros where it has none), for a module call; the caller
     * closes them with {@link #close(PtNDArray[])}.
     */
    static PtNDArray[] gradients(PtNDArray[] weights) {
        PtNDArray[] g = new PtNDArray[weights.length];
        try {
            for (int i = 0; i < weights.length; i++) {
                g[i] = weights[i].getGradient();
            }
            return g;
        } catch (RuntimeException e) {
            close(g);
            throw e;
        }
    }

    /** Closes handles made for a module call (null entries: not made). */
    static void close(PtNDArray[] handles) {
        for (PtNDArray a : handles) {
            if (a != null) {
                a.close();
            }
        }
    }

    /** Closes a module call's inputs (null entries: not made, as when building them failed). */
    static void close(IValue[] inputs) {
        for (IValue value : inputs) {
            if (value != null) {
                value.close();
            }
        }
    }
}
