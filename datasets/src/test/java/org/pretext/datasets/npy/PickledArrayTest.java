package org.pretext.datasets.npy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;

/** A pickled object array (numpy.save with allow_pickle) is refused by its dtype, never unpickled. */
class PickledArrayTest {
    @Test
    void objectArraysAreRefusedNamingTheFileAndTheDtype(@TempDir Path dir) throws Exception {
        String header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
        header = header + " ".repeat((64 - (10 + header.length() + 1) % 64) % 64) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes("cos\nsystem\n(S'touch /tmp/pwned'\ntR.".getBytes(StandardCharsets.US_ASCII));
        Path f = dir.resolve("x.npy");
        Files.write(f, out.toByteArray());
        assertThatThrownBy(() -> NpyFile.open(f)).isInstanceOf(PretextException.class)
                .hasMessageContaining("NumPy file " + f + " has dtype '|O': expected one of [<f4, <f8, |u1, <i4, <i8]");
    }
}
