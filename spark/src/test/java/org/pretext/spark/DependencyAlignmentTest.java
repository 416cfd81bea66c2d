package org.pretext.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Spark and Pretext share one JVM in these tests (SparkEmbedderTest runs DJL's PyTorch engine inside
 * Spark's task threads): each library both bring is on the class path once, at one version, and SLF4J
 * has one provider.
 */
class DependencyAlignmentTest {
    @Test
    void everySharedLibraryIsOnTheClassPathOnce() throws Exception {
        for (String cls : List.of("com/google/common/collect/ImmutableList.class", "com/google/gson/Gson.class",
                "com/fasterxml/jackson/databind/ObjectMapper.class", "io/netty/util/Version.class",
                "org/slf4j/LoggerFactory.class", "org/apache/commons/compress/archivers/ArchiveEntry.class",
                "org/apache/commons/codec/binary/Hex.class")) {
            List<URL> copies = Collections.list(getClass().getClassLoader().getResources(cls));
            assertThat(copies).as(cls).hasSize(1);
        }
        List<URL> providers = new ArrayList<>(Collections.list(getClass().getClassLoader()
                .getResources("META-INF/services/org.slf4j.spi.SLF4JServiceProvider")));
        assertThat(providers).as("SLF4J providers").hasSize(1);
        assertThat(providers.get(0).toString()).contains("slf4j-simple");
        // the versions the pom aligns to: Spark's Guava, DJL's Gson
        assertThat(com.google.common.collect.ImmutableList.class.getProtectionDomain().getCodeSource().getLocation()
                .toString()).contains("guava-32.0.0-jre");
        assertThat(com.google.gson.Gson.class.getProtectionDomain().getCodeSource().getLocation().toString())
                .contains("gson-2.13.1");
    }
}
