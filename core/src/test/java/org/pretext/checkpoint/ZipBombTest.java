package org.pretext.checkpoint;

import org.pretext.DamagedCheckpointException;
import org.pretext.CheckpointException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.checkpoint.HostileZip.Content;

/**
 * Hostile checkpoint and encoder files made small on disk: entries that inflate to far more than
 * they declare, declarations beyond any limit, truncated entries with valid checksums. Every one
 * is refused by name after reading at most what it declares, in a heap smaller than the bomb.
 */
class ZipBombTest {
    private static final long BOMB = 64L << 20; // 64 MiB of zeros: about 64 KB deflated

    /** A small, honest file in today's format: parameters.bin of 100 bytes, objective.bin of 4. */
    private static Path honest(Path dir, String name) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", 1);
        meta.put("kind", "encoder");
        meta.put("step", 7);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        byte[] params = new byte[100];
        new java.util.Random(1).nextBytes(params);
        entries.put("parameters.bin", params);
        entries.put("objective.bin", new byte[] {0, 0, 0, 1});
        Path f = dir.resolve(name);
        CheckpointFile.write(f, meta, entries);
        return f;
    }

    /** The child JVM of {@link #aBombLargerThanTheHeapIsRefusedAfterItsDeclaredSize}: reads a file both ways. */
    public static void main(String[] args) {
        Path f = Path.of(args[0]);
        try {
            CheckpointFile.read(f);
            System.out.println("read: accepted");
        } catch (CheckpointException e) {
            System.out.println("read: " + e.getMessage());
        }
        try {
            ExportedEncoder.load(f).close();
            System.out.println("load: accepted");
        } catch (CheckpointException e) {
            System.out.println("load: " + e.getMessage());
        }
    }

    @Test
    void aBombLargerThanTheHeapIsRefusedAfterItsDeclaredSize(@TempDir Path dir) throws Exception {
        Path f = honest(dir, "bomb.encoder");
        Map<String, Content> e = HostileZip.entries(f);
        e.put("objective.bin", Content.zeros(BOMB)); // meta.json still declares 4 bytes
        HostileZip.write(f, e);
        assertThat(Files.size(f)).isLessThan(1 << 20);
        assertThatThrownBy(() -> CheckpointFile.verify(f, CheckpointFile.Limits.defaults(), null))
                .isInstanceOf(DamagedCheckpointException.class)
                .hasMessage("Checkpoint " + f + " is damaged: entry 'objective.bin' holds more than the 4 bytes its"
                        + " meta.json declares (reading stopped after 5: a ZIP bomb or a corrupt file)");
        // in a JVM whose whole heap is half the bomb: nothing buffers an entry whole
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-cp", cp, ZipBombTest.class.getName(), f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as(out).contains("read: Checkpoint " + f + " is damaged: entry 'objective.bin' holds more than"
                + " the 4 bytes its meta.json declares")
                .contains("load: Checkpoint " + f + " is damaged: entry 'objective.bin' holds more than the 4 bytes")
                .doesNotContain("OutOfMemoryError");
    }

    @Test
    void declarationsBeyondTheTotalAreRefusedBeforeAnythingIsInflated(@TempDir Path dir) throws Exception {
        Path f = honest(dir, "huge.ckpt");
        Map<String, Content> e = HostileZip.entries(f);
        long big = 3L << 29; // three entries of 1.5 GiB each, declared honestly
        Map<String, Long> sizes = new LinkedHashMap<>(Map.of("parameters.bin", 100L));
        Map<String, Content> hostile = new LinkedHashMap<>();
        for (String n : List.of("a.bin", "b.bin", "c.bin")) {
            sizes.put(n, big);
        }
        hostile.put(CheckpointFile.META, HostileZip.declaring(e.get(CheckpointFile.META), sizes));
        hostile.put("parameters.bin", e.get("parameters.bin"));
        for (String n : List.of("a.bin", "b.bin", "c.bin")) {
            hostile.put(n, Content.zeros(BOMB)); // were they inflated, they would be refused as truncated instead
        }
        HostileZip.write(f, hostile);
        CheckpointFile.Limits fourGiB = new CheckpointFile.Limits(Map.of(), "the reader", 4L << 30);
        assertThatThrownBy(() -> CheckpointFile.verify(f, fourGiB, null))
                .isInstanceOf(DamagedCheckpointException.class)
                .hasMessageContaining("its meta.json declares 4,831,838,308 bytes of entries, more than the")
                .hasMessageContaining("a file may hold here (raise the limit with -Dpretext.checkpoint.maxBytes=BYTES");
    }

    @Test
    void aFileOfAnOlderPretextIsHeldToWhatTheReaderExpectsAndToATotal(@TempDir Path dir) throws Exception {
        Path f = honest(dir, "old.ckpt");
        Map<String, Content> e = HostileZip.entries(f);
        e.put(CheckpointFile.META, HostileZip.undeclared(e.get(CheckpointFile.META)));
        HostileZip.write(f, e);
        // it declares nothing, yet still reads when it holds what the reader expects
        CheckpointFile.Contents ok = CheckpointFile.verify(f, new CheckpointFile.Limits(Map.of("parameters.bin", 100L),
                "this model", 1 << 20), null);
        assertThat(ok.size("parameters.bin")).isEqualTo(100);
        assertThatThrownBy(() -> CheckpointFile.verify(f, new CheckpointFile.Limits(Map.of("parameters.bin", 60L),
                "this model", 1 << 20), null))
                .isInstanceOf(DamagedCheckpointException.class)
                .hasMessageContaining("entry 'parameters.bin' holds more than the 60 bytes the size this model expects"
                        + " (reading stopped after 61");
        e.put("objective.bin", Content.zeros(BOMB));
        HostileZip.write(f, e);
        assertThatThrownBy(() -> CheckpointFile.verify(f, new CheckpointFile.Limits(Map.of("parameters.bin", 100L),
                "this model", 2L << 20), null))
                .isInstanceOf(DamagedCheckpointException.class)
                .hasMessageContaining("entry 'objective.bin' holds more than the")
                .hasMessageContaining("a whole file may hold (pretext.checkpoint.maxBytes)");
    }

    @Test
    void aTruncatedEntryWithValidChecksumsIsNamedWithTheSizeItDeclares(@TempDir Path dir) throws Exception {
        Path f = honest(dir, "short.ckpt");
        Map<String, Content> e = HostileZip.entries(f);
        e.put("parameters.bin", Content.of(java.util.Arrays.copyOf(e.get("parameters.bin").bytes(), 60)));
        HostileZip.write(f, e); // SHA256SUMS matches the truncated entry
        assertThatThrownBy(() -> CheckpointFile.read(f)).isInstanceOf(DamagedCheckpointException.class)
                .hasMessage("Checkpoint " + f + " is damaged: entry 'parameters.bin' holds 60 bytes but its meta.json"
                        + " declares 100 (truncated)");
    }

    @Test
    void anEntryTwiceIsRefused(@TempDir Path dir) throws Exception {
        Path f = honest(dir, "twice.ckpt");
        Map<String, Content> e = HostileZip.entries(f);
        e.put("parameters.bix", e.get("parameters.bin"));
        HostileZip.write(f, e);
        byte[] raw = Files.readAllBytes(f); // rename the copy in place: ZipOutputStream refuses to write a duplicate
        String s = new String(raw, StandardCharsets.ISO_8859_1).replace("parameters.bix", "parameters.bin");
        Files.write(f, s.getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> CheckpointFile.read(f)).isInstanceOf(DamagedCheckpointException.class)
                .hasMessageContaining("holds entry 'parameters.bin' twice");
    }
}
