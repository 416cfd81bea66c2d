package org.pretext.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.runtime.EngineSetup;

/**
 * Safetensors files written by hand, byte by byte, as PyTorch's {@code safetensors.torch.save_file}
 * lays them out. A BF16 tensor used to reach DJL's JNI, which has no libtorch type for it and
 * terminates the JVM ("terminate called without an active exception"); it is now refused by name.
 */
class SafetensorsDtypeTest {
    /** header JSON, padded with spaces to a multiple of 8 as the format's writers do, then the data. */
    private static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.writeBytes(h);
        for (int i = h.length; i < padded; i++) {
            out.write(' ');
        }
        out.writeBytes(data);
        return out.toByteArray();
    }

    @Test
    void readsAHandWrittenFloat32File(@TempDir Path dir) throws Exception {
        EngineSetup.engine();
        Path f = dir.resolve("model.safetensors");
        Files.write(f, file("{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],"
                + "\"data_offsets\":[0,16]}}", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f)
                        .putFloat(0.25f).putFloat(8f).array()));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = SafetensorsFile.read(f, m);
            assertThat(t).containsOnlyKeys("w");
            assertThat(t.get("w").getShape().getShape()).containsExactly(2, 2);
            assertThat(t.get("w").toFloatArray()).containsExactly(1.5f, -2f, 0.25f, 8f);
        }
    }

    @Test
    void aBfloat16TensorIsRefusedByNameInsteadOfEndingTheJvm(@TempDir Path dir) throws Exception {
        EngineSetup.engine();
        Path f = dir.resolve("model.safetensors");
        // bf16 1.0 = 0x3F80, 2.0 = 0x4000 (little-endian bytes)
        Files.write(f, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"blocks.0.attn.qkv.weight\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}",
                new byte[] {0, 0, (byte) 0x80, 0x3F, (byte) 0x80, 0x3F, 0, 0x40}));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> SafetensorsFile.read(f, m))
                    .isInstanceOf(PretextException.class)
                    .hasMessageContaining(f.toString())
                    .hasMessageContaining("'blocks.0.attn.qkv.weight' is BF16")
                    .hasMessageContaining("[BOOL, F16, F32, F64, I32, I64, I8, U8]");
        }
    }
}
