package org.pretext.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.param.Param;

class ProviderRegistryTest {
    /** A provider kind only this test uses. */
    public interface GadgetProvider extends NamedProvider {}

    public static class Alpha implements GadgetProvider {
        @Override public String name() { return "alpha"; }
        @Override public String description() { return "first"; }
        @Override public List<Param<?>> parameters() { return List.of(); }
        @Override public int spiVersion() { return Versions.SPI_VERSION; }
    }

    public static class AlphaTwin extends Alpha {}

    public static class Beta extends Alpha {
        @Override public String name() { return "beta"; }
    }

    public static class Broken extends Alpha {
        public Broken() {
            throw new IllegalStateException("no licence key");
        }
    }

    public static class Future extends Alpha {
        @Override public String name() { return "future"; }
        @Override public int spiVersion() { return Versions.SPI_VERSION + 1; }
    }

    private static ClassLoader withServices(Path root, String... classNames) throws IOException {
        Path services = root.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(GadgetProvider.class.getName()), String.join("\n", classNames) + "\n");
        return new URLClassLoader(new URL[] {root.toUri().toURL()}, ProviderRegistryTest.class.getClassLoader());
    }

    @Test
    void unknownNameListsTheAvailableOnes(@TempDir Path dir) throws IOException {
        ProviderRegistry<GadgetProvider> r = ProviderRegistry.load(GadgetProvider.class, "gadget",
                withServices(dir, Alpha.class.getName(), Beta.class.getName()));
        assertThat(r.get("beta")).isInstanceOf(Beta.class);
        assertThatThrownBy(() -> r.get("gamma"))
                .isInstanceOf(UnknownProviderException.class)
                .hasMessage("Unknown gadget 'gamma'. Available gadgets: alpha, beta");
    }

    @Test
    void twoProvidersWithOneNameStopNamingBoth(@TempDir Path dir) throws IOException {
        ClassLoader cl = withServices(dir, Alpha.class.getName(), AlphaTwin.class.getName());
        assertThatThrownBy(() -> ProviderRegistry.load(GadgetProvider.class, "gadget", cl))
                .isInstanceOf(PretextException.class)
                .hasMessageContaining("Two gadget providers are named 'alpha'")
                .hasMessageContaining(Alpha.class.getName() + " in ")
                .hasMessageContaining(AlphaTwin.class.getName() + " in ");
    }

    @Test
    void aFailingProviderIsReportedByClassAndTheOthersStillWork(@TempDir Path dir) throws IOException {
        ProviderRegistry<GadgetProvider> r = ProviderRegistry.load(GadgetProvider.class, "gadget",
                withServices(dir, Broken.class.getName(), Beta.class.getName(), "org.example.Missing",
                        Future.class.getName()));
        assertThat(r.all()).containsOnlyKeys("beta");
        assertThat(r.problems()).hasSize(3);
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains(Broken.class.getName()).contains("no licence key"));
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains("org.example.Missing"));
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains(Future.class.getName())
                .contains("SPI version " + (Versions.SPI_VERSION + 1)));
        assertThat(r.sourceOf("beta")).isNotEqualTo("?");
    }
}
