package org.pretext.runner.mining;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.data.Split;
import org.pretext.encoder.FeatureMap;
import org.pretext.encoder.Features;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.encoder.TextFeatures;
import org.pretext.encoder.TokenEmbeddings;
import org.pretext.probe.ProbeResult;
import org.pretext.text.SequenceBatch;
import org.pretext.text.Tokenizer;

/**
 * The prompting baseline of mining-based zero-shot classification: a language model classifies a
 * sentence by the class whose verbalizers are likeliest to come next after the sentence and a prompt,
 *
 * <pre>
 *   ŷ(s) = argmax_c Σ_{v ∈ V_c} p(first token of " v" | s + prompt)
 * </pre>
 *
 * with p the model's next-token distribution (the prompt follows the sentence after a space), softmax(Φᵀ h), from the last hidden state h and the
 * tied output word embeddings Φ (as the conditional-mean features use it). No labels are used.
 */
public final class PromptBaseline {
    private PromptBaseline() {}

    /** The first token of each class's verbalizers, each written after a space. */
    public static int[][] verbalizerTokens(PatternFile patterns, Tokenizer tokenizer) {
        int[][] ids = new int[patterns.classes().size()][];
        for (int c = 0; c < ids.length; c++) {
            List<String> words = patterns.classes().get(c).verbalizers();
            if (words.isEmpty()) {
                throw new PretextException(patterns.file() + ": class '" + patterns.classes().get(c).name() + "' has no"
                        + " 'verbalizers', which the prompting baseline scores: add them or set"
                        + " mining.prompt-baseline=false");
            }
            ids[c] = words.stream().mapToInt(w -> firstToken(tokenizer, w)).distinct().toArray();
        }
        return ids;
    }

    /**
     * The first token of {@code " " + word} that is not whitespace alone: with byte-level BPE the
     * word's first piece with its space (' good'); with characters, its first letter.
     */
    static int firstToken(Tokenizer tokenizer, String word) {
        int[] ids = tokenizer.encode(" " + word.strip());
        for (int id : ids) {
            if (!tokenizer.decode(new int[] {id}).isBlank()) {
                return id;
            }
        }
        return ids[0];
    }

    /** Scores (B, C): log Σ_{v ∈ V_c} p(v | sentence + prompt) per class. */
    static final class VerbalizerScores implements FeatureMap {
        private final String prompt;
        private final int[][] tokens;

        VerbalizerScores(String prompt, int[][] tokens) {
            this.prompt = prompt;
            this.tokens = tokens;
        }

        @Override
        public String name() {
            return "verbalizer-likelihood";
        }

        @Override
        public String prompt() {
            return prompt;
        }

        @Override
        public int featureSize(SequenceEncoder encoder) {
            return tokens.length;
        }

        @Override
        public NDArray apply(SequenceEncoder encoder, ParameterStore store, SequenceBatch batch) {
            if (!(encoder instanceof TokenEmbeddings t)) {
                throw new PretextException("The prompting baseline needs a language model with output word embeddings"
                        + " (tied token embeddings, e.g. 'transformer'), but got " + encoder);
            }
            NDArray last = batch.pool(batch.lastTokenWeights()); // (B, D)
            NDArray phi = t.tokenEmbeddings(store, last.getDevice(), false); // (V, D)
            NDArray p = Linear.linear(last, phi).singletonOrThrow().softmax(-1); // (B, V)
            int v = (int) phi.getShape().get(0);
            float[] pick = new float[v * tokens.length];
            for (int c = 0; c < tokens.length; c++) {
                for (int id : tokens[c]) {
                    pick[id * tokens.length + c] = 1f;
                }
            }
            NDArray m = org.pretext.engine.HostArrays.floats(batch.manager(), pick, new Shape(v, tokens.length))
                    .toDevice(p.getDevice(), false);
            return p.matMul(m).log();
        }
    }

