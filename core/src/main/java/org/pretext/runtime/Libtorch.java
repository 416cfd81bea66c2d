package org.pretext.runtime;

import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The libtorch library DJL loaded ({@code libtorch_cpu.so}), for the few C++ functions of libtorch
 * that DJL 0.35's JNI does not reach and that take and return only plain values (a flag, an enum),
 * called through JNA by their mangled names: {@link NativeConvolutions}, {@link Autocast}.
 */
final class Libtorch {
    private Libtorch() {}

    /**
     * The loaded library (JNA opens the file DJL already mapped, so the same process-wide state).
     *
     * @throws IllegalStateException when DJL's libtorch folder has no {@code libtorch_cpu.so}
     */
    static NativeLibrary cpu() {
        Path lib = Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath()).resolve("libtorch_cpu.so");
        if (!Files.isRegularFile(lib)) {
            throw new IllegalStateException("no " + lib);
        }
        return NativeLibrary.getInstance(lib.toString());
    }
}
