package org.pretext.export.onnx;

import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.checkpoint.Provenance;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.export.onnx.proto.OnnxProto.ModelProto;
import org.pretext.export.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.pretext.export.onnx.proto.OnnxProto.StringStringEntryProto;
import org.pretext.export.onnx.proto.OnnxProto.TensorProto;
import org.pretext.export.onnx.proto.OnnxProto.TensorShapeProto;
import org.pretext.export.onnx.proto.OnnxProto.TypeProto;
import org.pretext.export.onnx.proto.OnnxProto.ValueInfoProto;
import org.pretext.text.Tokenizer;

/**
 * Writes an encoder as an ONNX model (opset 17): input {@code input} of shape (batch, inputShape...)
 * with a dynamic batch axis (float32, or int64 token ids for a sequence encoder), output
 * {@code features} (batch, featureSize), the encoder's inference-mode computation (BatchNorm on its
 * running statistics, no dropout), and metadata: input shape and type, the input range and
 * normalisation the encoder expects, Pretext's version and the run's provenance as JSON. A text
 * encoder's tokenizer is written beside the model ({@code NAME.tokenizer.json}) and named in the
 * metadata. Built-in encoders (MLP, CNN, ViT, token transformer) are exported; a block with no
 * known ONNX translation (e.g. from a plug-in) is refused, naming it.
 */
public final class OnnxExporter {
    /** The ONNX operator set the models use. */
    public static final int OPSET = 17;
    /** The ONNX IR version of opset 17. */
    public static final int IR_VERSION = 8;
    /** The model's input name. */
    public static final String INPUT = "input";
    /** The model's output name. */
    public static final String OUTPUT = "features";

    private OnnxExporter() {}

    /** What an export wrote. */
    public record Written(Path model, Optional<Path> tokenizer) {}

    /** The walker over every block kind the built-in encoders use. */
    static BlockWalker walker() {
        return new BlockWalker(List.of(new SequentialEmitter(), new LinearEmitter(), new NamedLambdaEmitter(),
                new Conv2dEmitter(), new BatchNormEmitter(), new Pool2dEmitter(), new VitEmitter(),
                new TokenTransformerEmitter()));
    }

    /**
     * Writes the encoder (initialised, with its trained weights) to {@code out}, atomically.
     *
     * @param provenance where the encoder came from (recorded in the metadata), or null
     */
    public static Written write(Encoder encoder, Provenance provenance, Path out) throws IOException {
        return write(encoder, provenance, null, out);
    }

    /**
     * As {@link #write(Encoder, Provenance, Path)}, for an encoder trained on a part or transform of
     * each example (the objective's {@code encoderInput}, e.g. part-prediction's top half): when the
     * dataset's example shape differs from the encoder's input shape, the metadata says so (for
     * image and vector encoders; a token encoder's input is described by its context and tokenizer).
     *
     * @param exampleShape the shape of one example of the run's dataset, or null
     */
    public static Written write(Encoder encoder, Provenance provenance, Shape exampleShape, Path out)
            throws IOException {
        Optional<Tokenizer> tokenizer = encoder instanceof SequenceEncoder s ? s.tokenizer() : Optional.empty();
        Path tokFile = out.resolveSibling(baseName(out) + ".tokenizer.json");
        ModelProto model = model(encoder, provenance, tokenizer.isPresent() ? tokFile.getFileName().toString() : null);
        // (a text objective's windows are one token longer than the context, for next-token targets: token
        // encoders are described by their context and tokenizer instead)
        if (exampleShape != null && !exampleShape.equals(encoder.inputShape())
                && !(encoder instanceof SequenceEncoder)) {
            String objective = provenance == null ? "the objective" : "objective '" + provenance.objective() + "'";
            model = model.toBuilder().addMetadataProps(StringStringEntryProto.newBuilder()
                    .setKey("pretext.input.from-example").setValue("the dataset's examples have shape "
                            + exampleShape + "; " + objective + " gave the encoder a part or transform of each"
                            + " (its encoderInput), of shape " + encoder.inputShape() + ": feed the model that"))
                    .build();
        }
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        if (tokenizer.isPresent()) {
            writeAtomically(tokFile, tokenizer.get().toBytes());
        }
        writeAtomically(out, model.toByteArray());
        return new Written(out, tokenizer.isPresent() ? Optional.of(tokFile) : Optional.empty());
    }

