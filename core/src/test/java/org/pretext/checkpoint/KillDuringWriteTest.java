package org.pretext.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

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

/** Kills a process with SIGKILL while it writes checkpoints, again and again; no complete-named file is ever damaged. */
class KillDuringWriteTest {
    /** The child: writes 2 MB checkpoints in a loop, keeping two. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        byte[] payload = new byte[2 << 20];
        new java.util.Random(3).nextBytes(payload);
        for (long step = 1; ; step++) {
            Map<String, byte[]> e = new LinkedHashMap<>();
            e.put(CheckpointFile.META, ("{\"format\": 1, \"step\": " + step + "}").getBytes(StandardCharsets.UTF_8));
            payload[0] = (byte) step;
            e.put("parameters.bin", payload);
            CheckpointFile.write(dir.resolve(String.format("step-%08d.ckpt", step)), e);
            List<Path> all = new CheckpointStore(dir, 2).files();
            for (int i = 0; i < all.size() - 2; i++) {
                Files.deleteIfExists(all.get(i));
            }
        }
    }

    @Test
    void everyCheckpointLeftByAKilledWriterVerifies(@TempDir Path dir) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        java.util.Random r = new java.util.Random(7);
        int killsDuringWrite = 0;
        for (int round = 0; round < 3; round++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                    KillDuringWriteTest.class.getName(), dir.toString()).redirectErrorStream(true).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (new CheckpointStore(dir, 2).files().size() < 1 + round && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(r.nextInt(200));
            // then kill as soon as a write is under way (a temporary file is there): a random instant alone
            // fell between writes in all 3 rounds about once in 5 runs on a fast disk
            boolean writing = writing(dir);
            long writeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!writing && System.nanoTime() < writeDeadline) {
                writing = writing(dir);
            }
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            killsDuringWrite += writing ? 1 : 0;
            List<Path> left = new CheckpointStore(dir, 2).files();
            assertThat(left).isNotEmpty();
            for (Path f : left) {
                assertThat(CheckpointFile.meta(f, CheckpointFile.read(f))).containsKey("step");
            }
        }
        // the writer spends most of its time writing, so most kills land inside a write
        assertThat(killsDuringWrite).isPositive();
    }

    /** Whether a checkpoint is being written in {@code dir}: its temporary file is there. */
    private static boolean writing(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.anyMatch(f -> f.toString().endsWith(".tmp"));
        }
    }
}
