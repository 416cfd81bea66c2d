package org.pretext.runtime;

import org.pretext.engine.ThreadLimit;
import ai.djl.engine.Engine;
import org.pretext.PretextException;

/**
 * Starts DJL's PyTorch engine once, offline when the CPU native library is on the classpath, and
 * turns a missing native library into one message that names the fix.
 */
public final class EngineSetup {
    private static final String NATIVE_CPU_MARKER = "pytorch/cpu/linux-x86_64/libtorch_cpu.so";
    private static volatile Engine engine;
    private static volatile int startThreads;

    private EngineSetup() {}

    /**
     * Sets the engine's intra-op thread count. Must be called before the engine starts; later
     * calls have no effect on a running engine (libtorch reads the setting once).
     *
     * @param threads intra-op threads, or 0 to keep libtorch's default (one per core)
     */
    public static synchronized void configureThreads(int threads) {
        ThreadLimit.check("the engine's thread count (threads)", threads);
        if (threads > 0 && engine == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /**
     * The intra-op thread count the engine started with (the configured one, or libtorch's default):
     * what a thread that runs a whole step on this process's cores should use, whatever other threads
     * set for themselves since ({@link EngineThreads}). Starts the engine.
     */
    public static int startThreads() {
        engine();
        return startThreads;
    }

    /** The engine's intra-op thread count (starts the engine). */
    public static int engineThreads() {
        engine();
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }

    /** The running PyTorch engine, started on first use. */
    public static Engine engine() {
        Engine e = engine;
        if (e == null) {
            synchronized (EngineSetup.class) {
                if (engine == null) {
                    engine = start();
                }
                e = engine;
            }
        }
        return e;
    }

    /**
     * Whether a speed lever that is on by default stays on: unless the system property or, when it
     * is not set, the environment variable says {@code false}.
     */
    static boolean switchedOn(String property, String environmentVariable) {
        String p = System.getProperty(property, System.getenv(environmentVariable));
        return p == null || !p.trim().equalsIgnoreCase("false");
    }

    /** Whether the CPU native library jar ({@code pytorch-native-cpu}) is on the classpath. */
    public static boolean bundledNativeLibrary() {
        return EngineSetup.class.getClassLoader().getResource(NATIVE_CPU_MARKER) != null;
    }

    private static Engine start() {
        boolean bundled = bundledNativeLibrary();
        boolean userLibtorch = System.getenv("PYTORCH_LIBRARY_PATH") != null;
        if (bundled && !userLibtorch && System.getProperty("ai.djl.offline") == null
                && System.getenv("DJL_OFFLINE") == null) {
            // Everything needed is in jars: never touch the network.
            System.setProperty("ai.djl.offline", "true");
        }
        NativeConvolutions.mode(); // a bad setting stops here, named, before the engine loads
        TorchScriptModules.checkSwitches(); // so does a bad -Dpretext.fusedAdamW, foreachEma or channelsLast
        OpenMpWaiting.tryApply(); // before libgomp loads with libtorch
        MklCpuOverride.tryLoad();
        MallocTuning.tryApply();
        try {
            Engine e = Engine.getEngine("PyTorch");
            startThreads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
            NativeConvolutions.tryApply(); // before the first convolution
            MklCpuOverride.verified(gemmMatchesReference(e));
            return e;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new PretextException("The PyTorch native library could not be loaded (" + rootCause(e) + "). "
                    + (bundled ? "The CPU library jar is on the classpath, so check that DJL_CACHE_DIR (default"
                            + " ~/.djl.ai) is writable and has about 450 MB free."
                            : "Fix: on a CPU machine build without -Pcuda so that"
                            + " ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64 and"
                            + " ai.djl.pytorch:pytorch-jni:2.7.1-0.35.0 are on the classpath; on a GPU machine"
                            + " set PYTORCH_LIBRARY_PATH to a CUDA build of libtorch 2.7.1, or allow DJL's"
                            + " first-use download (unset ai.djl.offline / DJL_OFFLINE)."), e);
        }
    }

    /** A 24×24 matrix product on the engine against the same product in Java doubles. */
    private static boolean gemmMatchesReference(Engine e) {
        int n = 24;
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Math.sin(i * 0.37);
            b[i] = (float) Math.cos(i * 0.11);
        }
        try (ai.djl.ndarray.NDManager m = e.newBaseManager()) {
            float[] c = m.create(a, new ai.djl.ndarray.types.Shape(n, n))
                    .matMul(m.create(b, new ai.djl.ndarray.types.Shape(n, n))).toFloatArray();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int k = 0; k < n; k++) {
                        s += (double) a[i * n + k] * b[k * n + j];
                    }
                    if (Math.abs(s - c[i * n + j]) > 1e-4 * (1 + Math.abs(s))) {
                        return false;
                    }
                }
            }
            return true;
        } catch (RuntimeException ex) {
            return false;
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
