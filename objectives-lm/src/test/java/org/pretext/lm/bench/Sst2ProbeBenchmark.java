package org.pretext.lm.bench;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.pretext.runtime.EngineSetup;
import org.pretext.checkpoint.CheckpointFile;
import org.pretext.data.Split;
import org.pretext.datasets.text.SentenceTable;
import org.pretext.datasets.text.SentencesDatasetProvider;
import org.pretext.datasets.text.TokenizedTextDataset;
import org.pretext.encoder.Features;
import org.pretext.encoders.transformer.TransformerEncoder;
import org.pretext.engine.Engines;
import org.pretext.lm.CausalLmObjective;
import org.pretext.lm.ConditionalMeanFeatureMap;
import org.pretext.lm.LastTokenFeatureMap;
import org.pretext.lm.MeanFeatureMap;
import org.pretext.model.PretextModel;
import org.pretext.testing.SharedData;
import org.pretext.encoder.FeatureMap;
import org.pretext.encoder.TextFeatures;
import org.pretext.text.TokenWindowSplit;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;
import org.pretext.training.listener.ProgressListener;

/**
 * Pretrains the causal transformer on SST-2's training sentences (labels unused, byte-level BPE
 * fitted on them), then probes each feature map on SST-2 dev with 32 labels per class (5 draws) and
 * all 67,349 labels, against a bag-of-words linear baseline and the same transformer at its random
 * initialisation. The probe here is this module's own small L-BFGS logistic regression
 * ({@link LogisticProbe}), not the project's probe module. Opt-in:
 * {@code -Dtest=Sst2ProbeBenchmark -Dpretext.bench=true}; {@code -Dpretext.steps}, {@code -Dpretext.batch},
 * {@code -Dpretext.vocabulary} override the defaults (1500, 32, 2048). Writes target/sst2-probe.json.
 */
@EnabledIfSystemProperty(named = "pretext.bench", matches = "true")
public class Sst2ProbeBenchmark {
    static final int DRAWS = 5;
    static final int PER_CLASS = 32;

    public static void main(String[] args) throws Exception {
        new Sst2ProbeBenchmark().probesSst2();
    }

