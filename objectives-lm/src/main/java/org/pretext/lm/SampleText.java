package org.pretext.lm;

import java.nio.file.Path;
import org.pretext.PretextException;
import org.pretext.engine.Engines;

/**
 * Prints text sampled from a {@code causal-lm} checkpoint, for a sanity look:
 * {@code java -cp ... org.pretext.lm.SampleText CHECKPOINT [--prompt TEXT] [--tokens N]
 * [--temperature T] [--top-k K] [--seed S]} (defaults: newline, 500, 0.8, 200, 1).
 */
public final class SampleText {
    private SampleText() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: SampleText CHECKPOINT [--prompt TEXT] [--tokens N] [--temperature T]"
                    + " [--top-k K] [--seed S]");
            System.exit(2);
        }
        String prompt = "";
        int tokens = 500;
        double temperature = 0.8;
        int topK = 200;
        long seed = 1;
        for (int i = 1; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new PretextException("option " + args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--prompt" -> prompt = v;
                case "--tokens" -> tokens = Integer.parseInt(v);
                case "--temperature" -> temperature = Double.parseDouble(v);
                case "--top-k" -> topK = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                default -> throw new PretextException("unknown option " + args[i]
                        + ": expected --prompt, --tokens, --temperature, --top-k or --seed");
            }
        }
        try (CausalLmCheckpoint lm = CausalLmCheckpoint.load(Path.of(args[0]), Engines.engine().defaultDevice())) {
            System.out.println(lm.sampler().sample(prompt, tokens, temperature, topK, seed));
        }
    }
}
