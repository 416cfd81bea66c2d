package org.pretext.lm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.pretext.runtime.EngineSetup;
import org.pretext.checkpoint.CheckpointFile;
import org.pretext.datasets.text.TextDatasetProvider;
import org.pretext.datasets.text.TokenizedTextDataset;
import org.pretext.encoder.TokenEmbeddings;
import org.pretext.encoders.transformer.TransformerEncoder;
import org.pretext.engine.Engines;
import org.pretext.lm.CausalLmObjective;
import org.pretext.lm.TextSampler;
import org.pretext.model.PretextModel;
import org.pretext.testing.SharedData;
import org.pretext.text.TokenWindowSplit;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;
import org.pretext.training.listener.ProgressListener;

/**
 * nanoGPT's small CPU Shakespeare run (4 layers, 4 heads, width 128, context 64, batch 12, 2000
 * iterations, dropout 0, 100 warm-up steps and cosine decay to a tenth of the peak learning rate over
 * 2000, AdamW β₂ 0.99, weight decay 0.1, clipping 1.0), 90/10 split, at the peak learning rate of
 * {@code examples/configs/shakespeare-char.yaml} (3e-3; nanoGPT's 1e-3 with {@code -Dpretext.lr=1e-3}). Opt-in:
 * {@code mvn -o -B -pl objectives-lm -am test -Dtest=ShakespeareCharBenchmark -Dpretext.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false} (optionally {@code -Dpretext.threads=1}, {@code -Dpretext.steps=N}).
 * Writes target/shakespeare-char.json.
 */
@EnabledIfSystemProperty(named = "pretext.bench", matches = "true")
public class ShakespeareCharBenchmark {
    /** Runs the benchmark outside JUnit (same system properties). */
    public static void main(String[] args) throws Exception {
        new ShakespeareCharBenchmark().reachesNanoGptValidationLoss();
    }

