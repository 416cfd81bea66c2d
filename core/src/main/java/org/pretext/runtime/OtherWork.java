package org.pretext.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * How many cores other work kept busy while this process did something else, e.g. loaded the engine:
 * the machine's busy CPU time (Linux {@code /proc/stat}: user, system, interrupts and time stolen by
 * the hypervisor; not {@code nice}d work, which yields to ours) less this process's own ({@code
 * /proc/self/stat}), over the window between {@link #start()} and {@link Window#usage()}. Unlike
 * the load average, which still counts a run that ended a minute ago, this sees only what runs now.
 * Empty where {@code /proc} cannot be read.
 */
public final class OtherWork {
    /** A window shorter than this says nothing. */
    static final double MIN_WINDOW_FRACTION_OF_A_CORE_SECOND = 0.1;

    private OtherWork() {}

    /**
     * CPU time in clock ticks at one moment.
     *
     * @param machineBusy the machine's busy ticks, all cores
     * @param machineTotal all ticks, all cores (busy, niced, idle and waiting for I/O)
     * @param own this process's ticks (user and system)
     */
    record Sample(long machineBusy, long machineTotal, long own) {}

    /**
     * What the cores did over a window, in cores busy on average.
     *
     * @param others busy with other processes' work
     * @param own busy with this process's threads
     */
    public record Usage(double others, double own) {}

    /** An open window: {@link #usage()} measures from its start. */
    public static final class Window {
        private final Sample start;

        private Window(Sample start) {
            this.start = start;
        }

        /** The cores' use since the window opened, or empty (no {@code /proc}, too short). */
        public Optional<Usage> usage() {
            return start == null ? Optional.empty() : sample().flatMap(end -> OtherWork.usage(start, end, cores()));
        }

        /**
         * A warning when other work took at least three quarters of the cores this process left them
         * since the window opened, else empty: engine threads that share cores make steps slow.
         */
        public Optional<String> busyMachineWarning() {
            return usage().flatMap(u -> OtherWork.warning(u, cores()));
        }
    }

    /** Opens a window now. */
    public static Window start() {
        return new Window(sample().orElse(null));
    }

    private static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The cores' use between two samples, or empty when the window is too short to say. */
    static Optional<Usage> usage(Sample a, Sample b, int cores) {
        long total = b.machineTotal() - a.machineTotal();
        if (total < MIN_WINDOW_FRACTION_OF_A_CORE_SECOND * 100 * cores) { // ticks are 1/100 s on Linux
            return Optional.empty();
        }
        long own = b.own() - a.own();
        long others = (b.machineBusy() - a.machineBusy()) - own;
        return Optional.of(new Usage(Math.max(0, others) * (double) cores / total,
                Math.max(0, own) * (double) cores / total));
    }

    /**
     * The warning when other work took at least three quarters of what this process left of the
     * cores (so a busy machine shows whether this process used one core or several meanwhile), or
     * empty; empty too when this process left less than half a core.
     */
    static Optional<String> warning(Usage u, int cores) {
        double left = cores - u.own();
        if (left < 0.5 || u.others() < 0.75 * left) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "the machine is busy (other processes kept %.1f of %d cores"
                + " busy while the engine started, this run %.1f): the engine's threads share the cores with other"
                + " work; if steps are slow, try --threads 1", u.others(), cores, u.own()));
    }

    static Optional<Sample> sample() {
        try {
            return Optional.of(parse(Files.readString(Path.of("/proc/stat")), Files.readString(Path.of("/proc/self/stat"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Reads the first line of {@code /proc/stat} ({@code cpu user nice system idle iowait irq softirq
     * steal ...}) and fields 14 and 15 (utime, stime) of {@code /proc/self/stat}, whose second field,
     * the command name in parentheses, may hold spaces.
     */
    static Sample parse(String procStat, String selfStat) {
        String[] cpu = procStat.lines().findFirst().orElseThrow().trim().split("\\s+");
        if (!cpu[0].equals("cpu")) {
            throw new IllegalArgumentException("not a /proc/stat total line: " + cpu[0]);
        }
        long[] f = new long[8];
        for (int i = 0; i < f.length; i++) {
            f[i] = i + 1 < cpu.length ? Long.parseLong(cpu[i + 1]) : 0;
        }
        long busy = f[0] + f[2] + f[5] + f[6] + f[7];
        long total = busy + f[1] + f[3] + f[4];
        String[] own = selfStat.substring(selfStat.lastIndexOf(')') + 2).trim().split("\\s+");
        // after "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12
        return new Sample(busy, total, Long.parseLong(own[11]) + Long.parseLong(own[12]));
    }
}