    /**
     * Classifies the test sentences zero-shot and reports the accuracy as result rows (probe
     * {@code verbalizers}, all test rows, no training labels): {@code pretrained/prompt} by the raw
     * scores, {@code pretrained/prompt-calibrated} after subtracting each class's mean score over the
     * test sentences (label-free, in the spirit of Zhao et al. 2021's calibration).
     *
     * @param classIndex the test split's class index of each pattern class
     */
    public static List<ProbeResult> evaluate(SequenceEncoder encoder, ParameterStore store, PatternFile patterns,
            int[] classIndex, Split test, String prompt, Device device, int batchSize) {
        long t0 = System.nanoTime();
        Scored scored = score(encoder, store, patterns, test, prompt, device, batchSize, true);
        Features.Matrix s = scored.scores();
        String spaced = scored.prompt();
        List<String> shown = scored.tokens();
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<ProbeResult> out = new ArrayList<>();
        for (boolean calibrated : new boolean[] {false, true}) {
            int right = 0;
            int[] predicted = predictions(s, calibrated);
            for (int i = 0; i < s.rows(); i++) {
                if (classIndex[predicted[i]] == s.labels()[i]) {
                    right++;
                }
            }
            double acc = (double) right / s.rows();
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("prompt", spaced);
            settings.put("verbalizerTokens", shown);
            settings.put("calibration", calibrated ? "each class's mean score over the test sentences subtracted" : "none");
            System.err.printf(Locale.ROOT, "prompting baseline%s: %.2f %% of %d test sentences%n",
                    calibrated ? " (calibrated)" : "", 100 * acc, s.rows());
            out.add(new ProbeResult(calibrated ? "pretrained/prompt-calibrated" : "pretrained/prompt", "verbalizers",
                    null, acc, 0, 1, new double[] {acc}, new long[] {0}, 0, s.rows(), null, null, null, settings,
                    seconds));
        }
        return out;
    }

    /**
     * The rows of a mined training split whose calibrated zero-shot prediction is the class their
     * pattern gave (its label): van de Kar et al. 2022's optional filtering of mined examples by the
     * model's own zero-shot classifier. Uses no gold label.
     *
     * @param classIndex the split's class index of each pattern class
     */
    public static int[] agreeing(SequenceEncoder encoder, ParameterStore store, PatternFile patterns, int[] classIndex,
            Split mined, String prompt, Device device, int batchSize) {
        Features.Matrix s = score(encoder, store, patterns, mined, prompt, device, batchSize, false).scores();
        int[] predicted = predictions(s, true);
        return java.util.stream.IntStream.range(0, s.rows()).filter(i -> classIndex[predicted[i]] == s.labels()[i])
                .toArray();
    }

    /** The scores (rows, classes) of a split's sentences, with the prompt and the verbalizer tokens used. */
    private record Scored(Features.Matrix scores, String prompt, List<String> tokens) {}

    private static Scored score(SequenceEncoder encoder, ParameterStore store, PatternFile patterns, Split split,
            String prompt, Device device, int batchSize, boolean announce) {
        // configuration values are trimmed: the prompt is a new word after the sentence
        String spaced = prompt.isEmpty() || Character.isWhitespace(prompt.charAt(0)) ? prompt : " " + prompt;
        Tokenizer tok = encoder.tokenizer().orElseThrow(() -> new PretextException("The prompting baseline needs an"
                + " encoder with a tokenizer"));
        int[][] ids = verbalizerTokens(patterns, tok);
        List<String> shown = new ArrayList<>();
        for (int c = 0; c < ids.length; c++) {
            List<String> t = new ArrayList<>();
            for (int id : ids[c]) {
                t.add("'" + tok.decode(new int[] {id}) + "'");
            }
            shown.add(patterns.labels().get(c) + ": " + String.join(" ", t));
        }
        if (announce) {
            System.err.println("prompting baseline: prompt '" + spaced + "', verbalizer tokens " + shown);
            for (PatternFile.MiningClass c : patterns.classes()) {
                for (String w : c.verbalizers()) {
                    String first = tok.decode(new int[] {firstToken(tok, w)});
                    if (!first.strip().equals(w.strip())) {
                        System.err.println("warning: the verbalizer '" + w.strip() + "' of class '" + c.name()
                                + "' is scored by its first token '" + first + "' only, which other words share");
                    }
                }
            }
        }
        Features.Matrix s = TextFeatures.extract(encoder, store, List.of(new VerbalizerScores(spaced, ids)), split,
                device, batchSize).get(0);
        return new Scored(s, spaced, shown);
    }

    /**
     * Each row's predicted pattern class: the highest score, or with {@code calibrated} the highest
     * after subtracting each class's mean score over these rows (no labels used), which removes the
     * model's preference for a verbalizer whatever the sentence.
     */
    static int[] predictions(Features.Matrix s, boolean calibrated) {
        double[] mean = new double[s.cols()];
        if (calibrated) {
            for (int i = 0; i < s.rows(); i++) {
                for (int c = 0; c < s.cols(); c++) {
                    mean[c] += s.get(i, c) / s.rows();
                }
            }
        }
        int[] out = new int[s.rows()];
        for (int i = 0; i < s.rows(); i++) {
            int best = 0;
            for (int c = 1; c < s.cols(); c++) {
                if (s.get(i, c) - mean[c] > s.get(i, best) - mean[best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }
}
