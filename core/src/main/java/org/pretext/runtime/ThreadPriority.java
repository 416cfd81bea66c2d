package org.pretext.runtime;

import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * Lowers the calling thread's scheduling priority, so that it runs on what other threads leave
 * idle. On Linux the thread's nice value is raised to {@value #BACKGROUND_NICE} ({@code setpriority}
 * on its thread id, through JNA; lowering one's own priority needs no privilege, raising it back
 * does, so a lowered thread stays lowered until it ends). Elsewhere nothing changes.
 */
public final class ThreadPriority {
    /** The nice value of a background thread: the lowest priority of the normal scheduler. */
    public static final int BACKGROUND_NICE = 19;

    private ThreadPriority() {}

    /**
     * Makes the calling thread a background thread.
     *
     * @return whether its priority was lowered (false off Linux or where the C library refused)
     */
    public static boolean lowerCurrentThread() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return false;
        }
        try {
            NativeLibrary c = NativeLibrary.getInstance("c");
            int tid = c.getFunction("gettid").invokeInt(new Object[0]);
            return c.getFunction("setpriority").invokeInt(new Object[] {0 /* PRIO_PROCESS */, tid, BACKGROUND_NICE}) == 0;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return false;
        }
    }

    /**
     * The calling thread's nice value, from {@code /proc/thread-self/stat} (its 19th field).
     *
     * @return the value, or empty where there is no such file (not Linux)
     */
    public static OptionalInt niceOfCurrentThread() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // from field 3 on
            return OptionalInt.of(Integer.parseInt(fields[16]));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }
}