    @Test
    void reachesNanoGptValidationLoss() throws Exception {
        int threads = Integer.getInteger("pretext.threads", 0);
        EngineSetup.configureThreads(threads);
        long steps = Long.getLong("pretext.steps", 2000);
        long seed = Long.getLong("pretext.seed", 1337);
        String checkpoints = System.getProperty("pretext.checkpoints");
        Path input = SharedData.require("tinyshakespeare").resolve("input.txt");
        TokenizedTextDataset data = TextDatasetProvider.open(input, "char", 0, 0.1, 0);
        int context = 64;
        TokenWindowSplit train = data.pretrainWindows(context);
        TokenWindowSplit val = data.validationWindows(context).orElseThrow();
        CausalLmObjective objective = new CausalLmObjective(0);
        // the curve every 250 steps reads 400 windows spread over the held-out text; the final loss all of them
        CausalLmObjective curveProbe = new CausalLmObjective(Long.getLong("pretext.curveWindows", 400));
        TransformerEncoder encoder = TransformerEncoder.create(data.tokenizer(), context, 4, 4, 128, 0f, true,
                Boolean.parseBoolean(System.getProperty("pretext.bias", "true")));
        double lr = Double.parseDouble(System.getProperty("pretext.lr", "3e-3"));
        PretrainConfig config = PretrainConfig.builder().batchSize(12).steps(steps).learningRate(lr)
                .warmupFraction(100.0 / 2000).finalLearningRateFraction(0.1).weightDecay(0.1).beta2(0.99)
                .weightDecayVectors(false).clipNorm(1.0).seed(seed).logEvery(50).monitorEvery(250).prepareThreads(1)
                .checkpointDir(checkpoints == null ? null : Path.of(checkpoints)).build();
        Device device = Engines.engine().defaultDevice();
        List<double[]> curve = new ArrayList<>();
        double[] evalSeconds = {0};
        try (PretextModel model = PretextModel.create(encoder, objective, train.exampleShape(), device, seed)) {
            long t0 = System.nanoTime();
            double initial = curveProbe.validate(model, val).get(CausalLmObjective.VALIDATION_LOSS);
            evalSeconds[0] += (System.nanoTime() - t0) / 1e9;
            curve.add(new double[] {0, initial});
            System.out.printf(Locale.ROOT, "step 0: validation loss %.4f (%.1f s per evaluation), %d parameters%n",
                    initial, evalSeconds[0], model.parameterCount());
            Pretrainer trainer = new Pretrainer(config).addListener(new ProgressListener(System.out, false, 20));
            trainer.addMonitor((m, epoch) -> {
                long s0 = System.nanoTime();
                Map<String, Double> r = curveProbe.validate(m, val);
                double sec = (System.nanoTime() - s0) / 1e9;
                evalSeconds[0] += sec;
                System.out.printf(Locale.ROOT, "validation: loss %.4f nats/char, %.4f bits/char (%.1f s)%n",
                        r.get(CausalLmObjective.VALIDATION_LOSS), r.get(CausalLmObjective.BITS_PER_CHARACTER), sec);
                return r;
            });
            // the monitor runs after the step it follows; record the step from the metrics listener order
            List<Double> seen = new ArrayList<>();
            trainer.addListener(new org.pretext.training.TrainingListener() {
                @Override
                public void onStep(org.pretext.training.StepMetrics m) {
                    Double v = m.extra().get(CausalLmObjective.VALIDATION_LOSS);
                    if (v != null && !seen.contains((double) m.step())) {
                        seen.add((double) m.step());
                        curve.add(new double[] {m.step(), v});
                    }
                }
            });
            double before = evalSeconds[0];
            org.pretext.checkpoint.Provenance provenance = new org.pretext.checkpoint.Provenance("causal-lm", "1",
                    Map.of(), "transformer", Map.of("layers", 4, "heads", 4, "width", 128, "context", context,
                            "dropout", 0.0, "bias", Boolean.parseBoolean(System.getProperty("pretext.bias", "true"))),
                    "tinyshakespeare", data.provenance(), seed, Map.of(), null);
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            PretrainResult r = trainer.run(model, train, provenance);
            double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
            double evalDuringRun = evalSeconds[0] - before;
            Map<String, Double> fin = objective.validate(model, val);
            double trainOnly = r.seconds() - evalDuringRun;
            double tokensPerSecond = r.steps() * 12.0 * context / trainOnly;
            // nanoGPT's estimate: the mean loss of 20 batches of 12 random validation windows (eval_iters=20 in
            // its CPU command); 50 such estimates show how much a single one varies
            String text = Files.readString(input);
            String valText = text.substring((int) (text.length() * 0.9));
            int[] valTokens = data.tokenizer().encode(valText);
            TokenWindowSplit randomVal = TokenWindowSplit.random(valTokens, context + 1, 240 * 50, valText.length(),
                    "validation");
            List<Double> estimates = new ArrayList<>();
            java.util.Iterator<org.pretext.data.Batch> it = randomVal.batches(
                    new org.pretext.data.BatchPlan(240, true, seed, 0, 0, true));
            while (it.hasNext()) {
                org.pretext.data.Batch b = it.next();
                estimates.add(objective.validate(model, org.pretext.data.IndexedSplit.ofInts(b.inputs().ints(),
                        new ai.djl.ndarray.types.Shape(context + 1), null, List.of()))
                        .get(CausalLmObjective.VALIDATION_LOSS));
            }
            double em = estimates.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double es = Math.sqrt(estimates.stream().mapToDouble(x -> (x - em) * (x - em)).sum()
                    / (estimates.size() - 1));
            String sample = new TextSampler((TokenEmbeddings) model.encoder(), model.parameterStore(), data.tokenizer())
                    .sample("", 300, 0.8, 200, 7);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("threads", threads);
            out.put("steps", r.steps());
            out.put("wallSeconds", r.seconds());
            out.put("trainSeconds", trainOnly);
            out.put("validationSecondsDuringRun", evalDuringRun);
            out.put("tokensPerSecond", tokensPerSecond);
            // on a shared machine the process gets a fraction of a core: CPU seconds show what it was given
            out.put("processCpuSeconds", cpuSeconds);
            out.put("cpuShare", cpuSeconds / r.seconds());
            out.put("loadAverage", os.getSystemLoadAverage());
            out.put("validationLoss", fin.get(CausalLmObjective.VALIDATION_LOSS));
            out.put("validationBitsPerCharacter", fin.get(CausalLmObjective.BITS_PER_CHARACTER));
            out.put("curve", curve);
            out.put("seed", seed);
            out.put("nanoGptStyleEstimateMean", em);
            out.put("nanoGptStyleEstimateSd", es);
            out.put("nanoGptStyleEstimateMin", estimates.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
            out.put("finalTrainLoss", r.finalLoss());
            out.put("sample", sample);
            Files.write(Path.of(System.getProperty("pretext.out", "target/shakespeare-char.json")), CheckpointFile.json(out));
            System.out.println(new String(CheckpointFile.json(out)));
            if (steps >= 2000 && lr == 3e-3) {
                // nanoGPT itself (bench/nanogpt_shakespeare_char.py, PyTorch 1.13, seed 1337, LR=3e-3) reaches 1.7572
                // on the same full validation split (1.9043 at its own 1e-3); Pretext measured 1.7703
                System.out.printf(Locale.ROOT, "validation loss %.4f: %s 1.88 (issue target); nanoGPT here 1.7572%n",
                        fin.get(CausalLmObjective.VALIDATION_LOSS),
                        fin.get(CausalLmObjective.VALIDATION_LOSS) <= 1.88 ? "meets" : "misses");
                assertThat(fin.get(CausalLmObjective.VALIDATION_LOSS)).isLessThanOrEqualTo(1.88);
            }
        }
    }
}
