package org.pretext.datasets.npy;

import ai.djl.ndarray.types.DataType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;

/** The .npy reader and writer against bytes written by numpy 1.24 itself. */
class NpyFileTest {
    /** {@code np.save(f, np.arange(6, dtype='<f4').reshape(2, 3) / 4)}. */
    static final String F4 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPgAAAD8AAEA/AACAPwAAoD8=";
    /** {@code np.save(f, np.arange(24, dtype=np.uint8).reshape(2, 2, 2, 3) * 10)}: two 2x2 RGB images, (n, H, W, C). */
    static final String U1_NHWC = "k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIsIDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAChQeKDI8RlBaZG54goyWoKq0vsjS3OY=";
    /** {@code np.save(f, np.array([[0.5, -1.25]], dtype='<f8'))}. */
    static final String F8 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADgPwAAAAAAAPS/";
    /** {@code np.save(f, np.array([3, 1, 2], dtype='<i8'))}. */
    static final String I8 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoDAAAAAAAAAAEAAAAAAAAAAgAAAAAAAAA=";
    /** {@code np.lib.format.write_array(f, np.array([7, 8], dtype='<i4'), version=(2, 0))}. */
    static final String I4_V2 = "k05VTVBZAgB0AAAAeydkZXNjcic6ICc8aTQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoHAAAACAAAAA==";

