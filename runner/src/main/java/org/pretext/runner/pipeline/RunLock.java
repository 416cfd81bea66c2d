package org.pretext.runner.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pretext.PretextException;

/**
 * The exclusive lock of a run folder, held for a run's life ({@code run}, {@code pretrain}, with
 * or without {@code --resume} or {@code --force}): an operating-system lock
 * ({@link FileChannel#tryLock}) on {@value #NAME} in the folder, which also records the holder's
 * process id. A second process on the same folder is refused, naming the holder. The operating
 * system releases the lock when its process ends, however it ends, so the lock of a killed run is
 * taken over by the next one; the file itself is never deleted (deleting it would let two
 * processes lock two different files of one name).
 *
 * <p>On Linux, closing any channel to a file releases every lock this process holds on it, so
 * this JVM never opens a second channel to a lock file it holds: it keeps its own table.
 */
public final class RunLock implements AutoCloseable {
    /** The lock file in a run folder. */
    public static final String NAME = ".lock";
    private static final Pattern PID = Pattern.compile("pid (\\d+)");
    private static final Pattern DOING = Pattern.compile("\n(?:doing) ([^\n]*)\n(?:since) ([^\n]*)");
    private static final Map<Path, RunLock> HELD = new HashMap<>();
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks a run folder, creating it if needed.
     *
     * @param doing what this process does there, for the message of a process refused, e.g. "pretext run"
     * @throws PretextException naming the process that holds the folder's lock
     */
    public static RunLock acquire(Path folder, String doing) {
        Path key = folder.toAbsolutePath().normalize();
        synchronized (HELD) {
            if (HELD.containsKey(key)) {
                throw inUse(key, "this process (" + ProcessHandle.current().pid() + ")");
            }
            FileChannel ch = null;
            try {
                Files.createDirectories(key);
                ch = FileChannel.open(key.resolve(NAME), StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null;
                }
                String before = contents(ch);
                if (l == null) {
                    Matcher m = PID.matcher(before);
                    Matcher d = DOING.matcher(before);
                    throw inUse(key, m.find() ? "process " + m.group(1) + (d.find() ? " (" + d.group(1) + ", since "
                            + d.group(2) + ")" : "") : "another process (it has not written its id yet)");
                }
                Matcher m = PID.matcher(before);
                if (m.find()) {
                    System.err.println("note: took over the lock of " + key + " from process " + m.group(1)
                            + ", which ended without releasing it (killed or crashed)");
                }
                byte[] me = ("pid " + ProcessHandle.current().pid() + "\ndoing " + doing.replace('\n', ' ')
                        + "\nsince " + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(me), 0);
                ch.force(false);
                RunLock lock = new RunLock(key, ch, l);
                HELD.put(key, lock);
                return lock;
            } catch (IOException e) {
                closeQuietly(ch);
                throw new UncheckedIOException("Cannot lock run folder " + key, e); // the error line adds the reason
            } catch (RuntimeException e) {
                closeQuietly(ch);
                throw e;
            }
        }
    }

    /** Releases the lock; the file stays, emptied, for the next run to lock. */
    @Override
    public void close() {
        synchronized (HELD) {
            try {
                channel.truncate(0);
                lock.release();
            } catch (IOException ignored) {
                // the lock dies with the channel anyway
            } finally {
                closeQuietly(channel);
                HELD.remove(key);
            }
        }
    }

    private static PretextException inUse(Path folder, String holder) {
        return new PretextException("Run folder " + folder + " is in use by " + holder + ", which holds its lock ("
                + folder.resolve(NAME) + "); wait for that run to end or stop it: two runs in one folder would"
                + " destroy each other's checkpoints");
    }

    private static String contents(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        int n = ch.read(b, 0);
        return n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
