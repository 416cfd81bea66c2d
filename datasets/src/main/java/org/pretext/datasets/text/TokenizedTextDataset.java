package org.pretext.datasets.text;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pretext.PretextException;
import org.pretext.data.IndexedSplit;
import org.pretext.data.Split;
import org.pretext.text.TextDataset;
import org.pretext.text.TokenWindowSplit;
import org.pretext.text.Tokenizer;

/**
 * A text dataset with its tokenizer: the pretraining text and an optional held-out text, both
 * tokenised once, cut into windows on request; and optional labelled sentence splits as token rows
 * padded on the right with the pad id.
 */
public final class TokenizedTextDataset implements TextDataset {
    private final String name;
    private final Tokenizer tokenizer;
    private final int[] pretrainTokens;
    private final long pretrainCharacters;
    private final int[] validationTokens;
    private final long validationCharacters;
    private final IndexedSplit train;
    private final IndexedSplit test;
    private final Map<String, String> provenance;
    private final long windowsPerEpoch;

    /**
     * @param pretrainText what the tokenizer was fitted on and the model pretrains on
     * @param validationText held-out text for the validation loss, or null
     * @param train labelled training sentences (token rows), or null
     * @param test labelled test sentences (token rows), or null
     * @param windowsPerEpoch random windows per nominal epoch, 0 for about one pass over the tokens
     */
    public TokenizedTextDataset(String name, Tokenizer tokenizer, String pretrainText, String validationText,
            IndexedSplit train, IndexedSplit test, Map<String, String> provenance, long windowsPerEpoch) {
        this.name = name;
        this.tokenizer = tokenizer;
        this.pretrainTokens = tokenizer.encode(pretrainText);
        this.pretrainCharacters = pretrainText.codePointCount(0, pretrainText.length());
        this.validationTokens = validationText == null || validationText.isEmpty() ? null
                : tokenizer.encode(validationText);
        this.validationCharacters = validationText == null ? 0
                : validationText.codePointCount(0, validationText.length());
        this.train = train;
        this.test = test;
        Map<String, String> p = new LinkedHashMap<>(provenance);
        p.put("tokenizer", tokenizer.describe());
        p.put("pretrainTokens", Integer.toString(pretrainTokens.length));
        if (validationTokens != null) {
            p.put("validationTokens", Integer.toString(validationTokens.length));
        }
        this.provenance = Map.copyOf(p);
        this.windowsPerEpoch = windowsPerEpoch;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The pretraining text's tokens (a copy). */
    public int[] pretrainTokens() {
        return pretrainTokens.clone();
    }

    @Override
    public TokenWindowSplit pretrainWindows(int context) {
        return TokenWindowSplit.random(pretrainTokens, context + 1, windowsPerEpoch, pretrainCharacters,
                "'" + name + "' (pretraining part)");
    }

    @Override
    public Optional<TokenWindowSplit> validationWindows(int context) {
        if (validationTokens == null || validationTokens.length < context + 1) {
            return Optional.empty();
        }
        return Optional.of(TokenWindowSplit.sequential(validationTokens, context + 1, validationCharacters,
                "'" + name + "' (validation part)"));
    }

    @Override
    public Optional<Split> train() {
        return Optional.ofNullable(train);
    }

    @Override
    public Optional<Split> test() {
        return Optional.ofNullable(test);
    }

    @Override
    public Map<String, String> provenance() {
        return provenance;
    }

    /**
     * Sentences as token rows padded on the right with the pad id to the longest one.
     *
     * @param labels class index per sentence, or null
     */
    public static IndexedSplit sentenceRows(Tokenizer tokenizer, List<String> sentences, int[] labels,
            List<String> classNames) {
        List<int[]> rows = new ArrayList<>(sentences.size());
        int width = 1;
        for (String s : sentences) {
            int[] ids = tokenizer.encode(s);
            rows.add(ids);
            width = Math.max(width, ids.length);
        }
        int[] data = new int[rows.size() * width];
        Arrays.fill(data, tokenizer.padId());
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, data, i * width, rows.get(i).length);
        }
        return IndexedSplit.ofInts(data, new Shape(width), labels, classNames);
    }

    /**
     * Class names of labels as written (numeric order when all are integers, else alphabetical),
     * from the training labels; a test label the training set lacks is an error naming it.
     */
    public static List<String> classNames(List<String> trainLabels, String trainSource, List<String> testLabels,
            String testSource) {
        List<String> names = new ArrayList<>(new java.util.TreeSet<>(trainLabels));
        boolean numeric = names.stream().allMatch(s -> s.matches("-?\\d{1,9}"));
        if (numeric) {
            names.sort((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
        }
        if (names.size() < 2) {
            throw new PretextException("The labelled sentences in " + trainSource + " have " + names.size()
                    + " class " + names + ": expected at least 2 classes");
        }
        if (testLabels != null) {
            for (String l : new java.util.TreeSet<>(testLabels)) {
                if (!names.contains(l)) {
                    throw new PretextException("The label '" + l + "' in " + testSource + " does not occur in "
                            + trainSource + " (classes " + names + ")");
                }
            }
        }
        return List.copyOf(names);
    }

    /** Class indices of labels. */
    public static int[] indices(List<String> labels, List<String> classNames) {
        int[] out = new int[labels.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = classNames.indexOf(labels.get(i));
        }
        return out;
    }
}