    static Path write(Path dir, String name, String base64) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, Base64.getDecoder().decode(base64));
        return f;
    }

    @Test
    void readsFloat32AsNumpyWroteIt(@TempDir Path dir) throws IOException {
        NpyFile f = NpyFile.open(write(dir, "a.npy", F4));
        assertThat(f.dtype()).isEqualTo(DataType.FLOAT32);
        assertThat(f.shape()).containsExactly(2, 3);
        assertThat(f.dataOffset()).isEqualTo(128);
        assertThat(f.readAllFloats(1f)).containsExactly(0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f);
    }

    @Test
    void writerProducesNumpysExactBytes(@TempDir Path dir) throws IOException {
        Path mine = dir.resolve("mine.npy");
        NpyWriter.writeFloats(mine, new float[] {0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f}, 2, 3);
        assertThat(Files.readAllBytes(mine)).isEqualTo(Base64.getDecoder().decode(F4));
        Path labels = dir.resolve("labels.npy");
        try (NpyWriter w = NpyWriter.create(labels, DataType.INT64, 3)) {
            byte[] b = new byte[24];
            NpyFile.littleEndian(b).putLong(0, 3).putLong(8, 1).putLong(16, 2);
            w.writeBytes(b, 0, 24);
        }
        assertThat(Files.readAllBytes(labels)).isEqualTo(Base64.getDecoder().decode(I8));
    }

    @Test
    void aWriterThatStopsShortLeavesNoFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("short.npy");
        NpyWriter w = NpyWriter.create(f, DataType.FLOAT32, 3, 2);
        w.writeFloats(new float[] {1, 2, 3, 4}, 0, 4);
        assertThat(Files.exists(f)).isFalse(); // rows go to a temporary file until close
        assertThatThrownBy(w::close).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("wrote 16 bytes of data, the header declares 24");
        try (var listing = Files.list(dir)) {
            assertThat(listing).isEmpty();
        }
        NpyWriter.writeFloats(f, new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        assertThat(NpyFile.open(f).readAllFloats(1f)).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void readsBytesDoublesLongsAndVersion2Headers(@TempDir Path dir) throws IOException {
        NpyFile u = NpyFile.open(write(dir, "u.npy", U1_NHWC));
        assertThat(u.dtype()).isEqualTo(DataType.UINT8);
        assertThat(u.shape()).containsExactly(2, 2, 2, 3);
        float[] v = u.readAllFloats(1f);
        assertThat(v[23]).isEqualTo(230f);
        assertThat(NpyFile.open(write(dir, "d.npy", F8)).readAllFloats(1f)).containsExactly(0.5f, -1.25f);
        assertThat(NpyFile.open(write(dir, "l.npy", I8)).readLabels()).containsExactly(3, 1, 2);
        NpyFile v2 = NpyFile.open(write(dir, "v2.npy", I4_V2));
        assertThat(v2.readLabels()).containsExactly(7, 8);
    }

    @Test
    void readsRowRanges(@TempDir Path dir) throws IOException {
        NpyFile f = NpyFile.open(write(dir, "a.npy", F4));
        byte[] row1 = f.readRows(1, 1);
        float[] out = new float[3];
        NpyFile.toFloats(DataType.FLOAT32, NpyFile.littleEndian(row1), 0, out, 0, 3, 2f);
        assertThat(out).containsExactly(1.5f, 2f, 2.5f);
    }

    /** The header of a (2, 3) float32 file with one entry of the header text replaced (same length). */
    private static Path withHeader(Path dir, String name, String from, String to) throws IOException {
        byte[] bytes = Base64.getDecoder().decode(F4);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertThat(to).hasSameSizeAs(from);
        Path f = dir.resolve(name);
        Files.write(f, text.replace(from, to).getBytes(StandardCharsets.ISO_8859_1));
        return f;
    }

    @Test
    void refusesOtherDtypesAndFortranOrderNamingTheFile(@TempDir Path dir) throws IOException {
        Path big = withHeader(dir, "big.npy", "'<f4'", "'>f4'");
        assertThatThrownBy(() -> NpyFile.open(big)).isInstanceOf(PretextException.class)
                .hasMessageContaining(big.toString()).hasMessageContaining("'>f4'")
                .hasMessageContaining("[<f4, <f8, |u1, <i4, <i8]").hasMessageContaining("astype('<f4')");
        Path half = withHeader(dir, "half.npy", "'<f4'", "'<f2'");
        assertThatThrownBy(() -> NpyFile.open(half)).hasMessageContaining("half.npy").hasMessageContaining("'<f2'");
        Path bool = withHeader(dir, "bool.npy", "'<f4'", "'|b1'");
        assertThatThrownBy(() -> NpyFile.open(bool)).hasMessageContaining("bool.npy").hasMessageContaining("'|b1'");
        Path fortran = withHeader(dir, "fortran.npy", "False", "True ");
        assertThatThrownBy(() -> NpyFile.open(fortran)).hasMessageContaining("fortran.npy")
                .hasMessageContaining("Fortran").hasMessageContaining("expected C order");
        Path structured = withHeader(dir, "rec.npy", "'descr': '<f4'", "'descr': [('a'");
        assertThatThrownBy(() -> NpyFile.open(structured)).hasMessageContaining("rec.npy")
                .hasMessageContaining("structured");
    }

    @Test
    void refusesTruncatedPaddedAndForeignFiles(@TempDir Path dir) throws IOException {
        byte[] good = Base64.getDecoder().decode(F4);
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, Arrays.copyOf(good, good.length - 3));
        assertThatThrownBy(() -> NpyFile.open(cut)).isInstanceOf(PretextException.class)
                .hasMessageContaining("cut.npy").hasMessageContaining("truncated")
                .hasMessageContaining("(2, 3)").hasMessageContaining("24 bytes").hasMessageContaining("21 bytes");
        Path longer = dir.resolve("longer.npy");
        Files.write(longer, Arrays.copyOf(good, good.length + 4));
        assertThatThrownBy(() -> NpyFile.open(longer)).hasMessageContaining("longer.npy")
                .hasMessageContaining("4 bytes more");
        Path text = dir.resolve("notes.npy");
        Files.writeString(text, "hello, this is not numpy");
        assertThatThrownBy(() -> NpyFile.open(text)).hasMessageContaining("notes.npy")
                .hasMessageContaining("not a NumPy .npy file");
        Path header = dir.resolve("header.npy");
        Files.write(header, Arrays.copyOf(good, 40));
        assertThatThrownBy(() -> NpyFile.open(header)).hasMessageContaining("header.npy")
                .hasMessageContaining("truncated inside its header");
        assertThatThrownBy(() -> NpyFile.open(dir.resolve("missing.npy"))).hasMessageContaining("missing.npy")
                .hasMessageContaining("does not exist");
    }

    @Test
    void labelsMustBeWholeNumbersInOneColumn(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("y.npy");
        NpyWriter.writeFloats(f, new float[] {1f, 2.5f}, 2);
        assertThatThrownBy(() -> NpyFile.open(f).readLabels()).hasMessageContaining("y.npy")
                .hasMessageContaining("2.5 at index 1");
        Path g = dir.resolve("y2.npy");
        NpyWriter.writeFloats(g, new float[] {1f, 2f, 3f, 4f}, 2, 2);
        assertThatThrownBy(() -> NpyFile.open(g).readLabels()).hasMessageContaining("y2.npy")
                .hasMessageContaining("(2, 2)").hasMessageContaining("one label per example");
    }
}
