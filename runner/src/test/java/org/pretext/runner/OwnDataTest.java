package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.datasets.npy.NpyWriter;
import org.pretext.runner.report.RunReport;

/** `run --dataset PATH` on files a user made: class folders of images, .npy arrays, a CSV table; and bad files named. */
class OwnDataTest {
    private static final String[] SHORT = {"--steps", "6", "--set", "training.batch-size=16", "--set",
        "probe.enabled=false", "--set", "training.checkpoint-every=0"};

    private static int run(Path out, String dataset, StringBuilder err, String... extra) {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        String[] args = new String[4 + SHORT.length + extra.length];
        args[0] = "run";
        args[1] = "--dataset";
        args[2] = dataset;
        args[3] = "--out=" + out;
        System.arraycopy(SHORT, 0, args, 4, SHORT.length);
        System.arraycopy(extra, 0, args, 4 + SHORT.length, extra.length);
        int code = Main.execute(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(e, true,
                StandardCharsets.UTF_8));
        err.append(e.toString(StandardCharsets.UTF_8));
        return code;
    }

    @Test
    void imageFolderWithClassSubfolders(@TempDir Path dir) throws IOException {
        Random r = new Random(1);
        for (String cls : new String[] {"cats", "dogs"}) {
            Files.createDirectories(dir.resolve("photos").resolve(cls));
            for (int i = 0; i < 20; i++) {
                BufferedImage img = new BufferedImage(20, 16, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 20; x++) {
                        img.setRGB(x, y, r.nextInt(1 << 24) | (cls.equals("cats") ? 0xFF0000 : 0x0000FF));
                    }
                }
                ImageIO.write(img, i % 2 == 0 ? "png" : "jpg",
                        dir.resolve("photos").resolve(cls).resolve("img" + i + (i % 2 == 0 ? ".png" : ".jpg")).toFile());
            }
        }
        Files.writeString(dir.resolve("photos/dogs/notes.txt"), "not an image");
        StringBuilder err = new StringBuilder();
        assertThat(run(dir.resolve("run"), dir.resolve("photos").toString(), err, "--set", "dataset.size=16")).as(err::toString)
                .isZero();
        RunReport report = RunReport.read(dir.resolve("run/report.json"));
        assertThat(report.provenance().datasetInfo().toString()).contains("photos");
        assertThat(report.pretrain().steps()).isEqualTo(6);

        // embed names every row by its file: SPLIT_ids.txt, in the rows' order, each id in its label's class folder
        Path feats = dir.resolve("feats");
        assertThat(Main.execute(new String[] {"embed", "--run", dir.resolve("run").toString(), "--out",
            feats.toString()}, new PrintStream(new ByteArrayOutputStream()), System.err)).isZero();
        for (String split : new String[] {"train", "test"}) {
            java.util.List<String> ids = Files.readAllLines(feats.resolve(split + "_ids.txt"));
            int[] labels = org.pretext.probe.FeatureFiles.readLabels(feats.resolve(split + "_labels.npy"));
            assertThat(ids).hasSize(labels.length).doesNotHaveDuplicates();
            for (int i = 0; i < ids.size(); i++) {
                assertThat(dir.resolve("photos").resolve(ids.get(i))).isRegularFile();
                assertThat(ids.get(i)).startsWith(labels[i] == 0 ? "cats/" : "dogs/");
            }
        }
        assertThat(Files.readString(feats.resolve("embed.json"))).contains("\"ids\": \"test_ids.txt\"");
    }

    @Test
    void numpyArraysAndACsvTable(@TempDir Path dir) throws IOException {
        Random r = new Random(2);
        int n = 60;
        int d = 12;
        float[] x = new float[n * d];
        int[] y = new int[n];
        StringBuilder csv = new StringBuilder();
        for (int j = 0; j < d; j++) {
            csv.append("f").append(j).append(',');
        }
        csv.append("label\n");
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) (r.nextGaussian() + y[i]);
                csv.append(x[i * d + j]).append(',');
            }
            csv.append("class").append(y[i]).append('\n');
        }
        Files.createDirectories(dir.resolve("arrays"));
        NpyWriter.writeFloats(dir.resolve("arrays/x.npy"), x, n, d);
        NpyWriter.writeInts(dir.resolve("arrays/y.npy"), y, n);
        StringBuilder err = new StringBuilder();
        assertThat(run(dir.resolve("run-npy"), dir.resolve("arrays").toString(), err)).as(err::toString).isZero();
        Files.writeString(dir.resolve("table.csv"), csv);
        assertThat(run(dir.resolve("run-csv"), dir.resolve("table.csv").toString(), err)).as(err::toString).isZero();
        assertThat(RunReport.read(dir.resolve("run-csv/report.json")).pretrain().steps()).isEqualTo(6);

        Files.writeString(dir.resolve("bad.csv"), "a,b,label\n1,2,x\n3,oops,y\n");
        StringBuilder bad = new StringBuilder();
        assertThat(run(dir.resolve("run-bad"), dir.resolve("bad.csv").toString(), bad)).isEqualTo(2);
        assertThat(bad).contains("bad.csv").contains("oops").contains("line 3");
    }

    @Test
    void aPluginDatasetIsFoundByItsPath(@TempDir Path dir) throws IOException {
        StringBuilder lines = new StringBuilder();
        Random r = new Random(3);
        for (int i = 0; i < 64; i++) {
            int label = i % 2;
            lines.append(label);
            for (int j = 0; j < 6; j++) {
                lines.append(' ').append((float) (r.nextGaussian() + 2 * label));
            }
            lines.append('\n');
        }
        Path pets = dir.resolve("cats.pets");
        Files.writeString(pets, lines);

        StringBuilder err = new StringBuilder();
        assertThat(run(dir.resolve("no-plugin"), pets.toString(), err)).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains(pets.toString()).contains("no dataset provider recognises")
                .contains("npy (path)");

        // a plug-in jar that registers PetsDatasetProvider (its class comes from the test class path)
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        try (java.util.jar.JarOutputStream jar = new java.util.jar.JarOutputStream(
                Files.newOutputStream(plugins.resolve("pets.jar")))) {
            jar.putNextEntry(new java.util.jar.JarEntry("META-INF/services/org.pretext.data.DatasetProvider"));
            jar.write((PetsDatasetProvider.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        StringBuilder err2 = new StringBuilder();
        assertThat(run(dir.resolve("run"), pets.toString(), err2, "--plugins", plugins.toString())).as(err2::toString)
                .isZero();
        RunReport report = RunReport.read(dir.resolve("run/report.json"));
        assertThat(report.pretrain().steps()).isEqualTo(6);
        assertThat(Files.readString(dir.resolve("run/config.yaml"))).contains("name: pets")
                .contains("file: " + pets.toAbsolutePath());
    }

    @Test
    void aPathTwoProvidersClaimStopsWithExitCode2(@TempDir Path dir) throws IOException {
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        NpyWriter.writeFloats(mixed.resolve("x.npy"), new float[8], 4, 2);
        Files.writeString(mixed.resolve("t.csv"), "a,label\n1,0\n");
        StringBuilder err = new StringBuilder();
        assertThat(run(dir.resolve("run"), mixed.toString(), err)).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains(mixed.toString()).contains("recognised by 2 providers (csv, npy)")
                .contains("Choose one");
        assertThat(dir.resolve("run")).doesNotExist();
    }
}
