package org.pretext.probe;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;

/** A pickled object array (numpy.save with allow_pickle) is refused by dtype, never unpickled. */
class PickledArrayTest {
    /** Protocol-0 pickle that would run a shell command if it were unpickled. */
    static final byte[] PICKLE = "cos\nsystem\n(S'touch /tmp/pwned'\ntR.".getBytes(StandardCharsets.US_ASCII);

    @Test
    void objectArraysAreRefusedAsFeaturesAndLabels(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("pickled.npy");
        Files.write(f, FeatureFilesTest.npy("|O", false, "(1,)", PICKLE, 1));
        assertThatThrownBy(() -> FeatureFiles.readFeatures(f)).isInstanceOf(PretextException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("float32");
        assertThatThrownBy(() -> FeatureFiles.readLabels(f)).isInstanceOf(PretextException.class)
                .hasMessageContaining(f.toString());
    }
}
