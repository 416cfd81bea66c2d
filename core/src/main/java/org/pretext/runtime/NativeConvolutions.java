package org.pretext.runtime;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Convolutions on libtorch's own CPU kernels (im2col and a GEMM) instead of oneDNN's.
 *
 * <p>The oneDNN 3.7.1 inside DJL's libtorch 2.7.1 (build 20250812) computes float32 convolutions
 * wrongly on this project's machines (AMD EPYC, Zen 5, AVX-512) whenever a channel count has to be
 * padded to oneDNN's block of 16 channels (8 when capped at AVX2): the gradient with respect to the
 * input when the output channels are not a multiple of 16 (e.g. 16×4×6×6 into 8 channels, or 1 into
 * 8), and the forward pass when the input channels are more than 16 and not a multiple of it (20,
 * 24). Against the same convolution in float64, at one engine thread every such result was wrong
 * and the same each time (a 3×3 kernel's gradient summed 3 or 5 of its 9 taps); at two threads it
 * changed from call to call and was sometimes NaN. That was the NaN loss of short {@code cnn-small}
 * runs at width 4 (multi-crop's 12×12 views, conv 4→8 channels: 28 of 40 DINO runs of 12 steps at
 * two threads) and their same-seed differences at two threads. Channel counts that are multiples
 * of 16 (cnn-small's default 32-64-128) came out right. With oneDNN off, every shape tried matched
 * float64, and same-seed runs at two threads were bit-identical. {@code NativeConvolutionsTest} holds it.
 *
 * <p>Applied when the engine starts, through libtorch's {@code at::Context}: oneDNN off for its
 * operators ({@code torch.backends.mkldnn.enabled = False}), NNPACK off too (it cannot start on
 * these CPUs and says so on standard error when a convolution first asks for it). Switch it off
 * (libtorch's defaults) with {@code -Dpretext.nativeConvolutions=false} or
 * {@code PRETEXT_NATIVE_CONVOLUTIONS=false}.
 */
public final class NativeConvolutions {
    private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    private static final String SET_MKLDNN = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private static final String GET_MKLDNN = "_ZNK2at7Context17userEnabledMkldnnEv";
    private static final String SET_NNPACK = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private static volatile String status = "not attempted";

    private NativeConvolutions() {}

    /** Whether the lever is on: unless the user set it to {@code false}. */
    public static boolean enabled() {
        return EngineSetup.switchedOn("pretext.nativeConvolutions", "PRETEXT_NATIVE_CONVOLUTIONS");
    }

    /** What happened, for provenance: "native", "oneDNN (switched off by the user)", or why it was skipped. */
    public static String status() {
        return status;
    }

    /** Turns oneDNN and NNPACK off in the running libtorch; call once the engine has started. Never throws. */
    static void tryApply() {
        if (!enabled()) {
            status = "oneDNN (native convolutions switched off by the user)";
            return;
        }
        try {
            Path lib = Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath()).resolve("libtorch_cpu.so");
            if (!Files.isRegularFile(lib)) {
                status = "skipped: no " + lib;
                return;
            }
            NativeLibrary torch = NativeLibrary.getInstance(lib.toString());
            Pointer context = torch.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]);
            torch.getFunction(SET_MKLDNN).invokeVoid(new Object[] {context, 0});
            torch.getFunction(SET_NNPACK).invokeVoid(new Object[] {context, 0});
            // a C++ bool comes back in the low byte of the register
            byte on = (Byte) torch.getFunction(GET_MKLDNN).invoke(Byte.class, new Object[] {context});
            status = on == 0 ? "native" : "skipped: oneDNN is still on after switching it off";
        } catch (RuntimeException | LinkageError e) {
            status = "skipped: " + e.getMessage();
        }
    }
}
