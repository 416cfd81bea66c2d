package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fourth probe needs no edit to the runner (issue 14, item 5): a probe provider written against
 * the api alone, in a jar in a {@code --plugins} folder, is listed, runs beside the built-in ones
 * with its parameter given on the command line, and lands in the report under its name.
 */
class PluginProbeTest {
    private static final String SOURCE = """
            package org.example.probe;

            import java.util.List;
            import org.pretext.Versions;
            import org.pretext.evaluation.Probe;
            import org.pretext.evaluation.ProbeProvider;
            import org.pretext.param.Param;
            import org.pretext.param.ParamValues;
            import org.pretext.registry.ProviderBase;

            /** Nearest class centroid (host arithmetic) under the L2 or L1 distance. */
            public final class CentroidProbeProvider extends ProviderBase implements ProbeProvider {
                static final Param<String> METRIC = Param.ofChoice("metric", "l2", List.of("l2", "l1"), "distance");

                public CentroidProbeProvider() {
                    super(Versions.SPI_VERSION, "centroid", "Nearest class centroid", List.of(METRIC));
                }

                @Override
                public Probe create(ParamValues p) {
                    boolean l1 = p.get(METRIC).equals("l1");
                    return d -> {
                        int cols = d.train().cols();
                        double[][] mean = new double[d.numClasses()][cols];
                        int[] count = new int[d.numClasses()];
                        for (int r = 0; r < d.rows().length; r++) {
                            count[d.labels()[r]]++;
                            for (int j = 0; j < cols; j++) {
                                mean[d.labels()[r]][j] += d.train().get(d.rows()[r], j);
                            }
                        }
                        float[] test = d.testFeatures().toFloatArray();
                        int correct = 0;
                        for (int q = 0; q < d.testLabelValues().length; q++) {
                            int best = -1;
                            double bestDistance = Double.POSITIVE_INFINITY;
                            for (int c = 0; c < mean.length; c++) {
                                double dist = 0;
                                for (int j = 0; j < cols; j++) {
                                    double diff = test[q * cols + j] - mean[c][j] / count[c];
                                    dist += l1 ? Math.abs(diff) : diff * diff;
                                }
                                if (dist < bestDistance) {
                                    bestDistance = dist;
                                    best = c;
                                }
                            }
                            correct += best == d.testLabelValues()[q] ? 1 : 0;
                        }
                        return Probe.Outcome.accuracy(correct / (double) d.testLabelValues().length);
                    };
                }
            }
            """;

    private static Path buildProbePlugin(Path work) throws IOException {
        Path src = work.resolve("src/org/example/probe/CentroidProbeProvider.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE, StandardCharsets.UTF_8);
        Path classes = Files.createDirectories(work.resolve("classes"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), "-cp",
                PluginTest.apiClassPath(), "--release", "17", src.toString());
        assertThat(rc).as("the probe compiles against the api alone").isZero();
        Path jar = work.resolve("plugins/centroid-probe.jar");
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("org/example/probe/CentroidProbeProvider.class"));
            out.write(Files.readAllBytes(classes.resolve("org/example/probe/CentroidProbeProvider.class")));
            out.closeEntry();
            out.putNextEntry(new JarEntry("META-INF/services/org.pretext.evaluation.ProbeProvider"));
            out.write("org.example.probe.CentroidProbeProvider\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void aProbeFromAPluginJarIsListedRunsAndIsReported(@TempDir Path work) throws Exception {
        Path jar = buildProbePlugin(work);
        Processes.Result list = Processes.run(work, null, "list", "--plugins", jar.getParent().toString());
        assertThat(list.exit()).as(list.output()).isZero();
        assertThat(list.output()).contains("probes:").contains("centroid — Nearest class centroid")
                .contains(jar.toString()).contains("logistic — ").contains("knn — ");

        Path data = HostileInputTest.arrays(Files.createDirectories(work.resolve("features")), 300, 6, 3);
        Path out = work.resolve("report");
        HostileInputTest.Outcome o = HostileInputTest.run(new String[] {"probe", "--features", data.resolve("x.npy").toString(), "--labels",
            data.resolve("y.npy").toString(), "--test-features", data.resolve("x.npy").toString(), "--test-labels",
            data.resolve("y.npy").toString(), "--labels-per-class", "all", "--probes", "mean,centroid",
            "--probe-param", "centroid.metric=l1", "--plugins", jar.getParent().toString(), "--out", out.toString()});
        assertThat(o.exit()).as(o.err()).isZero();
        Map<?, ?> report = new Gson().fromJson(Files.readString(out.resolve("report.json")), Map.class);
        List<?> probes = (List<?>) report.get("probe");
        assertThat(probes.stream().map(p -> String.valueOf(((Map<?, ?>) p).get("probe"))).toList()).containsExactly("mean", "centroid");
        Map<?, ?> centroid = (Map<?, ?>) probes.get(1);
        assertThat(((Map<?, ?>) centroid.get("settings")).get("metric")).isEqualTo("l1");
        float[] x = org.pretext.probe.FeatureFiles.readFeatures(data.resolve("x.npy")).values();
        int[] y = org.pretext.probe.FeatureFiles.readLabels(data.resolve("y.npy"));
        assertThat((Double) centroid.get("accuracy")).isEqualTo(nearestCentroidL1(x, y, 6, 3));
    }

    @Test
    void anUnknownProbeListsTheProbesThatExist(@TempDir Path work) throws Exception {
        Path data = HostileInputTest.arrays(Files.createDirectories(work.resolve("features")), 60, 4, 3);
        HostileInputTest.Outcome o = HostileInputTest.run("probe", "--features", data.resolve("x.npy").toString(),
                "--labels", data.resolve("y.npy").toString(), "--test-features", data.resolve("x.npy").toString(),
                "--test-labels", data.resolve("y.npy").toString(), "--probes", "logistc", "--out",
                work.resolve("r").toString());
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("logistc").contains("logistic").contains("knn").contains("mean");
    }

    /** Nearest-centroid accuracy under L1, worked out here on the host (train = test = all rows). */
    private static double nearestCentroidL1(float[] x, int[] y, int d, int classes) {
        double[][] mean = new double[classes][d];
        int[] count = new int[classes];
        for (int i = 0; i < y.length; i++) {
            count[y[i]]++;
            for (int j = 0; j < d; j++) {
                mean[y[i]][j] += x[i * d + j];
            }
        }
        int correct = 0;
        for (int i = 0; i < y.length; i++) {
            int best = -1;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double dist = 0;
                for (int j = 0; j < d; j++) {
                    dist += Math.abs(x[i * d + j] - mean[c][j] / count[c]);
                }
                if (dist < bestDistance) {
                    bestDistance = dist;
                    best = c;
                }
            }
            correct += best == y[i] ? 1 : 0;
        }
        return correct / (double) y.length;
    }
}
