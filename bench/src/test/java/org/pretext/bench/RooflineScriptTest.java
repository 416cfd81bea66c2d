package org.pretext.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * roofline.py's count of one training step of a tiny case worked out by hand, in the PyTorch 2.6 root
 * (skipped, saying why, where the root is missing or the test does not run as root).
 */
class RooflineScriptTest {
    private static Path projectRoot() {
        return Path.of(System.getProperty("pretext.projectRoot", "..")).toAbsolutePath().normalize();
    }

    private static String run(Path root, long timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as("finished in time: %s", String.join(" ", cmd)).isTrue();
        return p.exitValue() + "\n" + out;
    }

    /**
     * nn.Linear(5, 3) on 4 examples, loss = sum(y), one step of Adam after a first one (fp32, 4 bytes):
     * W 15 elements (60 bytes), b 3 (12), x 4×5 (80), y 4×3 (48).
     * <pre>
     *   forward   addmm(b, x, Wᵀ): 2·4·3·5 = 120 FLOPs; reads 12 + 80 + 60, writes 48        = 200 bytes
     *             sum(y): reads 48, writes 4                                                  =  52
     *   backward  ones_like(loss): writes 4 (reads nothing of its input)                      =   4
     *             expand of the ones to 4×3: a view, stride 0
     *             mm(gradᵀ, x) = dW: 2·3·4·5 = 120 FLOPs; reads the broadcast 1 element (4)
     *               + x 80, writes 60                                                         = 144
     *             sum over the batch = db: reads 4, writes 12                                 =  16
     *             (no input gradient: x needs none)
     *   loss.item(): 4 bytes; Adam (single-tensor on the CPU) per parameter of P bytes (60, 12):
     *             step += 1 (a 0-dim float: 8), step.item() (4), exp_avg.lerp_(g) 3P,
     *             exp_avg_sq.mul_ 2P, .addcmul_(g, g) 3P (g read once), sqrt 2P, div 2P, add_(eps) 2P,
     *             param.addcdiv_(exp_avg, denom) 4P
     *   views (t, expand, view, detach) move nothing.
     * </pre>
     * Totals: 240 FLOPs; 200 + 52 + 4 + 144 + 16 + 4 + 2·(8 + 4) + 18·72 = 1,740 bytes.
     */
    @Test
    @SuppressWarnings("unchecked")
    void countsOneStepOfATinyLinearModelAsWorkedOutByHand() throws Exception {
        Path root = projectRoot();
        Path script = root.resolve("scripts/pytorch-root.sh");
        assumeTrue(Files.isExecutable(script), "skipped: " + script + " not found (run from the bench module)");
        String id = run(root, 10, "id", "-u").lines().skip(1).findFirst().orElse("");
        assumeTrue(id.equals("0"), "skipped: scripts/pytorch-root.sh run needs root (chroot); this test runs as uid " + id);
        String check = run(root, 120, script.toString(), "check");
        assumeTrue(check.startsWith("0\n"), "skipped: the PyTorch 2.6 root is not set up (`sudo scripts/pytorch-root.sh"
                + " setup` builds it): " + check.replace('\n', ' '));

        String out = run(root, 300, script.toString(), "run", "bench/python/roofline.py", "--check", "linear", "--peak",
                "400", "--bandwidth", "20");
        assertThat(out).startsWith("0\n");
        Map<String, Object> r = Suite.parseResult(Suite.lastJsonLine(out));
        assertThat(((Number) r.get("flops")).longValue()).isEqualTo(240);
        assertThat(((Number) r.get("bytes")).longValue()).isEqualTo(1740);
        Map<String, List<Long>> byOp = new LinkedHashMap<>(); // op -> [calls, flops, bytes]
        for (Map<String, Object> op : (List<Map<String, Object>>) r.get("ops")) {
            byOp.put((String) op.get("op"), List.of(((Number) op.get("count")).longValue(),
                    ((Number) op.get("flops")).longValue(), ((Number) op.get("bytes")).longValue()));
        }
        assertThat(byOp).containsEntry("aten.addmm", List.of(1L, 120L, 200L))
                .containsEntry("aten.mm", List.of(1L, 120L, 144L))
                .containsEntry("aten.sum", List.of(2L, 0L, 52L + 16))
                .containsEntry("aten.ones_like", List.of(1L, 0L, 4L))
                .containsEntry("aten._local_scalar_dense", List.of(3L, 0L, 12L))
                .containsEntry("aten.add_", List.of(4L, 0L, 2 * 8 + 2 * 60L + 2 * 12)) // 2 steps, 2 add_(eps)
                .containsEntry("aten.lerp_", List.of(2L, 0L, 3 * 72L))
                .containsEntry("aten.mul_", List.of(2L, 0L, 2 * 72L))
                .containsEntry("aten.addcmul_", List.of(2L, 0L, 3 * 72L))
                .containsEntry("aten.sqrt", List.of(2L, 0L, 2 * 72L))
                .containsEntry("aten.div", List.of(2L, 0L, 2 * 72L))
                .containsEntry("aten.addcdiv_", List.of(2L, 0L, 4 * 72L))
                .containsEntry("aten.t", List.of(4L, 0L, 0L))
                .containsEntry("aten.expand", List.of(1L, 0L, 0L));
        assertThat(byOp.values().stream().mapToLong(v -> v.get(2)).sum()).isEqualTo(1740);
        // every op here is bound by its bytes at 400 GFLOP/s and 20 GB/s: 1,740 bytes / 20 GB/s = 87 ns
        assertThat(((Number) r.get("boundSeconds")).doubleValue()).isCloseTo(87e-9, within(1e-15));
        assertThat(Roofline.boundSeconds(Roofline.shapes(r), 400, 20)).isCloseTo(87e-9,
                within(1e-15));
    }
}
