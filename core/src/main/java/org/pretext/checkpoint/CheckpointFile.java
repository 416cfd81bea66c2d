package org.pretext.checkpoint;

import org.pretext.DamagedCheckpointException;
import org.pretext.blocks.ParameterIO;
import org.pretext.CheckpointException;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The on-disk container of checkpoints and exported encoders: a ZIP of named byte entries. The
 * first, {@code meta.json}, describes the file and declares the exact byte size of every other
 * entry ({@value #ENTRY_BYTES}) and, where there are parameters, each one's name, shape and type
 * ({@value #PARAMETERS}), which fix the size of {@code parameters.bin}; the last,
 * {@code SHA256SUMS}, holds the SHA-256 of every other entry. Entries are stored uncompressed. A
 * file is written to a temporary file, forced to disk and renamed into place, so a crash leaves
 * either the old file or the complete new one. Entries are plain data (JSON and raw arrays):
 * nothing in a file is ever deserialised as Java objects or executed.
 *
 * <p>Reading ({@link #verify}) holds a file to what it declares while inflating: an entry is
 * read through a counter that stops one byte past its declared size, so a lying entry (a ZIP bomb)
 * is rejected after at most its declared size plus one byte, and the declared sizes together must
 * stay within a total ({@link Limits}). Files written before sizes were declared are held to the
 * sizes the reader expects (e.g. the model's) and to the total. Large entries are never held in
 * memory whole: after every checksum has been verified they are streamed again, bounded the same
 * way, to whatever reads them ({@link Contents#read}).
 */
public final class CheckpointFile {
    /** Entry that describes the file: format, kind, step, provenance, declared sizes. */
    public static final String META = "meta.json";
    /** Key of {@code meta.json}: the exact byte size of every entry but {@code meta.json} and the checksums. */
    public static final String ENTRY_BYTES = "entryBytes";
    /** Key of {@code meta.json}: each parameter's name, shape and type, in {@code parameters.bin}'s order. */
    public static final String PARAMETERS = "parameters";
    /** The entry of parameter values ({@link ParameterIO}). */
    public static final String PARAMETERS_ENTRY = "parameters.bin";
    private static final String SUMS = "SHA256SUMS";
    private static final long MAX_META_BYTES = 16L << 20;
    private static final long MAX_SUMS_BYTES = 1L << 20;
    /** Entries are kept in memory after verification while they fit in this much together. */
    private static final long IN_MEMORY_BYTES = 64L << 20;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;
    /** System property: the most bytes all entries of one file may inflate to (default 16 GiB). */
    public static final String MAX_BYTES_PROPERTY = "pretext.checkpoint.maxBytes";
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private CheckpointFile() {}

    /**
     * What a reader accepts.
     *
     * @param expected exact sizes the reader knows an entry must have (e.g. parameters of a model it
     *     restores into); a file that declares another size, or holds more, is refused
     * @param expectedBy names the source of {@code expected} in messages, e.g. "this model"
     * @param maxTotal the most bytes all entries together may hold
     */
    public record Limits(Map<String, Long> expected, String expectedBy, long maxTotal) {
        public Limits {
            expected = Map.copyOf(expected);
        }

        /** No expectations; the total from {@value #MAX_BYTES_PROPERTY}, 16 GiB by default. */
        public static Limits defaults() {
            return new Limits(Map.of(), "the reader", defaultMaxTotal());
        }

        /** The default total, raised or lowered with {@value #MAX_BYTES_PROPERTY}. */
        public static long defaultMaxTotal() {
            String p = System.getProperty(MAX_BYTES_PROPERTY);
            if (p != null) {
                try {
                    return Math.max(1, Long.parseLong(p.trim()));
                } catch (NumberFormatException e) {
                    throw new CheckpointException(MAX_BYTES_PROPERTY + "=" + p + " is not a number of bytes");
                }
            }
            return 16L << 30;
        }
    }

    /** Reads one entry's bytes, in {@link Contents#read}. */
    @FunctionalInterface
    public interface EntryReader {
        void read(InputStream in) throws IOException;
    }

    /** Writes entries atomically: temporary file, fsync, rename. Entries are written as given, sizes undeclared. */
    public static void write(Path file, Map<String, byte[]> entries) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        StringBuilder sums = new StringBuilder();
        try (OutputStream raw = Files.newOutputStream(tmp, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                ZipOutputStream zip = new ZipOutputStream(raw)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                putStored(zip, e.getKey(), e.getValue());
                sums.append(sha256(e.getValue())).append("  ").append(e.getKey()).append('\n');
            }
            putStored(zip, SUMS, sums.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems cannot sync a directory; the rename is still atomic
        }
    }

    /**
     * One entry stored as it is (ZIP method STORED, its CRC-32 computed first), as PyTorch's own zip
     * checkpoints store theirs: arrays of floats deflate by about 7 % at some 40 times the time of
     * storing them (measured on a 6 MB MLP checkpoint: 290 ms against 7 ms to write, 38 against 3 ms
     * to read back). Readers take either method, so files written deflated still load.
     */
    private static void putStored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }

    /**
     * Writes {@code meta} as the first entry, declaring the size of every other entry in it
     * ({@value #ENTRY_BYTES}), then the entries; atomically, as {@link #write(Path, Map)}.
     */
    public static void write(Path file, Map<String, Object> meta, Map<String, byte[]> entries) throws IOException {
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            sizes.put(e.getKey(), (long) e.getValue().length);
        }
        Map<String, Object> m = new LinkedHashMap<>(meta);
        m.put(ENTRY_BYTES, sizes);
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put(META, json(m));
        all.putAll(entries);
        write(file, all);
    }

    /**
     * Reads and verifies every entry into memory, with the default {@link Limits}: for small files
     * (tests, tools). Use {@link #verify} and {@link Contents#read} to stream large entries.
     *
     * @throws CheckpointException naming the file when it is truncated, corrupt, not a checkpoint, or
     *     holds an entry too large for one array
     */
    public static Map<String, byte[]> read(Path file) {
        Contents c = verify(file, Limits.defaults(), null);
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String name : c.names()) {
            out.put(name, c.bytes(name));
        }
        return out;
    }

    /**
     * Verifies a file without keeping its large entries in memory: the names are safe, {@code meta.json}
     * comes first and parses, every entry holds exactly what {@code meta.json} declares (or, in a file
     * that declares nothing, no more than {@code limits} expects), all of it within
     * {@code limits.maxTotal()}, and every checksum matches.
     *
     * @param onMeta called with {@code meta.json} before any other entry is inflated; may refuse the file
     *     by throwing (e.g. a checkpoint of another model)
     * @throws DamagedCheckpointException naming the file and the entry when it is truncated, corrupt,
     *     not a Pretext file or holds more or less than declared
     */
    public static Contents verify(Path file, Limits limits, Consumer<Map<String, Object>> onMeta) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, Object> meta = null;
        Map<String, Long> declared = null;
        Map<String, Long> expected = Map.of();
        byte[] sums = null;
        long total = 0;
        long inMemory = 0;
        try (InputStream raw = Files.newInputStream(file);
                ZipInputStream zip = new ZipInputStream(new BufferedInputStream(raw, 1 << 16))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                String name = e.getName();
                if (name.contains("..") || name.startsWith("/") || name.contains("\\")) {
                    throw new DamagedCheckpointException(file + " holds an entry with an unsafe name '" + name + "'");
                }
                if (sums != null) {
                    throw damaged(file, "it holds entry '" + name + "' after " + SUMS + ", which is written last");
                }
                if (entries.containsKey(name)) {
                    throw damaged(file, "it holds entry '" + name + "' twice");
                }
                if (meta == null && !name.equals(META)) {
                    throw damaged(file, "its first entry is '" + name + "', not " + META);
                }
                if (name.equals(META)) {
                    Entry m = readEntry(zip, file, name, new Limit(MAX_META_BYTES, false, "the most a " + META
                            + " may hold"), MAX_META_BYTES);
                    entries.put(META, m);
                    total += m.size;
                    meta = parseMeta(file, m.bytes);
                    declared = declaredSizes(file, meta, limits.maxTotal() - total);
                    if (onMeta != null) {
                        onMeta.accept(meta);
                    }
                    expected = expectedSizes(file, meta, declared, limits);
                    continue;
                }
                if (name.equals(SUMS)) {
                    sums = readEntry(zip, file, name, new Limit(MAX_SUMS_BYTES, false, "the most a " + SUMS
                            + " may hold"), MAX_SUMS_BYTES).bytes;
                    continue;
                }
                Limit limit;
                if (declared != null) {
                    Long d = declared.get(name);
                    if (d == null) {
                        throw damaged(file, "it holds entry '" + name + "', which its " + META + " does not declare");
                    }
                    limit = new Limit(d, true, "its " + META + " declares");
                } else if (expected.containsKey(name) && expected.get(name) <= limits.maxTotal() - total) {
                    limit = new Limit(expected.get(name), false, "the size " + limits.expectedBy() + " expects");
                } else {
                    limit = new Limit(limits.maxTotal() - total, false, "what is left of the " + limits.maxTotal()
                            + " bytes a whole file may hold (" + MAX_BYTES_PROPERTY + ")");
                }
                Entry en = readEntry(zip, file, name, limit, IN_MEMORY_BYTES - inMemory);
                entries.put(name, en);
                total += en.size;
                inMemory += en.bytes == null ? 0 : en.size;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CheckpointException("Checkpoint " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new DamagedCheckpointException("Checkpoint " + file + " is damaged or not a Pretext checkpoint ("
                    + e.getMessage() + ")", e);
        }
        if (sums == null) {
            throw new DamagedCheckpointException("Checkpoint " + file + " is truncated or not a Pretext checkpoint: no "
                    + SUMS + " entry (it is written last)");
        }
        if (meta == null) {
            throw damaged(file, "it has no " + META + " entry");
        }
        Map<String, String> listed = new LinkedHashMap<>();
        for (String line : new String(sums, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                int sp = line.indexOf("  ");
                if (sp < 0) {
                    throw new DamagedCheckpointException("Checkpoint " + file + " has a malformed " + SUMS + " line: "
                            + line);
                }
                listed.put(line.substring(sp + 2), line.substring(0, sp));
            }
        }
        if (!listed.keySet().equals(entries.keySet())) {
            throw new DamagedCheckpointException("Checkpoint " + file + " lists entries " + listed.keySet()
                    + " but holds " + entries.keySet());
        }
        for (Map.Entry<String, Entry> en : entries.entrySet()) {
            if (!en.getValue().sha256.equals(listed.get(en.getKey()))) {
                throw new DamagedCheckpointException("Checkpoint " + file + " is corrupt: checksum mismatch in entry '"
                        + en.getKey() + "'");
            }
        }
        if (declared != null) {
            for (String name : declared.keySet()) {
                if (!entries.containsKey(name)) {
                    throw damaged(file, "its " + META + " declares entry '" + name + "' but the file holds none");
                }
            }
        }
        return new Contents(file, meta, entries);
    }

    /** Parses the meta entry as a JSON object. */
    public static Map<String, Object> meta(Path file, Map<String, byte[]> entries) {
        return parseMeta(file, entries.get(META));
    }

    /** JSON bytes of an object (maps, records, numbers, strings). */
    public static byte[] json(Object o) {
        return GSON.toJson(o).getBytes(StandardCharsets.UTF_8);
    }

    /** Stream over an entry's bytes. */
    public static InputStream open(Map<String, byte[]> entries, String name) {
        byte[] b = entries.get(name);
        if (b == null) {
            throw new CheckpointException("checkpoint has no entry '" + name + "'");
        }
        return new ByteArrayInputStream(b);
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(digest().digest(data));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DamagedCheckpointException damaged(Path file, String what) {
        return new DamagedCheckpointException("Checkpoint " + file + " is damaged: " + what);
    }

    private static Map<String, Object> parseMeta(Path file, byte[] bytes) {
        if (bytes == null) {
            throw damaged(file, "it has no " + META + " entry");
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = GSON.fromJson(new String(bytes, StandardCharsets.UTF_8), Map.class);
            if (m == null) {
                throw new JsonParseException("empty");
            }
            return m;
        } catch (JsonParseException | ClassCastException e) {
            throw new DamagedCheckpointException("Checkpoint " + file + " has a malformed " + META + ": "
                    + e.getMessage(), e);
        }
    }

    /** The sizes {@code meta.json} declares, or null when it declares none (a file of an older Pretext). */
    private static Map<String, Long> declaredSizes(Path file, Map<String, Object> meta, long room) {
        Object o = meta.get(ENTRY_BYTES);
        if (o == null) {
            return null;
        }
        if (!(o instanceof Map<?, ?> m)) {
            throw damaged(file, "its " + META + " " + ENTRY_BYTES + " is not an object of entry sizes");
        }
        Map<String, Long> sizes = new LinkedHashMap<>();
        long sum = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String name = String.valueOf(e.getKey());
            long n = wholeNumber(e.getValue());
            if (n < 0 || name.equals(META) || name.equals(SUMS)) {
                throw damaged(file, "its " + META + " declares an invalid size " + e.getValue() + " for entry '"
                        + name + "'");
            }
            sizes.put(name, n);
            sum = sum + n < 0 ? Long.MAX_VALUE : sum + n;
        }
        if (sum > room) {
            throw damaged(file, String.format(Locale.ROOT, "its %s declares %,d bytes of entries, more than the"
                    + " %,d a file may hold here (raise the limit with -D%s=BYTES if the file is genuine)", META, sum,
                    room, MAX_BYTES_PROPERTY));
        }
        return sizes;
    }

    /**
     * The exact sizes to hold entries to beside the declared ones: what the declared parameters
     * take, and what the reader expects; a declaration that disagrees with either is refused here,
     * before anything is inflated.
     */
    private static Map<String, Long> expectedSizes(Path file, Map<String, Object> meta, Map<String, Long> declared,
            Limits limits) {
        Map<String, Long> exp = new LinkedHashMap<>(limits.expected());
        if (meta.get(PARAMETERS) != null) {
            long fromShapes = ParameterDeclarations.declaredBytes(file, meta.get(PARAMETERS));
            Long d = declared == null ? null : declared.get(PARAMETERS_ENTRY);
            if (d != null && d != fromShapes) {
                throw damaged(file, String.format(Locale.ROOT, "its %s declares %,d bytes for %s, but the parameter"
                        + " shapes it declares take %,d", META, d, PARAMETERS_ENTRY, fromShapes));
            }
            Long e = exp.get(PARAMETERS_ENTRY);
            if (e != null && e != fromShapes) {
                throw damaged(file, String.format(Locale.ROOT, "the parameter shapes its %s declares take %,d bytes,"
                        + " but %s expects %,d", META, fromShapes, limits.expectedBy(), e));
            }
            exp.put(PARAMETERS_ENTRY, fromShapes);
        }
        if (declared != null) {
            for (Map.Entry<String, Long> e : limits.expected().entrySet()) {
                Long d = declared.get(e.getKey());
                if (d != null && !d.equals(e.getValue())) {
                    throw damaged(file, String.format(Locale.ROOT, "its %s declares %,d bytes for entry '%s', but %s"
                            + " expects %,d", META, d, e.getKey(), limits.expectedBy(), e.getValue()));
                }
            }
        }
        return exp;
    }

    static long wholeNumber(Object o) {
        if (o instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) <= (1L << 53)) {
                return (long) d;
            }
        }
        return -1;
    }

    /** A size an entry is held to: exactly (declared) or at most. */
    private record Limit(long bytes, boolean exact, String why) {}

    /** What verification learned of an entry; its bytes when they are kept in memory. */
    private record Entry(long size, String sha256, byte[] bytes) {}

    /**
     * Reads one entry through a counter: at most {@code limit.bytes() + 1} bytes are inflated; the
     * bytes are kept while they fit in {@code keep}.
     */
    private static Entry readEntry(InputStream zip, Path file, String name, Limit limit, long keep) throws IOException {
        MessageDigest md = digest();
        ByteArrayOutputStream kept = keep > 0 ? new ByteArrayOutputStream((int) Math.min(Math.min(keep,
                limit.bytes()), 1 << 16)) : null;
        byte[] buf = new byte[1 << 16];
        long n = 0;
        while (n < limit.bytes()) {
            int r = zip.read(buf, 0, (int) Math.min(buf.length, limit.bytes() - n));
            if (r < 0) {
                break;
            }
            md.update(buf, 0, r);
            n += r;
            if (kept != null) {
                if (n <= keep) {
                    kept.write(buf, 0, r);
                } else {
                    kept = null; // too large to keep: streamed again when read
                }
            }
        }
        if (n == limit.bytes() && zip.read() >= 0) {
            throw damaged(file, String.format(Locale.ROOT, "entry '%s' holds more than the %,d bytes %s (reading"
                    + " stopped after %,d: a ZIP bomb or a corrupt file)", name, limit.bytes(), limit.why(), n + 1));
        }
        if (limit.exact() && n < limit.bytes()) {
            throw damaged(file, String.format(Locale.ROOT, "entry '%s' holds %,d bytes but %s %,d (truncated)", name,
                    n, limit.why(), limit.bytes()));
        }
        return new Entry(n, HexFormat.of().formatHex(md.digest()), kept == null ? null : kept.toByteArray());
    }

    /**
     * A verified file: {@code meta.json}, the entries' sizes, small entries in memory; large ones are
     * streamed from the file again, bounded by their verified size and checked against their
     * checksum, when read.
     */
    public static final class Contents {
        private final Path file;
        private final Map<String, Object> meta;
        private final Map<String, Entry> entries;

        private Contents(Path file, Map<String, Object> meta, Map<String, Entry> entries) {
            this.file = file;
            this.meta = meta;
            this.entries = entries;
        }

        /** The file. */
        public Path file() {
            return file;
        }

        /** The parsed {@code meta.json}. */
        public Map<String, Object> meta() {
            return Collections.unmodifiableMap(meta);
        }

        /** Entry names in file order ({@code meta.json} first; the checksums are not an entry). */
        public Set<String> names() {
            return Collections.unmodifiableSet(entries.keySet());
        }

        /** Whether the file holds an entry. */
        public boolean has(String name) {
            return entries.containsKey(name);
        }

        /** An entry's verified size in bytes. */
        public long size(String name) {
            return entry(name).size;
        }

        /** An entry's bytes (read again from the file when it was too large to keep). */
        public byte[] bytes(String name) {
            Entry e = entry(name);
            if (e.bytes != null) {
                return e.bytes;
            }
            if (e.size > MAX_ARRAY) {
                throw new CheckpointException(String.format(Locale.ROOT, "Checkpoint %s: entry '%s' holds %,d bytes,"
                        + " too many for one array; read it as a stream", file, name, e.size));
            }
            byte[][] out = new byte[1][];
            read(Map.of(name, in -> out[0] = in.readAllBytes()));
            return out[0];
        }

        private Entry entry(String name) {
            Entry e = entries.get(name);
            if (e == null) {
                throw new DamagedCheckpointException("Checkpoint " + file + " has no entry '" + name + "'");
            }
            return e;
        }

        /**
         * Hands each named entry, in file order, to its reader, which must take all of it and no more
         * (an entry that holds more or less than its reader takes is refused, naming the entry).
         *
         * @throws DamagedCheckpointException when an entry is short for its reader, longer than it, or
         *     the file changed since it was verified
         */
        public void read(Map<String, EntryReader> readers) {
            for (String name : readers.keySet()) {
                entry(name);
            }
            if (readers.keySet().stream().allMatch(n -> entries.get(n).bytes != null)) {
                for (String name : entries.keySet()) {
                    EntryReader r = readers.get(name);
                    if (r != null) {
                        Entry e = entries.get(name);
                        feed(name, new Bounded(new ByteArrayInputStream(e.bytes), e.size), r);
                    }
                }
                return;
            }
            try (InputStream raw = Files.newInputStream(file);
                    ZipInputStream zip = new ZipInputStream(new BufferedInputStream(raw, 1 << 16))) {
                int served = 0;
                for (Map.Entry<String, Entry> known : entries.entrySet()) {
                    String name = known.getKey();
                    ZipEntry z = zip.getNextEntry();
                    if (z == null || !z.getName().equals(name)) {
                        throw changed(z == null ? "it ends before entry '" + name + "'"
                                : "it holds entry '" + z.getName() + "' where it held '" + name + "'");
                    }
                    Entry e = known.getValue();
                    Bounded in = new Bounded(zip, e.size);
                    EntryReader r = readers.get(name);
                    feed(name, in, r != null ? r : s -> s.transferTo(OutputStream.nullOutputStream()));
                    if (zip.read() >= 0) {
                        throw changed("entry '" + name + "' holds more than the " + e.size + " bytes verified");
                    }
                    if (!HexFormat.of().formatHex(in.md.digest()).equals(e.sha256)) {
                        throw changed("entry '" + name + "' no longer matches its checksum");
                    }
                    if (r != null && ++served == readers.size()) {
                        return;
                    }
                }
            } catch (IOException e) {
                throw new DamagedCheckpointException("Checkpoint " + file + " could not be read again after it was"
                        + " verified: " + e.getMessage(), e);
            }
        }

        /** Runs a reader over a buffered view of the entry, then checks that it took all of it. */
        private void feed(String name, Bounded in, EntryReader r) {
            BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
            long left;
            try {
                r.read(buffered);
                left = buffered.transferTo(OutputStream.nullOutputStream());
            } catch (EOFException e) {
                throw new DamagedCheckpointException(String.format(Locale.ROOT, "Checkpoint %s is damaged: entry '%s'"
                        + " ends after its %,d bytes, before its reader had all it needs (truncated%s)", file, name,
                        in.size, e.getMessage() == null ? "" : ": " + e.getMessage()), e);
            } catch (IOException e) {
                throw new DamagedCheckpointException("Checkpoint " + file + " is damaged: entry '" + name
                        + "' could not be read (" + e.getMessage() + ")", e);
            }
            if (left > 0) {
                throw new DamagedCheckpointException(String.format(Locale.ROOT, "Checkpoint %s is damaged: entry '%s'"
                        + " holds %,d bytes, %,d more than its reader takes", file, name, in.size, left));
            }
        }

        private DamagedCheckpointException changed(String what) {
            return new DamagedCheckpointException("Checkpoint " + file + " changed after it was verified: " + what);
        }
    }

    /** An entry's bytes, no more than its verified size, hashed as they are read. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private final long size;
        private final MessageDigest md = digest();
        private final byte[] one = new byte[1];
        private long remaining;

        Bounded(InputStream in, long size) {
            this.in = in;
            this.size = size;
            this.remaining = size;
        }

        @Override
        public int read() throws IOException {
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (remaining == 0) {
                return -1;
            }
            int r = in.read(b, off, (int) Math.min(len, remaining));
            if (r < 0) {
                throw new EOFException("the file holds fewer bytes than were verified");
            }
            md.update(b, off, r);
            remaining -= r;
            return r;
        }

        @Override
        public int available() {
            return 0;
        }

        @Override
        public void close() {
            // the ZIP stream is closed by its owner
        }
    }
}
