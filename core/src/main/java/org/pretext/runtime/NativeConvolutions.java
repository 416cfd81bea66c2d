package org.pretext.runtime;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.util.Pair;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pretext.PretextException;

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
 * <p>Which kernels run ({@code -Dpretext.nativeConvolutions} or {@code PRETEXT_NATIVE_CONVOLUTIONS}):
 * {@code auto} (the default) keeps oneDNN, which runs {@code cnn-small}'s default 32-64-128 channels
 * 1.3-1.7x faster than the native kernels here, until a model with a convolution whose channel counts
 * oneDNN gets wrong is built ({@link #check}, called by {@code PretextModel} and {@code ExportedEncoder});
 * from then on the process runs native kernels. {@code true} runs native kernels from the start,
 * {@code false} keeps oneDNN whatever the channels. Switched through libtorch's {@code at::Context}:
 * oneDNN off for its operators ({@code torch.backends.mkldnn.enabled = False}); NNPACK is off unless
 * the setting is {@code false} (it cannot start on these CPUs and says so on standard error when a
 * convolution first asks for it).
 */
public final class NativeConvolutions {
    private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    private static final String SET_MKLDNN = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private static final String GET_MKLDNN = "_ZNK2at7Context17userEnabledMkldnnEv";
    private static final String SET_NNPACK = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private static volatile String status = "not attempted";
    private static volatile boolean oneDnn = true;

    private NativeConvolutions() {}

    /**
     * The setting: "auto" (the default), "native" ({@code true}) or "oneDNN" ({@code false}).
     *
     * @throws PretextException for any other value, naming the property or variable and the value
     */
    public static String mode() {
        String property = System.getProperty("pretext.nativeConvolutions");
        String p = property != null ? property : System.getenv("PRETEXT_NATIVE_CONVOLUTIONS");
        String value = p == null ? "" : p.trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "", "auto":
                return "auto";
            case "true":
                return "native";
            case "false":
                return "oneDNN";
            default:
                throw new PretextException((property != null ? "-Dpretext.nativeConvolutions" : "PRETEXT_NATIVE_CONVOLUTIONS")
                        + " is '" + p + "': expected auto (oneDNN unless a model has a convolution it computes wrongly),"
                        + " true (libtorch's own kernels always) or false (oneDNN always)");
        }
    }

    /** What runs the convolutions now, and why, for provenance and the tests. */
    public static String status() {
        return status;
    }

    /**
     * Whether oneDNN computes a convolution with these channel counts right on the machines
     * measured: output channels a multiple of 16, input channels below 16 or a multiple of 16.
     */
    static boolean safeForOneDnn(long inputChannels, long outputChannels) {
        return outputChannels % 16 == 0 && (inputChannels < 16 || inputChannels % 16 == 0);
    }

    /**
     * In {@code auto} mode, switches the process to native kernels when {@code block} (initialised)
     * holds a convolution whose channel counts oneDNN gets wrong; {@code owner} names it in the status.
     */
    public static void check(Block block, String owner) {
        if (!oneDnn || !mode().equals("auto")) {
            return;
        }
        for (long[] channels : convolutionChannels(block)) {
            if (!safeForOneDnn(channels[0], channels[1])) {
                switchOneDnn(false, "native (" + owner + " has a convolution of " + channels[0] + " -> " + channels[1]
                        + " channels, which oneDNN computes wrongly)");
                return;
            }
        }
    }

    /** (input, output) channels of every convolution in the block tree, from the weights' shapes. */
    static List<long[]> convolutionChannels(Block block) {
        List<long[]> out = new ArrayList<>();
        if (block instanceof Convolution) {
            for (Pair<String, Parameter> p : block.getDirectParameters()) {
                if (p.getValue().getType() == Parameter.Type.WEIGHT && p.getValue().isInitialized()) {
                    long[] shape = p.getValue().getArray().getShape().getShape();
                    out.add(new long[] {shape[1], shape[0]}); // (out, in / groups, kernel...)
                }
            }
        }
        for (Pair<String, Block> child : block.getChildren()) {
            out.addAll(convolutionChannels(child.getValue()));
        }
        return out;
    }

    /** Applies the setting when the engine starts, before the first convolution. Never throws. */
    static void tryApply() {
        String mode = mode();
        if (mode.equals("oneDNN")) {
            status = "oneDNN (native convolutions switched off by the user)";
            return;
        }
        if (!call(SET_NNPACK, false)) {
            return;
        }
        if (mode.equals("native")) {
            switchOneDnn(false, "native (pretext.nativeConvolutions=true)");
        } else {
            status = "oneDNN (auto: no convolution oneDNN gets wrong so far)";
        }
    }

    /** Turns oneDNN on or off in the running libtorch (the tests use both). */
    static synchronized void switchOneDnn(boolean on, String why) {
        if (call(SET_MKLDNN, on)) {
            boolean now = readOneDnn();
            oneDnn = now;
            status = now == on ? why : "skipped: oneDNN is still " + (now ? "on" : "off") + " after switching it";
        }
    }

    private static boolean call(String function, boolean value) {
        try {
            NativeLibrary torch = Libtorch.cpu();
            Pointer context = torch.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]);
            torch.getFunction(function).invokeVoid(new Object[] {context, value ? 1 : 0});
            return true;
        } catch (RuntimeException | LinkageError e) {
            status = "skipped: " + e.getMessage();
            return false;
        }
    }

    private static boolean readOneDnn() {
        NativeLibrary torch = Libtorch.cpu();
        Pointer context = torch.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]);
        // a C++ bool comes back in the low byte of the register
        return (Byte) torch.getFunction(GET_MKLDNN).invoke(Byte.class, new Object[] {context}) != 0;
    }
}
