package org.pretext.checkpoint;

import org.pretext.blocks.ParameterIO;
import org.pretext.CheckpointException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFailureTest {
    private static Map<String, byte[]> entries(int size) {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put(CheckpointFile.META, "{\"format\": 1, \"step\": 1}".getBytes(StandardCharsets.UTF_8));
        byte[] data = new byte[size];
        new java.util.Random(1).nextBytes(data); // incompressible
        e.put("parameters.bin", data);
        return e;
    }

    @Test
    void aFullDiskLeavesThePreviousCheckpointIntact(@TempDir Path dir) throws IOException {
        assumeTrue(Files.isWritable(Path.of("/dev/full")), "skipped: /dev/full (a device that is always full) is absent");
        Path file = dir.resolve("step-00000002.ckpt");
        Map<String, byte[]> old = entries(1000);
        CheckpointFile.write(file, old);
        // the temporary file the next write uses is a link to a device that answers every write with ENOSPC
        Files.createSymbolicLink(dir.resolve("step-00000002.ckpt.tmp"), Path.of("/dev/full"));
        assertThatThrownBy(() -> CheckpointFile.write(file, entries(1 << 20)))
                .isInstanceOf(IOException.class).hasMessageContaining("No space left on device");
        assertThat(CheckpointFile.read(file).get("parameters.bin")).isEqualTo(old.get("parameters.bin"));
    }

    @Test
    void entryNamesThatEscapeTheFolderAreRefused(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("evil.ckpt");
        try (OutputStream raw = Files.newOutputStream(f); ZipOutputStream zip = new ZipOutputStream(raw)) {
            zip.putNextEntry(new ZipEntry("../../etc/cron.d/evil"));
            zip.write("* * * * * root rm -rf /".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        assertThatThrownBy(() -> CheckpointFile.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("unsafe name '../../etc/cron.d/evil'");
    }

    @Test
    void aZipWithoutChecksumsIsRefused(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("plain.ckpt");
        try (OutputStream raw = Files.newOutputStream(f); ZipOutputStream zip = new ZipOutputStream(raw)) {
            zip.putNextEntry(new ZipEntry(CheckpointFile.META));
            zip.write("{\"format\":1,\"step\":5}".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        assertThatThrownBy(() -> CheckpointFile.read(f)).hasMessageContaining("no SHA256SUMS entry");
    }

    @Test
    void malformedParameterDataIsRefusedWithoutCrashing() throws IOException {
        byte[] garbage = new byte[64];
        garbage[3] = 1; // format 1, then a parameter count of 0x0 followed by nonsense
        garbage[7] = 1;
        java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(garbage);
        assertThatThrownBy(() -> ParameterIO.read(in, Map.of(), "hostile.ckpt")).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("hostile.ckpt holds 1 parameters but the model has 0");
    }

    @Test
    void staleTemporaryFilesOfACrashedWriteAreNotCheckpoints(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("step-00000010.ckpt.tmp"), "half a checkpoint");
        CheckpointStore store = new CheckpointStore(dir, 2);
        assertThat(store.files()).isEmpty();
    }
}