    @Test
    void probesSst2() throws Exception {
        EngineSetup.configureThreads(Integer.getInteger("pretext.threads", 1));
        long steps = Long.getLong("pretext.steps", 1500);
        int batch = Integer.getInteger("pretext.batch", 32);
        int vocabulary = Integer.getInteger("pretext.vocabulary", 2048);
        int context = 64;
        Path dir = SharedData.require("sst2");
        long t0 = System.nanoTime();
        TokenizedTextDataset data = SentencesDatasetProvider.open("sst2", dir, "train.tsv", "dev.tsv", "sentence",
                "label", "bpe", vocabulary, 0);
        System.out.printf(Locale.ROOT, "opened SST-2 and trained the %s in %.1f s%n", data.tokenizer().describe(),
                (System.nanoTime() - t0) / 1e9);
        TokenWindowSplit train = data.pretrainWindows(context);
        TokenWindowSplit val = data.validationWindows(context).orElseThrow();
        System.out.printf(Locale.ROOT, "pretraining tokens %d (%.2f characters per token), validation tokens %d%n",
                train.tokenCount(), train.charactersPerToken(), val.tokenCount());
        Split trainLabelled = data.train().orElseThrow();
        Split dev = data.test().orElseThrow();
        int[] yTrain = trainLabelled.labels();
        int[] yDev = dev.labels();
        Device device = Engines.engine().defaultDevice();
        String prompt = System.getProperty("pretext.prompt", " this movie is");
        List<FeatureMap> maps = List.of(new LastTokenFeatureMap(), new MeanFeatureMap(),
                new ConditionalMeanFeatureMap(), new LastTokenFeatureMap(prompt), new ConditionalMeanFeatureMap(prompt));
        List<String> mapNames = List.of("last-token", "mean", "conditional-mean", "last-token + prompt",
                "conditional-mean + prompt");
        Map<String, Object> report = new LinkedHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();

        // bag of words: counts of the whitespace-separated (already tokenised, lower-case) words of train.tsv
        SentenceTable trainTable = SentenceTable.read(dir.resolve("train.tsv"), "sentence", "label");
        SentenceTable devTable = SentenceTable.read(dir.resolve("dev.tsv"), "sentence", "label");
        Map<String, Integer> words = new HashMap<>();
        for (String s : trainTable.sentences()) {
            for (String w : s.split("\\s+")) {
                words.putIfAbsent(w, words.size());
            }
        }
        LogisticProbe.Rows bowTrain = bow(trainTable.sentences(), words);
        LogisticProbe.Rows bowDev = bow(devTable.sentences(), words);
        rows.addAll(probe("bag-of-words", bowTrain, yTrain, bowDev, yDev, false));

        CausalLmObjective objective = new CausalLmObjective(0);
        TransformerEncoder encoder = TransformerEncoder.create(data.tokenizer(), context, 4, 4, 128, 0.1f, true, false);
        TransformerEncoder randomEncoder = TransformerEncoder.create(data.tokenizer(), context, 4, 4, 128, 0.1f, true,
                false);
        String checkpoints = System.getProperty("pretext.checkpoints");
        PretrainConfig config = PretrainConfig.builder().batchSize(batch).steps(steps).learningRate(1e-3)
                .warmupFraction(0.05).finalLearningRateFraction(0.1).weightDecay(0.1).weightDecayVectors(false)
                .beta2(0.99).clipNorm(1.0).seed(42).logEvery(50).monitorEvery(250)
                .checkpointDir(checkpoints == null ? null : Path.of(checkpoints)).build();
        org.pretext.checkpoint.Provenance provenance = new org.pretext.checkpoint.Provenance("causal-lm", "1", Map.of(),
                "transformer", Map.of("layers", 4, "heads", 4, "width", 128, "context", context, "dropout", 0.1,
                        "bias", false), "sst2", data.provenance(), 42, Map.of(), null);
        try (PretextModel random = PretextModel.create(randomEncoder, new CausalLmObjective(0), train.exampleShape(),
                device, 42)) {
            double v0 = objective.validate(random, val).get(CausalLmObjective.VALIDATION_LOSS);
            report.put("initialValidationLoss", v0);
            long f0 = System.nanoTime();
            List<Features.Matrix> tr = TextFeatures.extract(randomEncoder, random.parameterStore(), maps,
                    trainLabelled, device, 512);
            List<Features.Matrix> te = TextFeatures.extract(randomEncoder, random.parameterStore(), maps, dev, device,
                    512);
            report.put("featureSecondsPerEncoder", (System.nanoTime() - f0) / 1e9);
            for (int k = 0; k < maps.size(); k++) {
                rows.addAll(probe("random-transformer/" + mapNames.get(k), dense(tr.get(k)), yTrain,
                        dense(te.get(k)), yDev, true));
            }
        }
        try (PretextModel model = PretextModel.create(encoder, objective, train.exampleShape(), device, 42)) {
            CausalLmObjective curveProbe = new CausalLmObjective(400);
            List<double[]> curve = new ArrayList<>();
            Pretrainer trainer = new Pretrainer(config).addListener(new ProgressListener(System.out, false, 30));
            double[] evalSeconds = {0};
            trainer.addMonitor((m, epoch) -> {
                long s0 = System.nanoTime();
                Map<String, Double> r = curveProbe.validate(m, val);
                evalSeconds[0] += (System.nanoTime() - s0) / 1e9;
                System.out.printf(Locale.ROOT, "validation loss %.4f nats/token%n", r.get(CausalLmObjective.VALIDATION_LOSS));
                return r;
            });
            trainer.addListener(new org.pretext.training.TrainingListener() {
                @Override
                public void onStep(org.pretext.training.StepMetrics m) {
                    Double v = m.extra().get(CausalLmObjective.VALIDATION_LOSS);
                    if (v != null && (curve.isEmpty() || curve.get(curve.size() - 1)[0] != m.step())) {
                        curve.add(new double[] {m.step(), v});
                    }
                }
            });
            PretrainResult r = trainer.run(model, train, provenance);
            Map<String, Double> fin = objective.validate(model, val);
            double trainSeconds = r.seconds() - evalSeconds[0];
            report.put("pretrainSteps", r.steps());
            report.put("pretrainSeconds", trainSeconds);
            report.put("tokensPerSecond", r.steps() * (double) batch * context / trainSeconds);
            report.put("validationLoss", fin.get(CausalLmObjective.VALIDATION_LOSS));
            report.put("validationBitsPerCharacter", fin.get(CausalLmObjective.BITS_PER_CHARACTER));
            report.put("curve", curve);
            List<Features.Matrix> tr = TextFeatures.extract(encoder, model.parameterStore(), maps, trainLabelled,
                    device, 512);
            List<Features.Matrix> te = TextFeatures.extract(encoder, model.parameterStore(), maps, dev, device, 512);
            for (int k = 0; k < maps.size(); k++) {
                rows.addAll(probe("pretrained/" + mapNames.get(k), dense(tr.get(k)), yTrain, dense(te.get(k)), yDev,
                        true));
            }
        }
        report.put("tokenizer", data.tokenizer().describe());
        report.put("probe", rows);
        Files.write(Path.of(System.getProperty("pretext.out", "target/sst2-probe.json")), CheckpointFile.json(report));
        System.out.println(new String(CheckpointFile.json(report)));
        System.out.println("| features (prompt '" + prompt + "') | 32 labels/class (mean ± sd of 5) | all labels |");
        for (int i = 0; i < rows.size(); i += 2) {
            System.out.printf(Locale.ROOT, "| %s | %.1f ± %.1f | %.1f |%n", rows.get(i).get("features"),
                    100 * (double) rows.get(i).get("accuracy"), 100 * (double) rows.get(i).get("sd"),
                    100 * (double) rows.get(i + 1).get("accuracy"));
        }
    }

