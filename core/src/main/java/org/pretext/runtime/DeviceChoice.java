package org.pretext.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import org.pretext.PretextException;

/** Which device to train on: {@code auto} takes a GPU when the engine has one, else the CPU. */
public enum DeviceChoice {
    AUTO, CPU, GPU;

    /** Parses {@code auto}, {@code cpu} or {@code gpu}; anything else names the value. */
    public static DeviceChoice parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new PretextException("Invalid device '" + text + "': expected auto, cpu or gpu");
        }
    }

    /** The concrete device for this choice on the running engine (started if needed). */
    public Device resolve() {
        Engine engine = EngineSetup.engine();
        int gpus = engine.getGpuCount();
        return switch (this) {
            case CPU -> Device.cpu();
            case AUTO -> gpus > 0 ? Device.gpu() : Device.cpu();
            case GPU -> {
                if (gpus == 0) {
                    throw new PretextException("Device 'gpu' was requested but the " + engine.getEngineName()
                            + " engine sees no GPU. Use --device auto or cpu, or on a GPU machine build with"
                            + " -Pcuda so that DJL loads a CUDA build of libtorch.");
                }
                yield Device.gpu();
            }
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
