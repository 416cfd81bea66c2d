package org.pretext.runtime;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.pretext.PretextException;

/**
 * Which devices hold the encoder's replicas ({@code --devices}, config key {@code devices}):
 * {@code N} (a count: the first N GPUs, or N replicas on the CPU when training on the CPU, which
 * gives the same numbers as one, more slowly, and is what the tests use), {@code auto} (every GPU
 * the engine sees, else the CPU alone) or a list of GPU ids such as {@code 0,1,3} (the first one
 * holds the model, the heads and the optimizer).
 */
public final class DeviceSet {
    private final String text;
    private final int count; // > 0 for a count, 0 for auto, -1 for a list of ids
    private final List<Integer> ids;

    private DeviceSet(String text, int count, List<Integer> ids) {
        this.text = text;
        this.count = count;
        this.ids = ids;
    }

    /** One device: the default. */
    public static final DeviceSet ONE = new DeviceSet("1", 1, List.of());

    /** Parses {@code N}, {@code auto} or {@code i,j,...}; anything else is refused, naming the value. */
    public static DeviceSet parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.equalsIgnoreCase("auto")) {
            return new DeviceSet("auto", 0, List.of());
        }
        try {
            if (!t.contains(",")) {
                int n = Integer.parseInt(t);
                if (n < 1) {
                    throw new NumberFormatException();
                }
                return new DeviceSet(t, n, List.of());
            }
            List<Integer> ids = new ArrayList<>();
            for (String part : t.split(",", -1)) {
                int id = Integer.parseInt(part.trim());
                if (id < 0 || ids.contains(id)) {
                    throw new NumberFormatException();
                }
                ids.add(id);
            }
            return new DeviceSet(t, -1, List.copyOf(ids));
        } catch (NumberFormatException e) {
            throw new PretextException("Invalid devices '" + text + "': expected a number of devices (e.g. 2), auto"
                    + " (every GPU), or distinct GPU ids separated by commas (e.g. 0,1,3)");
        }
    }

    /** The replicas' devices when training on {@code main}, with the engine's GPU count. */
    public List<Device> resolve(Device main) {
        return resolve(main, EngineSetup.engine().getGpuCount());
    }

    /**
     * The replicas' devices when training on {@code main} (what {@code --device} chose) with
     * {@code gpus} GPUs visible; the first is where the model lives.
     */
    public List<Device> resolve(Device main, int gpus) {
        if (count == 0) {
            return main.isGpu() && gpus > 0 ? gpus(range(gpus), gpus) : List.of(main);
        }
        if (count > 0) {
            return main.isGpu() ? gpus(range(count), gpus) : Collections.nCopies(count, main);
        }
        if (!main.isGpu()) {
            throw new PretextException("--devices " + text + " names GPUs by id, but training runs on "
                    + Devices.name(main) + ": use --device gpu on a GPU machine, or a number (e.g. --devices 2"
                    + " for two replicas on the CPU)");
        }
        return gpus(ids, gpus);
    }

    private static List<Integer> range(int n) {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            r.add(i);
        }
        return r;
    }

    private List<Device> gpus(List<Integer> wanted, int gpus) {
        List<Device> out = new ArrayList<>();
        for (int id : wanted) {
            if (id >= gpus) {
                throw new PretextException("--devices " + text + " needs GPU " + id + " but the engine sees " + gpus
                        + " GPU" + (gpus == 1 ? "" : "s") + " (ids 0 to " + (gpus - 1) + ")");
            }
            out.add(Device.gpu(id));
        }
        return out;
    }

    @Override
    public String toString() {
        return text;
    }
}
