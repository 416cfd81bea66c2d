package org.pretext.runtime;

import ai.djl.Device;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.function.Supplier;
import org.pretext.PretextException;

/**
 * libtorch's automatic mixed precision ("autocast"), for the calling thread: inside {@link #bf16},
 * the engine ops of that thread that PyTorch lists as safe in lower precision (linear, matmul,
 * addmm, bmm, convolutions, scaled-dot-product attention) cast their floating inputs to bfloat16
 * and run in it, those it lists as needing float32 (norms, softmax-based losses, reductions such as
 * {@code prod}) run in float32, and the rest run in their inputs' type: the same dispatch, op for
 * op, as {@code with torch.autocast(device_type, dtype=torch.bfloat16):} in Python, entered and left
 * the way that context manager does (nesting counted, the cache of casted weights cleared on leaving
 * the outermost region, the previous state restored). Autograd records the casts, so a backward pass
 * outside the region runs each op's gradient in the type its forward used, and the weights and their
 * gradients stay float32.
 *
 * <p>DJL 0.35 exposes none of it; libtorch's {@code at::autocast} functions take and return only a
 * device type, a scalar type, a flag or a count, so they are called through JNA by their mangled
 * names in DJL's {@code libtorch_cpu.so} ({@link Libtorch}), as {@link NativeConvolutions} switches
 * oneDNN. The state is thread-local in libtorch: a region covers the ops the calling thread issues.
 */
public final class Autocast {
    /** {@code c10::DeviceType}: CPU and CUDA. */
    static final int CPU = 0;
    static final int CUDA = 1;
    /** {@code c10::ScalarType::BFloat16}. */
    static final int BFLOAT16 = 15;

    private static final String PREFIX = "_ZN2at8autocast";
    private final Function setEnabled;
    private final Function isEnabled;
    private final Function setDtype;
    private final Function getDtype;
    private final Function incrementNesting;
    private final Function decrementNesting;
    private final Function clearCache;
    private final Function isCacheEnabled;
    private final Function setCacheEnabled;

    private Autocast(NativeLibrary torch) {
        setEnabled = torch.getFunction(PREFIX + "20set_autocast_enabledEN3c1010DeviceTypeEb");
        isEnabled = torch.getFunction(PREFIX + "19is_autocast_enabledEN3c1010DeviceTypeE");
        setDtype = torch.getFunction(PREFIX + "18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE");
        getDtype = torch.getFunction(PREFIX + "18get_autocast_dtypeEN3c1010DeviceTypeE");
        incrementNesting = torch.getFunction(PREFIX + "17increment_nestingEv");
        decrementNesting = torch.getFunction(PREFIX + "17decrement_nestingEv");
        clearCache = torch.getFunction(PREFIX + "11clear_cacheEv");
        isCacheEnabled = torch.getFunction(PREFIX + "25is_autocast_cache_enabledEv");
        setCacheEnabled = torch.getFunction(PREFIX + "26set_autocast_cache_enabledEb");
    }

    /**
     * The process's autocast switches, found in the loaded libtorch.
     *
     * @throws PretextException when the engine is not PyTorch's or its library lacks them, saying which
     */
    public static Autocast get() {
        return Shared.INSTANCE.get();
    }

    /** Looked up on the first {@link #get()}; a failure is kept and reported each time. */
    private static final class Shared {
        static final Supplier<Autocast> INSTANCE = lookUp();

        private static Supplier<Autocast> lookUp() {
            try {
                EngineSetup.engine();
                Autocast a = new Autocast(Libtorch.cpu());
                return () -> a;
            } catch (RuntimeException | LinkageError e) {
                String why = "libtorch's autocast could not be reached (" + e.getMessage() + ")";
                return () -> {
                    throw new PretextException(why);
                };
            }
        }
    }

    /**
     * Runs {@code body} on this thread with autocast to bfloat16 on for {@code device}'s type (CPU or
     * CUDA), then restores what was set before.
     *
     * @throws PretextException for a device type autocast does not cover here
     */
    public <T> T bf16(Device device, Supplier<T> body) {
        int type = deviceType(device);
        boolean wasEnabled = flag(isEnabled.invokeInt(new Object[] {type}));
        int previousDtype = getDtype.invokeInt(new Object[] {type}) & 0xFF;
        boolean cacheWasEnabled = flag(isCacheEnabled.invokeInt(new Object[0]));
        setEnabled.invokeVoid(new Object[] {type, 1});
        setDtype.invokeVoid(new Object[] {type, BFLOAT16});
        incrementNesting.invokeInt(new Object[0]);
        setCacheEnabled.invokeVoid(new Object[] {1});
        try {
            return body.get();
        } finally {
            if (decrementNesting.invokeInt(new Object[0]) == 0) {
                clearCache.invokeVoid(new Object[0]);
            }
            setEnabled.invokeVoid(new Object[] {type, wasEnabled ? 1 : 0});
            setDtype.invokeVoid(new Object[] {type, previousDtype});
            setCacheEnabled.invokeVoid(new Object[] {cacheWasEnabled ? 1 : 0});
        }
    }

    /** Whether autocast is on for {@code device}'s type on this thread. */
    public boolean enabled(Device device) {
        return flag(isEnabled.invokeInt(new Object[] {deviceType(device)}));
    }

    static int deviceType(Device device) {
        if (device.isGpu()) {
            return CUDA;
        }
        if (Device.Type.CPU.equals(device.getDeviceType())) {
            return CPU;
        }
        throw new PretextException("Mixed precision covers CPU and CUDA devices, not " + device);
    }

    /** A C++ bool returned in a register: only its low byte is defined. */
    private static boolean flag(int value) {
        return (value & 0xFF) != 0;
    }
}
