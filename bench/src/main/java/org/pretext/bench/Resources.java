package org.pretext.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process from /proc (Linux). */
final class Resources {
    private Resources() {}

    /** Peak resident set (VmHWM) in MB, or NaN where /proc is absent. */
    static double peakRssMb() {
        return field("VmHWM:");
    }

    /** Current resident set (VmRSS) in MB. */
    static double rssMb() {
        return field("VmRSS:");
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
