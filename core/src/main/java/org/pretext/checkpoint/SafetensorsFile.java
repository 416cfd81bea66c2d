package org.pretext.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.pretext.PretextException;

/**
 * Named tensors in the safetensors format (Hugging Face's: an 8-byte little-endian header length,
 * a JSON header of names, dtypes, shapes and offsets, then the raw little-endian data), written and
 * read with DJL's own codec ({@link NDList.Encoding#SAFETENSORS}, {@link NDList#decode}).
 */
public final class SafetensorsFile {
    /**
     * The safetensors dtypes DJL 0.35's PyTorch engine can hold. Its JNI maps only these to libtorch
     * types; any other (BF16 above all: a file saved from a bf16 model) ends in {@code throw;} with no
     * exception to rethrow in its {@code GetScalarTypeFromDType}, which terminates the JVM without a
     * message, so the header is checked first.
     */
    static final Set<String> ENGINE_DTYPES = Set.of("F32", "F64", "F16", "U8", "I32", "I8", "I64", "BOOL");
    /** The tensor file's name in an exported folder. */
    public static final String WEIGHTS = "model.safetensors";
    /** The architecture's description in an exported folder. */
    public static final String CONFIG = "config.json";
    /** The tokenizer of a text encoder in an exported folder. */
    public static final String TOKENIZER = "tokenizer.json";

    private SafetensorsFile() {}

    /** Writes the tensors, each under its key, atomically (a temporary file moved into place). */
    public static void write(Path file, Map<String, NDArray> tensors) throws IOException {
        NDList list = new NDList();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            a.setName(e.getKey());
            list.add(a);
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                list.encode(out, NDList.Encoding.SAFETENSORS);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads every tensor of a safetensors file into {@code manager}, by name in the file's order.
     *
     * @throws PretextException when the file is missing or not safetensors (named, with what was found)
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        if (!Files.isRegularFile(file)) {
            throw new PretextException("No safetensors file at " + file);
        }
        try {
            byte[] head = new byte[9];
            try (InputStream in = Files.newInputStream(file)) {
                if (in.readNBytes(head, 0, 9) < 9) {
                    throw new PretextException(file + " is not a safetensors file: it is only "
                            + Files.size(file) + " bytes long");
                }
            }
            long headerLength = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength <= 1 || headerLength > Files.size(file) - 8 || head[8] != '{') {
                throw new PretextException(file + " is not a safetensors file: it does not start with an 8-byte"
                        + " header length and a JSON header");
            }
            requireEngineDtypes(file, headerLength);
            NDList list;
            try (InputStream in = Files.newInputStream(file)) {
                list = NDList.decode(manager, in);
            }
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (NDArray a : list) {
                out.put(a.getName(), a);
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file, e);
        } catch (IllegalArgumentException | IllegalStateException | com.google.gson.JsonParseException e) {
            throw new PretextException(file + " is not a readable safetensors file: " + e.getMessage(), e);
        }
    }

    /** Stops with the tensor's name and dtype when the header names a dtype the engine cannot hold. */
    private static void requireEngineDtypes(Path file, long headerLength) throws IOException {
        if (headerLength > 100L * 1024 * 1024) {
            throw new PretextException(file + " is not a readable safetensors file: its header claims "
                    + headerLength + " bytes (at most 100 MiB expected)");
        }
        byte[] json = new byte[(int) headerLength];
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(8);
            in.readNBytes(json, 0, json.length);
        }
        com.google.gson.JsonObject header = com.google.gson.JsonParser
                .parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
        for (Map.Entry<String, com.google.gson.JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__") || !e.getValue().isJsonObject()) {
                continue;
            }
            com.google.gson.JsonElement dtype = e.getValue().getAsJsonObject().get("dtype");
            String d = dtype == null || !dtype.isJsonPrimitive() ? String.valueOf(dtype) : dtype.getAsString();
            if (!ENGINE_DTYPES.contains(d)) {
                throw new PretextException(file + ": tensor '" + e.getKey() + "' is " + d + ", which the engine"
                        + " (DJL 0.35's PyTorch) cannot hold; expected one of " + new java.util.TreeSet<>(ENGINE_DTYPES)
                        + " (convert the weights to F32 before exporting, e.g. tensor.float() in PyTorch)");
            }
        }
    }
}
