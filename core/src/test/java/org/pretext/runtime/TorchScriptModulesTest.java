package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.pretext.PretextException;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed TorchScript modules behind {@link FusedAdamWKernel}, {@link FlatAdamWKernel}, {@link ForeachEma} and {@link ChannelsLast} are what
 * their generators write: the code in each archive calls its kernel, and (in the PyTorch 2.6 root,
 * skipped where it is missing) regenerating it gives the same code.
 */
class TorchScriptModulesTest {
    /** A module: its resource name, its generator, and what its code must call. */
    record Module(String name, String script, List<String> calls) {
        String resource() {
            return "/org/pretext/torchscript/" + name + ".pt";
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Module> modules() {
        return Stream.of(new Module("fused_adamw", "core/src/main/python/make_fused_adamw.py",
                List.of("torch._fused_adamw_(params, grads, means, variances",
                        "amsgrad=False, maximize=False, grad_scale=scale", "torch._foreach_zero_(grads)")),
                new Module("flat_adamw", "core/src/main/python/make_flat_adamw.py",
                        List.of("torch._fused_adamw_(flat_w, flat_g, flat_m, flat_v", "torch.set_(t, flat, offset",
                                "torch.zero_(g)")),
                new Module("ema", "core/src/main/python/make_ema.py",
                        List.of("torch._foreach_sub_(targets, onlines)", "torch._foreach_mul_(targets, momentum[0])",
                                "torch._foreach_add_(targets, onlines)")),
                new Module("channels_last", "core/src/main/python/make_channels_last.py",
                        List.of("memory_format=2)", "torch.set_(t, _4)", "torch.stride(t)")));
    }

    @Test
    void aSwitchIsTrueOrFalseAndAnyOtherValueIsRefusedByName() {
        String property = "pretext.testSwitch";
        try {
            System.clearProperty(property);
            assertThat(TorchScriptModules.enabled(property)).isTrue();
            System.setProperty(property, "TRUE");
            assertThat(TorchScriptModules.enabled(property)).isTrue();
            System.setProperty(property, "false");
            assertThat(TorchScriptModules.enabled(property)).isFalse();
            System.setProperty(property, "flase");
            assertThatThrownBy(() -> TorchScriptModules.enabled(property)).isInstanceOf(PretextException.class)
                    .hasMessage("-Dpretext.testSwitch is 'flase': expected true (the default) or false");
        } finally {
            System.clearProperty(property);
        }
        assertThat(TorchScriptModules.SWITCHES).containsExactly("pretext.fusedAdamW", "pretext.flatAdamW", "pretext.foreachEma",
                "pretext.channelsLast");
        String before = System.getProperty(ChannelsLast.PROPERTY);
        try {
            System.setProperty(ChannelsLast.PROPERTY, "maybe");
            assertThatThrownBy(TorchScriptModules::checkSwitches).hasMessageContaining("-Dpretext.channelsLast is 'maybe'");
            assertThatThrownBy(ChannelsLast::setting).hasMessageContaining("-Dpretext.channelsLast is 'maybe'");
        } finally {
            if (before == null) {
                System.clearProperty(ChannelsLast.PROPERTY);
            } else {
                System.setProperty(ChannelsLast.PROPERTY, before);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("modules")
    void theCommittedModuleCallsItsKernel(Module module) throws IOException {
        try (InputStream in = TorchScriptModulesTest.class.getResourceAsStream(module.resource())) {
            assertThat(in).as(module.resource() + " on the class path").isNotNull();
            assertThat(code(in)).contains(module.calls());
        }
    }

    @ParameterizedTest
    @MethodSource("modules")
    void regeneratingTheModuleGivesTheSameCode(Module module) throws Exception {
        Path root = Path.of(System.getProperty("pretext.projectRoot", "..")).toAbsolutePath().normalize();
        Path script = root.resolve("scripts/pytorch-root.sh");
        assumeTrue(Files.isExecutable(script), "skipped: " + script + " not found");
        assumeTrue(run(root, 10, "id", "-u").endsWith("\n0"), "skipped: scripts/pytorch-root.sh run needs root (chroot)");
        assumeTrue(run(root, 120, script.toString(), "check").startsWith("0\n"),
                "skipped: the PyTorch 2.6 root is not set up (`sudo scripts/pytorch-root.sh setup` builds it)");
        Path out = root.resolve("core/target/" + module.name() + "-regenerated.pt");
        String log = run(root, 300, script.toString(), "run", module.script(), root.relativize(out).toString());
        assertThat(log).startsWith("0\n");
        try (InputStream committed = TorchScriptModulesTest.class.getResourceAsStream(module.resource());
                InputStream regenerated = Files.newInputStream(out)) {
            assertThat(code(regenerated)).isEqualTo(code(committed));
        }
    }

    /**
     * The module's code: the archive's {@code code/__torch__.py} (read through {@link ZipFile}: PyTorch
     * writes stored entries with data descriptors, which {@code ZipInputStream} refuses).
     */
    private static String code(InputStream archive) throws IOException {
        Path copy = Files.createTempFile("torchscript", ".pt");
        try {
            Files.copy(archive, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (ZipFile zip = new ZipFile(copy.toFile())) {
                for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                    if (e.getName().endsWith("/code/__torch__.py")) {
                        try (InputStream in = zip.getInputStream(e)) {
                            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        }
                    }
                }
            }
        } finally {
            Files.deleteIfExists(copy);
        }
        throw new AssertionError("no code/__torch__.py in the archive");
    }

    /** Exit code, a newline, then the output. */
    private static String run(Path dir, long timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as("finished: %s", String.join(" ", cmd)).isTrue();
        return p.exitValue() + "\n" + out;
    }
}
