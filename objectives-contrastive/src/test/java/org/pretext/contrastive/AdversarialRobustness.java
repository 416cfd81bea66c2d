package org.pretext.contrastive;

import org.pretext.adversarial.Pgd;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.pretext.data.BatchPlan;
import org.pretext.data.Dataset;
import org.pretext.data.HostTensor;
import org.pretext.datasets.IdxDatasetProvider;
import org.pretext.encoder.Features;
import org.pretext.engine.EngineSetup;
import org.pretext.model.PretextModel;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;

/**
 * Robust accuracy of linear probes on pretrained encoders (not part of the suite): pretrains
 * {@code simclr}, {@code byol} and both wrapped by {@code adversarial} (defaults: PGD-5, ε = 8/255,
 * clean weight 0.5) for the same number of steps, fits a linear probe on the clean training
 * features (all labels), and reports its accuracy on the first test images, clean and under an
 * L∞ PGD attack on the whole classifier (encoder + probe: 20 steps of ε/4, random start) at
 * several ε.
 *
 * <pre>
 *   java -cp ... org.pretext.contrastive.AdversarialRobustness DATA_DIR STEPS TEST_IMAGES OUT.jsonl
 * </pre>
 */
public final class AdversarialRobustness {
    private static final double[] EPSILONS = {2.0 / 255, 8.0 / 255, 0.1};

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        long steps = Long.parseLong(args[1]);
        int testImages = Integer.parseInt(args[2]);
        Path out = Path.of(args[3]);
        Dataset data = IdxDatasetProvider.open(dir, 0, testImages);
        Shape shape = data.pretrain().exampleShape();
        Map<String, Map<String, Object>> runs = new LinkedHashMap<>();
        runs.put("simclr", Map.of());
        runs.put("adversarial(simclr)", Map.of("objective", "simclr"));
        runs.put("byol", Map.of());
        runs.put("adversarial(byol)", Map.of("objective", "byol"));
        for (int i = 4; i < args.length; i++) {
            runs.keySet().retainAll(java.util.Arrays.asList(args).subList(4, args.length));
        }
        for (Map.Entry<String, Map<String, Object>> e : runs.entrySet()) {
            String provider = e.getKey().startsWith("adversarial") ? "adversarial" : e.getKey();
            try (PretextModel model = PretextModel.create(ContrastiveBenchmark.encoder(shape),
                    TestRuns.objective(provider, e.getValue()), shape, Device.cpu(), 42)) {
                PretrainResult r = new Pretrainer(ContrastiveBenchmark.config(steps)).run(model, data.pretrain(),
                        TestRuns.provenance(provider));
                Features.Matrix train = Features.extract(model.encoder(), model.parameterStore(),
                        data.train().orElseThrow(), model.device(), 1000);
                LinearProbe.Fit probe = LinearProbe.fitSelected(train,
                        LinearProbe.budget(train.labels(), train.numClasses(), 0, 0), 0);
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                        "{\"objective\":\"%s\",\"steps\":%d,\"seconds\":%.1f,\"clean\":%.4f", e.getKey(), r.steps(),
                        r.seconds(), robustAccuracy(model, probe, data, 0)));
                for (double eps : EPSILONS) {
                    sb.append(String.format(Locale.ROOT, ",\"pgd%.4f\":%.4f", eps, robustAccuracy(model, probe, data,
                            eps)));
                }
                sb.append('}');
                System.out.println(sb);
                Files.writeString(out, sb + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
        }
    }

    /** Accuracy of encoder + probe on the test split under PGD within ε (clean when ε = 0). */
    static double robustAccuracy(PretextModel model, LinearProbe.Fit probe, Dataset data, double epsilon) {
        int correct = 0;
        int total = 0;
        EngineSetup.engine().setRandomSeed(1);
        var it = data.test().orElseThrow().batches(BatchPlan.sequential(250));
        try (NDManager m = NDManager.newBaseManager(model.device())) {
            int d = probe.d();
            NDArray mean = m.create(probe.mean(), new Shape(1, d));
            NDArray std = m.create(probe.std(), new Shape(1, d));
            NDArray w = m.create(probe.weights(), new Shape(d, probe.classes()));
            NDArray b = m.create(probe.bias(), new Shape(probe.classes()));
            while (it.hasNext()) {
                var batch = it.next();
                try (NDManager step = m.newSubManager()) {
                    NDArray x = HostTensor.of(batch.inputs().floats(), batch.inputs().shape()).toNDArray(step);
                    NDArray y = step.create(batch.labels(), new Shape(batch.size(), 1)).toType(DataType.INT64, false);
                    java.util.function.Function<NDList, NDArray> logits = in -> model.encode(in.get(0), false)
                            .sub(mean).div(std).matMul(w).add(b);
                    NDArray input = x;
                    if (epsilon > 0) {
                        Pgd.Settings s = new Pgd.Settings(epsilon, epsilon / 4, 20, true, 0, 1);
                        input = Pgd.attack(new NDList(x),
                                in -> logits.apply(in).logSoftmax(1).gather(y, 1).mean().neg(), s).inputs().get(0);
                    }
                    int[] pred = logits.apply(new NDList(input)).argMax(1).toType(DataType.INT32, false).toIntArray();
                    for (int i = 0; i < pred.length; i++) {
                        if (pred[i] == batch.labels()[i]) {
                            correct++;
                        }
                    }
                    total += pred.length;
                }
            }
        }
        for (var p : model.trainableParameters().values()) {
            ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p.getArray());
        }
        return correct / (double) total;
    }
}
