package org.pretext.export.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.checkpoint.Provenance;
import org.pretext.datasets.text.CharTokenizer;
import org.pretext.encoder.BlockEncoder;
import org.pretext.encoder.Encoder;
import org.pretext.encoders.CnnEncoderProvider;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.encoders.transformer.PooledSequenceBlock;
import org.pretext.encoders.transformer.TokenTransformer;
import org.pretext.encoders.transformer.TransformerEncoder;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.runtime.EngineSetup;

/**
 * Every built-in architecture, exported to ONNX and run by ONNX Runtime, gives Pretext's features
 * to 1e-5 relative (the largest difference over the batch at most 1e-5 of the largest feature),
 * at batch sizes other than the one the encoder was initialised with.
 */
class OnnxExportTest {
    private static final double RELATIVE = 1e-5;
    private static NDManager manager;
    private static OrtEnvironment env;

    @BeforeAll
    static void engine() {
        EngineSetup.engine();
        manager = NDManager.newBaseManager();
        env = OrtEnvironment.getEnvironment();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void mlpWithTrainedBatchNormMatches() throws Exception {
        Encoder enc = MlpEncoderProvider.create(new Shape(1, 28, 28), List.of(64, 32), 16, true);
        init(enc, 2);
        trainBatchNorm(enc, 784);
        assertMatches(enc, 7, 11);
    }

    @Test
    void mlpWithoutBatchNormMatches() throws Exception {
        Encoder enc = MlpEncoderProvider.create(new Shape(20), List.of(32), 8, false);
        init(enc, 2);
        assertMatches(enc, 5, 1);
    }

    @Test
    void cnnWithTrainedBatchNormMatches() throws Exception {
        Encoder enc = CnnEncoderProvider.create(new Shape(3, 12, 12), 4);
        init(enc, 2);
        trainBatchNorm(enc, 3 * 12 * 12);
        assertMatches(enc, 6, 3);
    }

    @Test
    void vitWithSinCosPositionsAndMeanPoolingMatches() throws Exception {
        Encoder enc = VitEncoderProvider.create(new Shape(1, 8, 8), 4, 16, 2, 2, 2, 0f, false,
                VisionTransformer.Pooling.MEAN);
        init(enc, 2);
        assertMatches(enc, 5, 3);
    }

    @Test
    void vitWithLearnedPositionsAndClsTokenMatches() throws Exception {
        Encoder enc = VitEncoderProvider.create(new Shape(3, 8, 12), 4, 16, 2, 4, 2, 0f, true,
                VisionTransformer.Pooling.CLS);
        init(enc, 2);
        assertMatches(enc, 4, 2);
    }

    @Test
    void causalTransformerWithPaddingMatches() throws Exception {
        TransformerEncoder enc = TransformerEncoder.create(30, 10, 2, 2, 16, 0f, true, 0);
        init(enc, 2);
        assertTokensMatch(enc, 30, 6);
    }

    @Test
    void bidirectionalTransformerWithPaddingMatches() throws Exception {
        TransformerEncoder enc = TransformerEncoder.create(30, 10, 2, 2, 16, 0f, false, 0);
        init(enc, 2);
        assertTokensMatch(enc, 30, 5);
    }

    @Test
    void transformerWithoutPaddingIdMatches() throws Exception {
        TransformerEncoder causal = TransformerEncoder.create(25, 8, 1, 4, 16, 0f, true, -1);
        init(causal, 2);
        assertTokensMatch(causal, 25, 3);
        TransformerEncoder bidirectional = TransformerEncoder.create(25, 8, 1, 4, 16, 0f, false, -1);
        init(bidirectional, 2);
        assertTokensMatch(bidirectional, 25, 4);
    }

    @Test
    void biasFreeTransformerMatches() throws Exception {
        TokenTransformer t = new TokenTransformer(20, 7, 2, 2, 16, 0f, false, 0, false);
        TransformerEncoder enc = new TransformerEncoder(t, PooledSequenceBlock.Pooling.LAST);
        init(enc, 2);
        assertTokensMatch(enc, 20, 4);
    }

    @Test
    void writesMetadataProvenanceFreeModelAndTokenizerSideFile(@TempDir Path dir) throws Exception {
        CharTokenizer tok = CharTokenizer.fit("to be or not to be");
        TransformerEncoder enc = TransformerEncoder.create(tok, 6, 1, 2, 8, 0f, true);
        init(enc, 2);
        Path out = dir.resolve("text.onnx");
        OnnxExporter.Written w = OnnxExporter.write(enc, null, out);
        assertThat(w.tokenizer()).contains(dir.resolve("text.tokenizer.json"));
        assertThat(Files.readAllBytes(dir.resolve("text.tokenizer.json"))).isEqualTo(tok.toBytes());
        try (OrtSession s = env.createSession(out.toString(), new OrtSession.SessionOptions())) {
            Map<String, String> md = s.getMetadata().getCustomMetadata();
            assertThat(md).containsEntry("pretext.input.shape", "[batch, 6]")
                    .containsEntry("pretext.input.dtype", "int64")
                    .containsEntry("pretext.tokenizer.file", "text.tokenizer.json")
                    .containsEntry("pretext.tokenizer.kind", tok.kind())
                    .containsEntry("pretext.tokenizer.pad-id", Integer.toString(tok.padId()))
                    .containsEntry("pretext.output.shape", "[batch, 8]")
                    .containsKey("pretext.version").containsKey("pretext.input.range");
            assertThat(s.getInputInfo().get("input").getInfo().toString()).contains("shape=[-1, 6]");
        }
    }

    @Test
    void anEncoderFedAPartOfEachExampleSaysSoInItsMetadata(@TempDir Path dir) throws Exception {
        Encoder enc = MlpEncoderProvider.create(new Shape(1, 14, 28), List.of(8), 4, false);
        init(enc, 2);
        Provenance p = new Provenance("part-prediction", "1", Map.of(), "mlp", Map.of(), "mnist", Map.of(), 1,
                Map.of(), Map.of());
        Path part = dir.resolve("part.onnx");
        OnnxExporter.write(enc, p, new Shape(1, 28, 28), part);
        Path whole = dir.resolve("whole.onnx");
        OnnxExporter.write(enc, p, new Shape(1, 14, 28), whole);
        try (OrtSession s = env.createSession(part.toString(), new OrtSession.SessionOptions());
                OrtSession w = env.createSession(whole.toString(), new OrtSession.SessionOptions())) {
            assertThat(s.getMetadata().getCustomMetadata().get("pretext.input.from-example"))
                    .isEqualTo("the dataset's examples have shape (1, 28, 28); objective 'part-prediction' gave the"
                            + " encoder a part or transform of each (its encoderInput), of shape (1, 14, 28): feed"
                            + " the model that");
            assertThat(s.getMetadata().getCustomMetadata()).containsEntry("pretext.encoder", "mlp")
                    .containsKey("pretext.provenance");
            assertThat(w.getMetadata().getCustomMetadata()).doesNotContainKey("pretext.input.from-example");
        }
    }

    @Test
    void imageModelRecordsShapeRangeAndDynamicBatch() throws Exception {
        Encoder enc = CnnEncoderProvider.create(new Shape(1, 8, 8), 2);
        init(enc, 2);
        try (OrtSession s = env.createSession(OnnxExporter.model(enc, null, null).toByteArray(),
                new OrtSession.SessionOptions())) {
            Map<String, String> md = s.getMetadata().getCustomMetadata();
            assertThat(md).containsEntry("pretext.input.shape", "[batch, 1, 8, 8]")
                    .containsEntry("pretext.input.dtype", "float32");
            assertThat(md.get("pretext.input.range")).contains("[0, 1]");
            assertThat(md.get("pretext.input.normalisation")).startsWith("none");
            assertThat(s.getInputInfo().get("input").getInfo().toString()).contains("shape=[-1, 1, 8, 8]");
            assertThat(s.getOutputInfo().get("features").getInfo().toString()).contains("shape=[-1, 8]");
        }
    }

    @Test
    void refusesABlockWithNoKnownTranslationNamingIt() {
        SequentialBlock b = new SequentialBlock();
        b.add(Linear.builder().setUnits(4).build());
        b.add(Activation::tanh); // an anonymous lambda: what it computes cannot be read
        Encoder enc = new BlockEncoder(b, new Shape(3), 4);
        init(enc, 2);
        assertThatThrownBy(() -> OnnxExporter.model(enc, null, null)).isInstanceOf(PretextException.class)
                .hasMessageStartingWith("Encoder 'BlockEncoder' cannot be exported to ONNX. Cannot export block")
                .hasMessageContaining("ai.djl.nn.LambdaBlock")
                .hasMessageContaining("no ONNX translation is known");
    }

    @Test
    void refusesAPluginBlockNamingItsClass() {
        Encoder enc = new BlockEncoder(new PluginBlock(), new Shape(3), 3);
        init(enc, 2);
        assertThatThrownBy(() -> OnnxExporter.model(enc, null, null)).isInstanceOf(PretextException.class)
                .hasMessageContaining("Cannot export block PluginBlock")
                .hasMessageContaining(PluginBlock.class.getName());
    }

    @Test
    void refusalNamesThePluginEncoderAndItsJar() {
        Encoder enc = new BlockEncoder(new PluginBlock(), new Shape(3), 3);
        init(enc, 2);
        Provenance p = new Provenance("simclr", "1", Map.of(), "my-encoder", Map.of(), "mnist", Map.of(), 1, Map.of(),
                Map.of(), List.of(new Provenance.PluginJar("encoder", "my-encoder", "1.0", "/plugins/mine.jar", "ab")));
        assertThatThrownBy(() -> OnnxExporter.model(enc, p, null)).isInstanceOf(PretextException.class)
                .hasMessageStartingWith("Encoder 'my-encoder' (from plug-in jar /plugins/mine.jar) cannot be exported"
                        + " to ONNX. Cannot export block PluginBlock()");
    }

    @Test
    void refusesABatchNormOverAnotherAxis() {
        SequentialBlock b = new SequentialBlock();
        b.add(BatchNorm.builder().optAxis(2).build());
        Encoder enc = new BlockEncoder(b, new Shape(2, 3), 3);
        init(enc, 2);
        assertThatThrownBy(() -> OnnxExporter.model(enc, null, null)).isInstanceOf(PretextException.class)
                .hasMessageContaining("only batch normalisation over axis 1").hasMessageContaining("axis 2");
    }

    /** A block a plug-in might bring: the exporter has no translation for it. */
    static final class PluginBlock extends ai.djl.nn.AbstractBlock {
        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                ai.djl.util.PairList<String, Object> params) {
            return inputs;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }

        @Override
        public String toString() {
            return "PluginBlock()";
        }
    }