    /** The ONNX model of an encoder. */
    public static ModelProto model(Encoder encoder, Provenance provenance, String tokenizerFile) {
        OnnxGraph graph = new OnnxGraph();
        String output;
        try {
            output = walker().emit(encoder.block(), INPUT, graph);
        } catch (PretextException e) {
            throw new PretextException("Encoder " + describe(encoder, provenance) + " cannot be exported to ONNX. "
                    + e.getMessage(), e);
        }
        boolean tokens = encoder instanceof SequenceEncoder;
        var g = graph.builder().setName("pretext_encoder");
        g.addInput(value(INPUT, tokens ? TensorProto.DataType.INT64_VALUE : TensorProto.DataType.FLOAT_VALUE,
                encoder.inputShape()));
        // the last node's output is renamed to the graph's output name
        var last = g.getNodeBuilder(g.getNodeCount() - 1);
        if (!last.getOutput(0).equals(output)) {
            throw new IllegalStateException("the encoder's output " + output + " is not the last node's");
        }
        last.setOutput(0, OUTPUT);
        g.addOutput(value(OUTPUT, TensorProto.DataType.FLOAT_VALUE, new Shape(encoder.featureSize())));
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("pretext")
                .setProducerVersion(Versions.pretext())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setDocString("A Pretext encoder: " + encoder.getClass().getSimpleName() + ", features of width "
                        + encoder.featureSize() + ". Metadata keys pretext.*: input shape, type, range and"
                        + " normalisation, provenance.")
                .setGraph(g);
        metadata(encoder, provenance, tokenizerFile).forEach((k, v) ->
                m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    /** The metadata written into the model ({@code metadata_props}). */
    static Map<String, String> metadata(Encoder encoder, Provenance provenance, String tokenizerFile) {
        Map<String, String> md = new LinkedHashMap<>();
        boolean tokens = encoder instanceof SequenceEncoder;
        List<Object> shape = new ArrayList<>();
        shape.add("batch");
        for (long d : encoder.inputShape().getShape()) {
            shape.add(d);
        }
        md.put("pretext.version", Versions.pretext());
        md.put("pretext.input.name", INPUT);
        md.put("pretext.input.shape", shape.toString());
        md.put("pretext.input.dtype", tokens ? "int64" : "float32");
        md.put("pretext.output.name", OUTPUT);
        md.put("pretext.output.shape", "[batch, " + encoder.featureSize() + "]");
        if (tokens) {
            SequenceEncoder s = (SequenceEncoder) encoder;
            md.put("pretext.input.range", "token ids 0.." + (s.vocabularySize() - 1)
                    + " from the tokenizer, right-padded to the context length with the tokenizer's pad id");
            md.put("pretext.input.normalisation", "none");
        } else {
            md.put("pretext.input.range", "the values the dataset gives, unscaled: pixels in [0, 1] for IDX files,"
                    + " image folders and CIFAR; .npy and CSV values as stored");
            md.put("pretext.input.normalisation", "none (no mean or standard deviation is subtracted or divided)");
        }
        if (tokenizerFile != null) {
            Tokenizer t = ((SequenceEncoder) encoder).tokenizer().orElseThrow();
            md.put("pretext.tokenizer.file", tokenizerFile);
            md.put("pretext.tokenizer.kind", t.kind());
            md.put("pretext.tokenizer.fingerprint", t.fingerprint());
            md.put("pretext.tokenizer.pad-id", Integer.toString(t.padId()));
        }
        if (provenance != null) {
            md.put("pretext.encoder", provenance.encoder());
            md.put("pretext.provenance", new GsonBuilder().disableHtmlEscaping().create().toJson(provenance));
        }
        return md;
    }

    /** The encoder's name and, for a plug-in's, its jar. */
    static String describe(Encoder encoder, Provenance provenance) {
        if (provenance == null || provenance.encoder() == null) {
            return "'" + encoder.getClass().getSimpleName() + "'";
        }
        String jar = provenance.plugins().stream()
                .filter(p -> "encoder".equals(p.kind()) && provenance.encoder().equals(p.provider()))
                .map(p -> " (from plug-in jar " + p.jar() + ")").findFirst().orElse("");
        return "'" + provenance.encoder() + "'" + jar;
    }

    private static ValueInfoProto value(String name, int elemType, Shape shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : shape.getShape()) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s))).build();
    }

    private static String baseName(Path out) {
        String n = out.getFileName().toString();
        return n.endsWith(".onnx") ? n.substring(0, n.length() - 5) : n;
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp)) {
            os.write(bytes);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
