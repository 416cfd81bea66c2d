package org.pretext.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.encoder.Features;

class FeatureFilesTest {
    @TempDir
    Path dir;

    /** Bytes of a .npy file as numpy.save writes them (version 1.0, header padded to 64 bytes). */
    static byte[] npy(String descr, boolean fortran, String shape, byte[] body, int major) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': "
                + shape + ", }";
        int lenBytes = major == 1 ? 2 : 4;
        int unpadded = 6 + 2 + lenBytes + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        ByteBuffer len = ByteBuffer.allocate(lenBytes).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            len.putShort((short) header.length());
        } else {
            len.putInt(header.length());
        }
        out.writeBytes(len.array());
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] le(int width, long... values) {
        ByteBuffer b = ByteBuffer.allocate(width * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (width) {
                case 1 -> b.put((byte) v);
                case 4 -> b.putInt((int) v);
                default -> b.putLong(v);
            }
        }
        return b.array();
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    @Test
    void writesAndReadsBack() throws IOException {
        float[] values = {1.5f, -2, 3, 4, 5, 6.25f};
        Path f = dir.resolve("sub/x.npy");
        FeatureFiles.writeFeatures(f, values, 3, 2);
        Features.Matrix m = FeatureFiles.readFeatures(f);
        assertThat(m.rows()).isEqualTo(3);
        assertThat(m.cols()).isEqualTo(2);
        assertThat(m.values()).containsExactly(values);
        assertThat((Files.size(f) - 24) % 64).isZero(); // header padded to align the data, as numpy does
        Path y = dir.resolve("y.npy");
        FeatureFiles.writeLabels(y, new int[] {2, 0, 1});
        assertThat(FeatureFiles.readLabels(y)).containsExactly(2, 0, 1);
        assertThat(Files.readAllBytes(y)).startsWith(npy("<i4", false, "(3,)", le(4, 2, 0, 1), 1));
    }

    @Test
    void readsTheIntegerLabelTypesNumpyWrites() throws IOException {
        assertThat(FeatureFiles.readLabels(file("i8.npy", npy("<i8", false, "(3,)", le(8, 7, 0, 9), 1))))
                .containsExactly(7, 0, 9);
        assertThat(FeatureFiles.readLabels(file("u1.npy", npy("|u1", false, "(2,)", le(1, 255, 3), 1))))
                .containsExactly(255, 3);
        assertThat(FeatureFiles.readLabels(file("v2.npy", npy("<i4", false, "(2,)", le(4, 4, 5), 2))))
                .containsExactly(4, 5);
        // A 1-d array's Fortran flag is irrelevant (numpy writes True for some 1-d views).
        assertThat(FeatureFiles.readLabels(file("f1.npy", npy("<i4", true, "(1,)", le(4, 1), 1)))).containsExactly(1);
    }

    @Test
    void rejectsWhatIsNotFloat32Features() throws IOException {
        Path f64 = file("f64.npy", npy("<f8", false, "(1, 2)", new byte[16], 1));
        assertThatThrownBy(() -> FeatureFiles.readFeatures(f64)).isInstanceOf(PretextException.class)
                .hasMessageContaining(f64.toString()).hasMessageContaining("float64").hasMessageContaining("float32");
        Path big = file("big.npy", npy(">f4", false, "(1, 2)", new byte[8], 1));
        assertThatThrownBy(() -> FeatureFiles.readFeatures(big)).hasMessageContaining(big.toString())
                .hasMessageContaining("big-endian").hasMessageContaining("astype('<f4')");
        Path fortran = file("fortran.npy", npy("<f4", true, "(2, 2)", floats(1, 2, 3, 4), 1));
        assertThatThrownBy(() -> FeatureFiles.readFeatures(fortran)).hasMessageContaining(fortran.toString())
                .hasMessageContaining("Fortran");
        Path oneD = file("oned.npy", npy("<f4", false, "(4,)", floats(1, 2, 3, 4), 1));
        assertThatThrownBy(() -> FeatureFiles.readFeatures(oneD)).hasMessageContaining("shape (4,)")
                .hasMessageContaining("(n, d)");
        Path threeD = file("threed.npy", npy("<f4", false, "(1, 2, 2)", floats(1, 2, 3, 4), 1));
        assertThatThrownBy(() -> FeatureFiles.readFeatures(threeD)).hasMessageContaining("shape (1, 2, 2)");
    }

    @Test
    void rejectsTruncatedAndOverlongFiles() throws IOException {
        byte[] good = npy("<f4", false, "(2, 3)", floats(1, 2, 3, 4, 5, 6), 1);
        Path cut = file("cut.npy", Arrays.copyOf(good, good.length - 5));
        assertThatThrownBy(() -> FeatureFiles.readFeatures(cut)).hasMessageContaining(cut.toString())
                .hasMessageContaining("truncated").hasMessageContaining("24 bytes of data")
                .hasMessageContaining("only 19 bytes");
        Path headerCut = file("hcut.npy", Arrays.copyOf(good, 30));
        assertThatThrownBy(() -> FeatureFiles.readFeatures(headerCut)).hasMessageContaining("truncated");
        Path tiny = file("tiny.npy", new byte[] {(byte) 0x93, 'N'});
        assertThatThrownBy(() -> FeatureFiles.readFeatures(tiny)).hasMessageContaining("shorter than an .npy header");
        Path longer = file("long.npy", Arrays.copyOf(good, good.length + 4));
        assertThatThrownBy(() -> FeatureFiles.readFeatures(longer)).hasMessageContaining("4 bytes more than its header declares");
        Path text = file("text.npy", "label\n1\n2\n".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> FeatureFiles.readLabels(text)).hasMessageContaining(text.toString())
                .hasMessageContaining("does not start with");
        Path missing = dir.resolve("missing.npy");
        assertThatThrownBy(() -> FeatureFiles.readLabels(missing)).hasMessageContaining("does not exist")
                .hasMessageContaining(missing.toString());
    }

    @Test
    void rejectsLabelsOfTheWrongKind() throws IOException {
        Path fl = file("fl.npy", npy("<f4", false, "(2,)", floats(0, 1), 1));
        assertThatThrownBy(() -> FeatureFiles.readLabels(fl)).hasMessageContaining(fl.toString())
                .hasMessageContaining("float32").hasMessageContaining("int32");
        Path i2 = file("i2.npy", npy("<i2", false, "(2,)", new byte[4], 1));
        assertThatThrownBy(() -> FeatureFiles.readLabels(i2)).hasMessageContaining("'<i2'")
                .hasMessageContaining("expected one of");
        Path column = file("column.npy", npy("<i4", false, "(2, 1)", le(4, 0, 1), 1));
        assertThat(FeatureFiles.readLabels(column)).containsExactly(0, 1); // a column of labels is read as one
        Path twoD = file("twod.npy", npy("<i4", false, "(2, 2)", le(4, 0, 1, 1, 0), 1));
        assertThatThrownBy(() -> FeatureFiles.readLabels(twoD)).hasMessageContaining("shape (2, 2)")
                .hasMessageContaining("(n,)");
        Path negative = file("neg.npy", npy("<i8", false, "(2,)", le(8, 1, -3), 1));
        assertThatThrownBy(() -> FeatureFiles.readLabels(negative)).hasMessageContaining("label -3 at index 1");
        Path damaged = file("damaged.npy", npy("<i4", false, "(2,)", le(4, 0, 1), 1).clone());
        byte[] bytes = Files.readAllBytes(damaged);
        String s = new String(bytes, StandardCharsets.ISO_8859_1).replace("'shape'", "'shope'");
        Files.write(damaged, s.getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> FeatureFiles.readLabels(damaged)).hasMessageContaining(damaged.toString())
                .hasMessageContaining("without a 'shape'");
    }
}
