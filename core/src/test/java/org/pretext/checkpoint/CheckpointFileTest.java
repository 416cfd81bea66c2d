package org.pretext.checkpoint;

import org.pretext.CheckpointException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFileTest {
    private static Map<String, byte[]> entries() {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put(CheckpointFile.META, "{\"format\": 1, \"step\": 3}".getBytes(StandardCharsets.UTF_8));
        byte[] big = new byte[100_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + 7);
        }
        e.put("parameters.bin", big);
        return e;
    }

    @Test
    void roundTripsAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.ckpt");
        CheckpointFile.write(f, entries());
        Map<String, byte[]> back = CheckpointFile.read(f);
        assertThat(back.keySet()).containsExactly(CheckpointFile.META, "parameters.bin");
        assertThat(back.get("parameters.bin")).isEqualTo(entries().get("parameters.bin"));
        assertThat(CheckpointFile.meta(f, back)).containsEntry("step", 3.0);
        try (var s = Files.list(dir)) {
            assertThat(s).containsExactly(f);
        }
    }

    @Test
    void entriesAreStoredAsTheyAreAndDeflatedFilesStillRead(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("stored.ckpt");
        CheckpointFile.write(f, entries());
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(f.toFile())) {
            assertThat(zip.stream().map(z -> z.getName() + " " + z.getMethod()).toList()).containsExactly(
                    "meta.json " + java.util.zip.ZipEntry.STORED, "parameters.bin " + java.util.zip.ZipEntry.STORED,
                    "SHA256SUMS " + java.util.zip.ZipEntry.STORED);
        }
        assertThat(Files.size(f)).isGreaterThan(100_000); // not deflated: the entry's 100,000 bytes are all there
        // the same entries deflated, as files were written before: read back to the same bytes
        Path deflated = dir.resolve("deflated.ckpt");
        HostileZip.write(deflated, HostileZip.entries(f));
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(deflated.toFile())) {
            assertThat(zip.getEntry("parameters.bin").getMethod()).isEqualTo(java.util.zip.ZipEntry.DEFLATED);
        }
        assertThat(Files.size(deflated)).isLessThan(Files.size(f));
        Map<String, byte[]> back = CheckpointFile.read(deflated);
        assertThat(back.keySet()).containsExactly(CheckpointFile.META, "parameters.bin");
        assertThat(back.get("parameters.bin")).isEqualTo(entries().get("parameters.bin"));
    }

    @Test
    void truncatedFileIsDetectedAndNamed(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("b.ckpt");
        CheckpointFile.write(f, entries());
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 200));
        assertThatThrownBy(() -> CheckpointFile.read(f))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(f.toString());
    }

    @Test
    void flippedByteIsDetected(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.ckpt");
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put(CheckpointFile.META, "{}".getBytes(StandardCharsets.UTF_8));
        e.put("x.bin", new byte[4096]); // stored as it is, from byte 76 of the file; flip one of its bytes
        CheckpointFile.write(f, e);
        byte[] all = Files.readAllBytes(f);
        all[1000] ^= 0x5a;
        Files.write(f, all);
        assertThatThrownBy(() -> CheckpointFile.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(f.toString());
    }

    @Test
    void aFileThatIsNotACheckpointIsRefused(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("d.ckpt");
        Files.writeString(f, "import os; os.system('rm -rf /')");
        assertThatThrownBy(() -> CheckpointFile.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not a Pretext checkpoint");
    }
}
