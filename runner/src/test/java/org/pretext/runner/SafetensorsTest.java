package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.checkpoint.ExportedEncoder;
import org.pretext.checkpoint.Provenance;
import org.pretext.checkpoint.SafetensorsFile;
import org.pretext.datasets.npy.NpyWriter;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.EncoderProvider;
import org.pretext.encoders.CnnEncoderProvider;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.encoders.transformer.PooledSequenceBlock;
import org.pretext.encoders.transformer.TokenTransformer;
import org.pretext.encoders.transformer.TransformerEncoder;
import org.pretext.encoders.transformer.TransformerEncoderProvider;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.engine.HostArrays;
import org.pretext.model.PretextModel;
import org.pretext.param.ParamValues;
import org.pretext.probe.FeatureFiles;
import org.pretext.runner.interop.TorchWeights;
import org.pretext.runtime.EngineSetup;
import org.pretext.testing.SharedData;

/**
 * {@code export --format safetensors} read by {@code python/pretext_encoders.py} under PyTorch
 * (features equal to Pretext's to 1e-5 relative), the weights back from PyTorch into Pretext
 * (identical features), mismatching files refused, {@code encoder.init} from the command line,
 * and the lossless export of a text encoder with its tokenizer.
 */
class SafetensorsTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    /** One architecture under test: its provider, parameters and example inputs. */
    private record Case(EncoderProvider provider, Map<String, Object> params, Shape inputShape, boolean tokens,
            int padId) {}

    @Test
    void mlpWithBatchNormMatchesPyTorch(@TempDir Path dir) throws Exception {
        check(dir, new Case(new MlpEncoderProvider(), Map.of("hidden", "32,24", "features", "16", "batch-norm", "true"),
                new Shape(1, 6, 5), false, -1));
    }

    @Test
    void cnnMatchesPyTorch(@TempDir Path dir) throws Exception {
        check(dir, new Case(new CnnEncoderProvider(), Map.of("width", "4"), new Shape(3, 12, 12), false, -1));
    }

    @Test
    void vitMatchesPyTorch(@TempDir Path dir) throws Exception {
        check(dir, new Case(new VitEncoderProvider(), Map.of("patch-size", "4", "width", "16", "depth", "2", "heads",
                "2", "mlp-ratio", "2"), new Shape(3, 8, 12), false, -1));
        check(dir.resolve("cls"), new Case(new VitEncoderProvider(), Map.of("patch-size", "2", "width", "12", "depth",
                "1", "heads", "3", "positions", "learned", "pooling", "cls"), new Shape(1, 6, 6), false, -1));
    }

    @Test
    void tokenTransformerMatchesPyTorch(@TempDir Path dir) throws Exception {
        // causal, last-token features, no padding
        check(dir, new Case(new TransformerEncoderProvider(), Map.of("vocabulary", "30", "layers", "2", "heads", "2",
                "width", "16", "context", "10"), new Shape(10), true, -1));
        // bidirectional, mean of the real tokens, right padding with id 0 masked as a key; no biases
        check(dir.resolve("bidirectional"), new Case(new TransformerEncoderProvider(), Map.of("vocabulary", "30",
                "layers", "1", "heads", "4", "width", "16", "context", "8", "causal", "false", "bias", "false"),
                new Shape(8), true, 0));
    }

    /** Export, features in PyTorch, back from PyTorch's state dict, and mismatching files. */
    private static void check(Path dir, Case c) throws Exception {
        Path python = pythonWithTorch();
        EngineSetup.engine();
        ParamValues params = ParamValues.resolve("test", c.provider().parameters(), c.params());
        Provenance provenance = new Provenance("test", "1", Map.of(), c.provider().name(), params.asMap(), "synthetic",
                Map.of(), 1, Map.of(), null);
        int n = 5;
        Random random = new Random(7);
        try (NDManager manager = NDManager.newBaseManager()) {
            Encoder encoder = build(c, params);
            encoder.block().initialize(manager, DataType.FLOAT32, PretextModel.batched(c.inputShape(), 2));
            randomise(encoder, random);
            TorchWeights.export(dir, encoder, c.provider(), provenance, 0);
            assertThat(dir.resolve(SafetensorsFile.WEIGHTS)).isRegularFile();
            assertThat(Files.readString(dir.resolve(SafetensorsFile.CONFIG)))
                    .contains("\"architecture\": \"" + c.provider().name() + "\"");

            // the same inputs through Pretext and through PyTorch
            Path inputs = dir.resolve("inputs.npy");
            NDArray x;
            int size = Math.toIntExact(c.inputShape().size());
            if (c.tokens()) {
                int[] ids = new int[n * size];
                for (int i = 0; i < n; i++) {
                    int length = c.padId() >= 0 ? 1 + random.nextInt(size) : size; // right padding
                    for (int t = 0; t < size; t++) {
                        ids[i * size + t] = t < length ? 1 + random.nextInt(29) : c.padId();
                    }
                }
                NpyWriter.writeInts(inputs, ids, n, size);
                x = manager.create(ids, new Shape(n, size));
            } else {
                float[] v = new float[n * size];
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextFloat();
                }
                long[] shape = PretextModel.batched(c.inputShape(), n).getShape();
                NpyWriter.writeFloats(inputs, v, shape);
                x = manager.create(v, new Shape(shape));
            }
            ParameterStore store = new ParameterStore(manager, false);
            float[] expected = encoder.block().forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
            int d = encoder.featureSize();
            Path out = dir.resolve("torch-features.npy");
            run(python, module().toString(), dir.toString(), inputs.toString(), out.toString());
            float[] torch = FeatureFiles.readFeatures(out).values();
            assertThat(torch).hasSize(n * d);
            double worst = 0;
            for (int i = 0; i < n; i++) {
                double diff = 0;
                double norm = 0;
                for (int j = 0; j < d; j++) {
                    double e = expected[i * d + j];
                    diff += (torch[i * d + j] - e) * (torch[i * d + j] - e);
                    norm += e * e;
                }
                assertThat(Math.sqrt(diff / norm)).as("%s example %d: |torch - pretext| / |pretext|",
                        c.provider().name(), i).isLessThan(1e-5);
                worst = Math.max(worst, Math.sqrt(diff / norm));
            }
            System.err.printf("%s %s: PyTorch's features within %.2e of Pretext's (relative, worst example)%n",
                    c.provider().name(), c.params(), worst);

            // PyTorch's state dict (with BatchNorm's num_batches_tracked) back into a fresh Pretext encoder
            Path resaved = dir.resolve("from-torch.safetensors");
            run(python, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import pretext_encoders as p;"
                    + " m = p.load(sys.argv[2]); p.write_safetensors(m.state_dict(), sys.argv[3])",
                    module().getParent().toString(), dir.toString(), resaved.toString());
            try (NDManager other = NDManager.newBaseManager()) {
                Encoder fresh = build(c, params);
                fresh.block().initialize(other, DataType.FLOAT32, PretextModel.batched(c.inputShape(), 2));
                TorchWeights.load(resaved, fresh, c.provider(), params.asMap());
                float[] back = fresh.block().forward(new ParameterStore(other, false), new NDList(x.duplicate()), false)
                        .singletonOrThrow().toFloatArray();
                assertThat(back).as("Pretext -> PyTorch -> Pretext").containsExactly(expected);

                // a file whose names or shapes do not fit: the first mismatch named
                Map<String, NDArray> tensors = SafetensorsFile.read(dir.resolve(SafetensorsFile.WEIGHTS), other);
                String first = tensors.keySet().iterator().next();
                Map<String, NDArray> renamed = new LinkedHashMap<>();
                tensors.forEach((k, v) -> renamed.put(k.equals(first) ? "renamed." + k : k, v));
                Path wrongName = dir.resolve("wrong-name.safetensors");
                SafetensorsFile.write(wrongName, renamed);
                assertThatThrownBy(() -> TorchWeights.load(wrongName, fresh, c.provider(), params.asMap()))
                        .isInstanceOf(PretextException.class)
                        .hasMessageContaining(wrongName.toString())
                        .hasMessageContaining("tensor '" + first + "' is missing")
                        .hasMessageContaining("expects it with shape " + shapeText(tensors.get(first).getShape()));
                Map<String, NDArray> reshaped = new LinkedHashMap<>(tensors);
                String last = new ArrayList<>(tensors.keySet()).get(tensors.size() - 1);
                long count = tensors.get(last).getShape().size();
                reshaped.put(last, other.zeros(new Shape(count + 1)));
                Path wrongShape = dir.resolve("wrong-shape.safetensors");
                SafetensorsFile.write(wrongShape, reshaped);
                assertThatThrownBy(() -> TorchWeights.load(wrongShape, fresh, c.provider(), params.asMap()))
                        .isInstanceOf(PretextException.class)
                        .hasMessageContaining(wrongShape.toString())
                        .hasMessageContaining("tensor '" + last + "' has shape (" + (count + 1) + ") but encoder '"
                                + c.provider().name() + "' expects " + shapeText(tensors.get(last).getShape()));
            }
        }
    }

    @Test
    void runStartsFromImportedWeightsAndABadFileStopsWithExitTwo(@TempDir Path dir) throws Exception {
        Path first = dir.resolve("first");
        String[] common = {"--steps", "1", "--set", "dataset.train-limit=256", "--set", "dataset.test-limit=128",
            "--set", "training.batch-size=64", "--set", "probe.enabled=false", "--set", "encoder.hidden=32",
            "--set", "encoder.features=8"};
        assertThat(Main.execute(concat(new String[] {"run", "--out", first.toString()}, common), QUIET, System.err))
                .isZero();
        Path weights = dir.resolve("weights");
        assertThat(Main.execute(new String[] {"export", "--run", first.toString(), "--format", "safetensors", "--out",
            weights.toString()}, QUIET, System.err)).isZero();
        // a second run from those weights with a learning rate too small to move them: its encoder is theirs
        Path second = dir.resolve("second");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.execute(concat(new String[] {"run", "--out", second.toString(), "--seed", "9", "--set",
                "encoder.init=" + weights, "--set", "training.learning-rate=1e-30", "--set", "training.weight-decay=0"},
                    common), QUIET, stderr)).isZero();
        } finally {
            System.setErr(stderr);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("encoder: starting from the weights in " + weights);
        Path again = dir.resolve("again");
        assertThat(Main.execute(new String[] {"export", "--run", second.toString(), "--format", "safetensors",
            "--out", again.toString()}, QUIET, System.err)).isZero();
        assertThat(again.resolve(SafetensorsFile.WEIGHTS)).hasSameBinaryContentAs(weights.resolve(
                SafetensorsFile.WEIGHTS));

        // the folder as an encoder: embed gives the features of the run's own encoder, byte for byte
        String[] data = {"--dataset", "mnist", "--set", "dataset.train-limit=256", "--set", "dataset.test-limit=128",
            "--batch-size", "64"};
        assertThat(Main.execute(concat(new String[] {"embed", "--run", first.toString(), "--out",
            dir.resolve("e1").toString()}, new String[] {"--batch-size", "64"}), QUIET, System.err)).isZero();
        assertThat(Main.execute(concat(new String[] {"embed", "--encoder", weights.toString(), "--out",
            dir.resolve("e2").toString()}, data), QUIET, System.err)).isZero();
        assertThat(dir.resolve("e2/test_features.npy")).hasSameBinaryContentAs(dir.resolve("e1/test_features.npy"));

        // weights of another width: exit 2 before anything is trained, naming the file and the tensor
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(Main.execute(concat(concat(new String[] {"run", "--out", dir.resolve("bad").toString(), "--set",
            "encoder.init=" + weights}, common), new String[] {"--set", "encoder.hidden=16"}), QUIET,
                new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(weights.resolve(SafetensorsFile.WEIGHTS).toString())
                .contains("tensor 'layers.0.weight' has shape (32, 784) but encoder 'mlp' expects (16, 784)");
        err.reset();
        Files.writeString(dir.resolve("not.safetensors"), "hello, world");
        assertThat(Main.execute(concat(new String[] {"run", "--out", dir.resolve("bad2").toString(), "--set",
            "encoder.init=" + dir.resolve("not.safetensors")}, common), QUIET, new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not.safetensors is not a safetensors file");
        err.reset();
        assertThat(Main.execute(new String[] {"export", "--run", first.toString(), "--format", "onnx-ish", "--out",
            dir.resolve("x").toString()}, QUIET, new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown export format 'onnx-ish'");
    }

    @Test
    void textEncoderExportsCarryTheTokenizerAndReload(@TempDir Path dir) throws Exception {
        StringBuilder train = new StringBuilder("sentence\tlabel\n");
        for (int i = 0; i < 20; i++) {
            train.append(i % 2 == 0 ? "a good film\t1\n" : "a bad film\t0\n");
        }
        Files.writeString(dir.resolve("train.tsv"), train);
        Files.writeString(dir.resolve("dev.tsv"), "sentence\tlabel\ngood film\t1\nbad film\t0\n");
        Path run = dir.resolve("run");
        assertThat(Main.execute(new String[] {"run", "--out", run.toString(), "--set", "dataset=sentences",
            "--set", "dataset.path=" + dir, "--set", "dataset.tokenizer=char", "--set", "encoder=transformer",
            "--set", "encoder.layers=1", "--set", "encoder.heads=2", "--set", "encoder.width=16",
            "--set", "encoder.context=16", "--set", "objective=causal-lm", "--steps", "3",
            "--set", "training.batch-size=8", "--set", "probe.enabled=false"}, QUIET, System.err)).isZero();
        Path file = dir.resolve("text.encoder");
        assertThat(Main.execute(new String[] {"export", "--run", run.toString(), "--out", file.toString()}, QUIET,
                System.err)).isZero();
        try (ExportedEncoder enc = ExportedEncoder.load(file)) {
            TransformerEncoder t = (TransformerEncoder) enc.encoder();
            assertThat(t.tokenizer()).isPresent();
            assertThat(t.vocabularySize()).isEqualTo(t.tokenizer().orElseThrow().vocabularySize()).isGreaterThan(8);
            assertThat(((Number) enc.provenance().encoderParams().get("vocabulary")).intValue()).isZero(); // from the tokenizer
        }
        Path folder = dir.resolve("text-safetensors");
        assertThat(Main.execute(new String[] {"export", "--run", run.toString(), "--format", "safetensors", "--out",
            folder.toString()}, QUIET, System.err)).isZero();
        assertThat(folder.resolve(SafetensorsFile.TOKENIZER)).isRegularFile();
        assertThat(Files.readString(folder.resolve(SafetensorsFile.CONFIG))).contains("\"tokenizer\": \"tokenizer.json\"")
                .contains("\"pad_id\"");
    }

    private static Encoder build(Case c, ParamValues params) {
        if (c.tokens() && c.padId() >= 0) {
            boolean causal = params.get(TransformerEncoderProvider.CAUSAL);
            return new TransformerEncoder(new TokenTransformer(params.get(TransformerEncoderProvider.VOCABULARY),
                    params.get(TransformerEncoderProvider.CONTEXT), params.get(TransformerEncoderProvider.LAYERS),
                    params.get(TransformerEncoderProvider.HEADS), params.get(TransformerEncoderProvider.WIDTH), 0f,
                    causal, c.padId(), params.get(TransformerEncoderProvider.BIAS)),
                    causal ? PooledSequenceBlock.Pooling.LAST : PooledSequenceBlock.Pooling.MEAN);
        }
        return c.provider().create(params, c.inputShape());
    }

    /** Every parameter away from its initial value (BatchNorm's running variance positive), so layouts matter. */
    private static void randomise(Encoder encoder, Random random) {
        for (Pair<String, Parameter> p : encoder.block().getParameters()) {
            NDArray a = p.getValue().getArray();
            float[] v = new float[Math.toIntExact(a.getShape().size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = p.getKey().endsWith("runningVar") ? 0.5f + random.nextFloat()
                        : (float) (random.nextGaussian() * (p.getKey().endsWith("Gamma")
                                || p.getKey().endsWith("gamma") ? 0.1 : 0.3)) + (p.getKey().endsWith("amma") ? 1 : 0);
            }
            HostArrays.copyInto(a, v);
        }
    }

    private static String shapeText(Shape s) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < s.dimension(); i++) {
            b.append(i == 0 ? "" : ", ").append(s.get(i));
        }
        return b.append(')').toString();
    }

    private static Path module() {
        return SharedData.projectRoot().resolve("python/pretext_encoders.py");
    }

    /** The python found by the first test that asked (importing torch takes seconds), or null. */
    private static Path foundPython;

    /** Debian's python3 with python3-torch, or any python3 that imports torch; the test is skipped without one. */
    private static synchronized Path pythonWithTorch() throws Exception {
        if (foundPython != null) {
            return foundPython;
        }
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import torch").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    foundPython = Path.of(candidate);
                    return foundPython;
                }
            } catch (IOException e) {
                // not installed: try the next
            }
        }
        Assumptions.abort("skipped: no python3 with PyTorch here (install Debian's python3-torch: apt-get install -y"
                + " --no-install-recommends python3-torch; .ci/run does so)");
        return null;
    }

    private static void run(Path python, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(python.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s failed:%n%s", cmd, output).isZero();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
