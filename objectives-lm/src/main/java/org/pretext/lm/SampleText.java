package org.pretext.lm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pretext.PretextException;
import org.pretext.checkpoint.CheckpointStore;
import org.pretext.engine.Engines;

/**
 * Text sampled from a {@code causal-lm} checkpoint or run folder, for a sanity look. The runner's
 * {@code sample} command calls {@link #sample}; {@code java -cp ... org.pretext.lm.SampleText
 * CHECKPOINT|RUN [--prompt TEXT] [--tokens N] [--temperature T] [--top-k K] [--seed S]} (defaults:
 * empty prompt, 500, 0.8, 200, 1) does the same.
 */
public final class SampleText {
    private static final String USAGE = "usage: SampleText CHECKPOINT|RUN_FOLDER [--prompt TEXT] [--tokens N]"
            + " [--temperature T] [--top-k K] [--seed S]";

    private SampleText() {}

    /**
     * Samples {@code tokens} tokens after {@code prompt}.
     *
     * @param checkpointOrRun a checkpoint file, or a run folder (its newest checkpoint that loads)
     * @throws PretextException naming the file and what was expected, when nothing can be loaded
     */
    public static String sample(Path checkpointOrRun, String prompt, int tokens, double temperature, int topK,
            long seed) {
        if (tokens < 1 || !(temperature > 0) || topK < 0) {
            throw new PretextException("Invalid sampling settings tokens=" + tokens + ", temperature=" + temperature
                    + ", top-k=" + topK + ": expected tokens >= 1, temperature > 0 and top-k >= 0 (0: every token)");
        }
        List<Path> candidates = candidates(checkpointOrRun);
        List<String> failures = new ArrayList<>();
        for (Path file : candidates) {
            try (CausalLmCheckpoint lm = CausalLmCheckpoint.load(file, Engines.engine().defaultDevice())) {
                return lm.sampler().sample(prompt, tokens, temperature, topK, seed);
            } catch (PretextException e) {
                if (candidates.size() == 1) {
                    throw e;
                }
                failures.add(e.getMessage());
            }
        }
        throw new PretextException("No checkpoint of " + checkpointOrRun + " could be sampled: "
                + String.join("; ", failures));
    }

    /** The checkpoint file itself, or a run folder's checkpoints newest first. */
    private static List<Path> candidates(Path path) {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        Path dir = path.resolve("checkpoints");
        if (!Files.isDirectory(dir)) {
            throw new PretextException(path + " is neither a checkpoint file nor a run folder (no checkpoints/ in it):"
                    + " expected a causal-lm run folder or one of its checkpoints/ckpt-*.zip");
        }
        List<Path> files = new ArrayList<>(new CheckpointStore(dir, 2).files());
        if (files.isEmpty()) {
            throw new PretextException("Run folder " + path + " holds no checkpoint in " + dir
                    + ": expected a run that saved at least one");
        }
        java.util.Collections.reverse(files);
        return files;
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.err.println(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        try {
            String prompt = "";
            int tokens = 500;
            double temperature = 0.8;
            int topK = 200;
            long seed = 1;
            for (int i = 1; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new PretextException("Option " + args[i] + " needs a value: " + USAGE);
                }
                String v = args[i + 1];
                try {
                    switch (args[i]) {
                        case "--prompt" -> prompt = v;
                        case "--tokens" -> tokens = Integer.parseInt(v);
                        case "--temperature" -> temperature = Double.parseDouble(v);
                        case "--top-k" -> topK = Integer.parseInt(v);
                        case "--seed" -> seed = Long.parseLong(v);
                        default -> throw new PretextException("Unknown option " + args[i]
                                + ": expected --prompt, --tokens, --temperature, --top-k or --seed");
                    }
                } catch (NumberFormatException e) {
                    throw new PretextException("Invalid value '" + v + "' for " + args[i] + ": expected a number");
                }
            }
            System.out.println(sample(Path.of(args[0]), prompt, tokens, temperature, topK, seed));
        } catch (PretextException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }
}
