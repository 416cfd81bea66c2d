package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.checkpoint.ExportedEncoder;
import org.pretext.data.IndexedSplit;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.runner.pipeline.RunDirectory;
import org.pretext.runner.pipeline.TrainedModel;
import org.pretext.runner.wiring.RunComponents;
import org.pretext.text.Tokenizer;
import org.pretext.text.Tokenizers;

/** {@code export --format onnx} on real run folders: ONNX Runtime gives the run's features. */
class OnnxExportCommandTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void onnxExportOfAnMnistRunGivesTheEncodersFeatures(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        assertThat(Main.execute(new String[] {"pretrain", "--steps", "10", "--set", "dataset.train-limit=256",
            "--set", "dataset.test-limit=64", "--set", "training.batch-size=64", "--out", run.toString()}, QUIET,
                System.err)).isZero();
        Path onnx = dir.resolve("mnist.onnx");
        Path zip = dir.resolve("mnist.encoder");
        assertThat(Main.execute(new String[] {"export", "--run", run.toString(), "--format", "onnx", "--out",
            onnx.toString()}, QUIET, System.err)).isZero();
        assertThat(Main.execute(new String[] {"export", "--run", run.toString(), "--out", zip.toString()}, QUIET,
                System.err)).isZero();

        float[] images = Arrays.copyOf(((IndexedSplit) MnistDatasetProvider.open(256, 64).test().orElseThrow())
                .floatData(), 37 * 784);
        float[][] expected;
        try (ExportedEncoder enc = ExportedEncoder.load(zip)) {
            float[][] rows = new float[37][];
            for (int i = 0; i < 37; i++) {
                rows[i] = Arrays.copyOfRange(images, i * 784, (i + 1) * 784);
            }
            expected = enc.features(rows);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(images), new long[] {37, 1, 28, 28});
                OrtSession.Result r = s.run(Map.of("input", x))) {
            assertClose((float[][]) r.get(0).getValue(), expected);
            Map<String, String> md = s.getMetadata().getCustomMetadata();
            assertThat(md).containsEntry("pretext.encoder", "mlp").containsEntry("pretext.input.shape",
                    "[batch, 1, 28, 28]");
            assertThat(md.get("pretext.provenance")).contains("\"objective\":\"simclr\"").contains("\"seed\":42");
            assertThat(md).doesNotContainKey("pretext.input.from-example");
        }
    }

    @Test
    void onnxExportOfATextRunWritesTheTokenizerBesideIt(@TempDir Path dir) throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            text.append("to be or not to be, that is the question ").append(i).append('\n');
        }
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, text);
        Path run = dir.resolve("run");
        assertThat(Main.execute(new String[] {"pretrain", "--dataset", corpus.toString(), "--objective", "causal-lm",
            "--encoder", "transformer", "--set", "encoder.layers=1", "--set", "encoder.heads=2", "--set",
            "encoder.width=16", "--set", "encoder.context=12", "--steps", "5", "--set", "training.batch-size=4",
            "--out", run.toString()}, QUIET, System.err)).isZero();
        Path onnx = dir.resolve("text.onnx");
        assertThat(Main.execute(new String[] {"export", "--run", run.toString(), "--format", "onnx", "--out",
            onnx.toString()}, QUIET, System.err)).isZero();
        Path side = dir.resolve("text.tokenizer.json");
        assertThat(side).isRegularFile();
        Tokenizer tok = Tokenizers.read(Files.readAllBytes(side), side.toString());

        // two prompts encoded with the side file's tokenizer, right-padded with its pad id
        int context = 12;
        long[] ids = new long[2 * context];
        Arrays.fill(ids, tok.padId());
        int[] a = tok.encode("to be or not to be");
        int[] b = tok.encode("question");
        for (int i = 0; i < Math.min(context, a.length); i++) {
            ids[i] = a[i];
        }
        for (int i = 0; i < b.length; i++) {
            ids[context + i] = b[i];
        }
        float[][] expected;
        RunComponents c = Main.injectorFor(run, List.of()).getInstance(RunComponents.class);
        try (TrainedModel.Restored r = TrainedModel.load(c, new RunDirectory(run));
                NDManager m = NDManager.newBaseManager()) {
            int[] ints = Arrays.stream(ids).mapToInt(v -> (int) v).toArray();
            float[] f = r.model().probedEncoder().block().forward(r.model().parameterStore(),
                    new NDList(m.create(ints, new Shape(2, context))), false).singletonOrThrow().toFloatArray();
            expected = new float[][] {Arrays.copyOf(f, 16), Arrays.copyOfRange(f, 16, 32)};
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {2, context});
                OrtSession.Result r = s.run(Map.of("input", x))) {
            assertClose((float[][]) r.get(0).getValue(), expected);
            assertThat(s.getMetadata().getCustomMetadata()).containsEntry("pretext.tokenizer.file",
                    "text.tokenizer.json").containsEntry("pretext.tokenizer.fingerprint", tok.fingerprint());
            // the run's windows are context + 1 tokens (next-token targets): not a part the user must cut
            assertThat(s.getMetadata().getCustomMetadata()).doesNotContainKey("pretext.input.from-example");
        }
    }

    @Test
    void unknownFormatExitsTwoNamingTheChoices(@TempDir Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(Main.execute(new String[] {"export", "--run", dir.toString(), "--format", "nonsense", "--out",
            dir.resolve("x").toString()}, QUIET, new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown export format 'nonsense': expected one of [pretext, onnx, safetensors]");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    /** The largest difference at most 1e-5 of the largest feature. */
    private static void assertClose(float[][] actual, float[][] expected) {
        assertThat(actual.length).isEqualTo(expected.length);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).hasSameSizeAs(expected[i]);
            for (int j = 0; j < expected[i].length; j++) {
                maxAbs = Math.max(maxAbs, Math.abs(expected[i][j]));
                maxDiff = Math.max(maxDiff, Math.abs(actual[i][j] - expected[i][j]));
            }
        }
        assertThat(maxAbs).isGreaterThan(1e-3);
        assertThat(maxDiff / maxAbs).isLessThanOrEqualTo(1e-5);
    }
}
