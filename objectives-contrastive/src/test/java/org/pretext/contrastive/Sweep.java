package org.pretext.contrastive;

import java.util.HashMap;
import java.util.Map;
import org.pretext.model.PretextModel;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;

/** Scratch: objective lr:steps[:k=v...] ... */
public final class Sweep {
    static double nstd(PretextModel model) {
        org.pretext.encoder.Features.Matrix m = org.pretext.encoder.Features.extract(model.encoder(), model.parameterStore(),
                TestRuns.mnist().test().orElseThrow(), model.device(), 500);
        float[] v = java.util.Arrays.copyOf(m.values(), 512 * m.cols());
        return org.pretext.training.listener.EmbeddingStats.normalizedStd(v, 512, m.cols());
    }

    public static void main(String[] args) {
        String obj = args[0];
        for (int a = 1; a < args.length; a++) {
            String spec = args[a];
            String[] parts = spec.split(":");
            double lr = Double.parseDouble(parts[0]);
            int steps = Integer.parseInt(parts[1]);
            long seed = 3;
            double clip = 0;
            double wd = 1e-5;
            Map<String, Object> params = new HashMap<>();
            for (int i = 2; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                if (kv[0].equals("seed")) seed = Long.parseLong(kv[1]); else if (kv[0].equals("clip")) clip = Double.parseDouble(kv[1]); else if (kv[0].equals("wd")) wd = Double.parseDouble(kv[1]); else params.put(kv[0], kv[1]);
            }
            long t0 = System.nanoTime();
            try (PretextModel model = TestRuns.model(TestRuns.objective(obj, params), seed)) {
                double random = TestRuns.probe(model, 10);
                org.pretext.training.listener.RepresentationDiagnostics diag =
                        org.pretext.training.listener.RepresentationDiagnostics.of(TestRuns.mnist().pretrain(), 1);
                System.out.println("  before: " + diag.measure(model) + " nstd " + nstd(model));
                PretrainResult r = new Pretrainer(TestRuns.config(steps).learningRate(lr).seed(seed).clipNorm(clip).weightDecay(wd).build()).run(model,
                        TestRuns.mnist().pretrain(), TestRuns.provenance(obj));
                System.out.println("  after: " + diag.measure(model) + " nstd " + nstd(model));
                StringBuilder sb = new StringBuilder();
                for (int s = 0; s < steps; s += steps / 8) sb.append(String.format(" %.3f", r.losses()[s]));
                System.out.printf("%s %s: %.1fs (train %.1fs) losses%s final %.3f NCM %.4f -> %.4f%n", obj, spec,
                        (System.nanoTime() - t0) / 1e9, r.seconds(), sb, r.finalLoss(), random, TestRuns.probe(model, 10));
            }
        }
    }
}
