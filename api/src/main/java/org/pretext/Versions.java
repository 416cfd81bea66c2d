package org.pretext;

import org.apiguardian.api.API;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Versions of Pretext, its SPI, DJL and the engine, recorded in every checkpoint and report. */
@API(status = API.Status.STABLE, since = "0.1")
public final class Versions {
    /**
     * Version of the provider interfaces. A plug-in built against another major SPI version is
     * refused by name when it is loaded.
     */
    public static final int SPI_VERSION = 2;

    private static final Properties BUILD = load();

    private Versions() {}

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("/org/pretext/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown"
        }
        return p;
    }

    /** The Pretext version this api jar was built as. */
    public static String pretext() {
        return BUILD.getProperty("pretext.version", "unknown");
    }

    /** The DJL version on the classpath. */
    public static String djl() {
        return BUILD.getProperty("djl.version", "unknown");
    }

    /** The libtorch version DJL was built against. */
    public static String pytorch() {
        return BUILD.getProperty("pytorch.version", "unknown");
    }

    /**
     * The git commit Pretext was built from (10 hex digits, "+dirty" when the tree had changes),
     * or "unknown" for a build outside a git checkout.
     */
    public static String commit() {
        String id = BUILD.getProperty("pretext.commit", "");
        if (id.isEmpty() || id.startsWith("${")) {
            return "unknown";
        }
        return "true".equals(BUILD.getProperty("pretext.dirty")) ? id + "+dirty" : id;
    }

    /** All of the above as a map, for provenance records. */
    public static Map<String, String> all() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("pretext", pretext());
        m.put("commit", commit());
        m.put("spi", Integer.toString(SPI_VERSION));
        m.put("djl", djl());
        m.put("pytorch", pytorch());
        m.put("java", System.getProperty("java.version"));
        return m;
    }
}