    private static void init(Encoder enc, int batch) {
        enc.block().initialize(manager, DataType.FLOAT32, PretextModel.batched(enc.inputShape(), batch));
    }

    /** A few training-mode forward passes on shifted, scaled data, so the running statistics are far from (0, 1). */
    private static void trainBatchNorm(Encoder enc, int size) {
        ParameterStore store = new ParameterStore(manager, false);
        Random r = new Random(3);
        for (int step = 0; step < 5; step++) {
            try (NDManager m = manager.newSubManager()) {
                float[] x = new float[16 * size];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (2 + 3 * r.nextGaussian());
                }
                enc.block().forward(store, new NDList(m.create(x, PretextModel.batched(enc.inputShape(), 16))), true);
            }
        }
        boolean moved = false;
        for (Pair<String, Parameter> p : enc.block().getParameters()) {
            if (p.getKey().endsWith("runningMean")) {
                moved |= p.getValue().getArray().abs().max().getFloat() > 0.1f;
            }
        }
        assertThat(moved).as("some running mean moved away from 0").isTrue();
    }

    private static void assertMatches(Encoder enc, int... batches) throws Exception {
        byte[] model = OnnxExporter.model(enc, null, null).toByteArray();
        int size = Math.toIntExact(enc.inputShape().size());
        Random r = new Random(7);
        try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions())) {
            for (int batch : batches) {
                float[] x = new float[batch * size];
                for (int i = 0; i < x.length; i++) {
                    x[i] = r.nextFloat();
                }
                Shape shape = PretextModel.batched(enc.inputShape(), batch);
                float[] expected = pretext(enc, manager.create(x, shape));
                float[] actual;
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape.getShape());
                        OrtSession.Result res = s.run(Map.of(OnnxExporter.INPUT, t))) {
                    actual = flatten((float[][]) res.get(0).getValue());
                }
                assertClose(actual, expected, batch, enc.featureSize());
            }
        }
    }

    /** Token ids with right padding (id 0) of varying lengths, including a full row and a one-token row. */
    private static void assertTokensMatch(TransformerEncoder enc, int vocabulary, int batch) throws Exception {
        byte[] model = OnnxExporter.model(enc, null, null).toByteArray();
        int t = (int) enc.inputShape().get(0);
        Random r = new Random(11);
        long[] ids = new long[batch * t];
        for (int b = 0; b < batch; b++) {
            int length = b == 0 ? t : b == 1 ? 1 : 1 + r.nextInt(t);
            for (int i = 0; i < length; i++) {
                ids[b * t + i] = 1 + r.nextInt(vocabulary - 1);
            }
        }
        int[] ints = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ints[i] = (int) ids[i];
        }
        float[] expected = pretext(enc, manager.create(ints, new Shape(batch, t)));
        try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, t});
                OrtSession.Result res = s.run(Map.of(OnnxExporter.INPUT, x))) {
            assertClose(flatten((float[][]) res.get(0).getValue()), expected, batch, enc.featureSize());
        }
    }

    /** Pretext's features: the encoder's block in inference mode, as {@code Features.stream} runs it. */
    private static float[] pretext(Encoder enc, NDArray x) {
        try (NDManager step = manager.newSubManager()) {
            x.attach(step);
            return enc.block().forward(new ParameterStore(step, false), new NDList(x), false).singletonOrThrow()
                    .toFloatArray();
        }
    }

    private static void assertClose(float[] actual, float[] expected, int batch, int width) {
        assertThat(actual).hasSize(batch * width);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
        }
        assertThat(maxAbs).as("features are not all zero").isGreaterThan(1e-3);
        assertThat(maxDiff / maxAbs).as("largest difference relative to the largest feature").isLessThanOrEqualTo(RELATIVE);
    }

    private static float[] flatten(float[][] rows) {
        float[] out = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * rows[i].length, rows[i].length);
        }
        return out;
    }
}
