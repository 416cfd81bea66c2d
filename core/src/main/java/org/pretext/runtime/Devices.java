package org.pretext.runtime;

import ai.djl.Device;

/** Device names for reports: {@code cpu}, {@code gpu:0}. */
public final class Devices {
    private Devices() {}

    /** A short name of the device. */
    public static String name(Device d) {
        return d.isGpu() ? "gpu:" + d.getDeviceId() : d.getDeviceType();
    }
}