    static LogisticProbe.Rows dense(Features.Matrix m) {
        return LogisticProbe.Rows.dense(m.values(), m.rows(), m.cols());
    }

    static LogisticProbe.Rows bow(List<String> sentences, Map<String, Integer> words) {
        int[][] idx = new int[sentences.size()][];
        float[][] val = new float[sentences.size()][];
        for (int i = 0; i < sentences.size(); i++) {
            Map<Integer, Integer> counts = new java.util.TreeMap<>();
            for (String w : sentences.get(i).split("\\s+")) {
                Integer id = words.get(w);
                if (id != null) {
                    counts.merge(id, 1, Integer::sum);
                }
            }
            idx[i] = counts.keySet().stream().mapToInt(Integer::intValue).toArray();
            val[i] = new float[idx[i].length];
            int j = 0;
            for (int c : counts.values()) {
                val[i][j++] = c;
            }
        }
        return new LogisticProbe.Rows(idx, val, words.size());
    }

    /** 32 labels per class (5 seeded draws) and all labels; standardised when dense. */
    static List<Map<String, Object>> probe(String name, LogisticProbe.Rows train, int[] yTrain, LogisticProbe.Rows test,
            int[] yTest, boolean standardise) {
        long t0 = System.nanoTime();
        List<Map<String, Object>> out = new ArrayList<>();
        double[] acc = new double[DRAWS];
        for (int draw = 0; draw < DRAWS; draw++) {
            int[] pick = perClass(yTrain, PER_CLASS, draw);
            LogisticProbe.Rows x = train.subset(pick);
            LogisticProbe.Rows t = test;
            if (standardise) {
                LogisticProbe.Rows[] s = LogisticProbe.Rows.standardise(x, test);
                x = s[0];
                t = s[1];
            }
            acc[draw] = LogisticProbe.fitWithCv(x, LogisticProbe.pick(yTrain, pick), 2, draw).accuracy(t, yTest);
        }
        double mean = java.util.Arrays.stream(acc).average().orElseThrow();
        double sd = Math.sqrt(java.util.Arrays.stream(acc).map(a -> (a - mean) * (a - mean)).sum() / (DRAWS - 1));
        out.add(row(name, PER_CLASS, mean, sd));
        LogisticProbe.Rows x = train;
        LogisticProbe.Rows t = test;
        if (standardise) {
            LogisticProbe.Rows[] s = LogisticProbe.Rows.standardise(x, test);
            x = s[0];
            t = s[1];
        }
        LogisticProbe all = LogisticProbe.fitWithCv(x, yTrain, 2, 0);
        out.add(row(name, null, all.accuracy(t, yTest), 0));
        System.out.printf(Locale.ROOT, "%-36s 32/class %.3f ± %.3f   all %.3f (λ %.0e)   %.1f s%n", name, mean, sd,
                all.accuracy(t, yTest), all.lambda, (System.nanoTime() - t0) / 1e9);
        return out;
    }

    static Map<String, Object> row(String name, Integer perClass, double accuracy, double sd) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("features", name);
        m.put("labelsPerClass", perClass);
        m.put("accuracy", accuracy);
        m.put("sd", sd);
        return m;
    }

    static int[] perClass(int[] y, int k, long seed) {
        int[] perm = LogisticProbe.permutation(y.length, 1000 + seed);
        int[] taken = new int[2];
        int[] out = new int[2 * k];
        int n = 0;
        for (int i : perm) {
            if (taken[y[i]] < k) {
                taken[y[i]]++;
                out[n++] = i;
            }
            if (n == out.length) {
                break;
            }
        }
        return out;
    }

}
