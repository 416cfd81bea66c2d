package org.pretext.runner.mining;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pretext.runner.mining.PatternFile.MiningClass;

/**
 * Mining-based zero-shot labelling (van de Kar, Xia, Chen and Artetxe 2022, "Don't Prompt,
 * Search! Mining-based Zero-Shot Learning with Language Models", arXiv 2210.14803): every text
 * of an unlabelled corpus that a class's patterns match becomes an example of that class, with the
 * matched span removed (or replaced by the file's mask) so that a classifier cannot learn the
 * pattern itself; texts matching patterns of two classes are dropped as ambiguous, duplicates
 * (after masking, case and spacing ignored) are kept once, and the classes are balanced by a
 * seeded draw down to the smallest class (or a given number per class).
 */
public final class Miner {
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern SPACE_BEFORE_PUNCT = Pattern.compile(" (?=[,.!?;:](?:\\s|$))");

    private Miner() {}

    /**
     * A mined example.
     *
     * @param text the text with the matched spans masked
     * @param label index of the class in the pattern file
     * @param row the corpus row it came from (0-based)
     */
    public record Example(String text, int label, int row) {}

    /** What one text gives: the class it matched (-1: none, -2: several) and the masked text. */
    public record Match(int label, String text) {
        /** No class matched. */
        public static final int NONE = -1;
        /** Patterns of more than one class matched. */
        public static final int AMBIGUOUS = -2;
    }

    /**
     * Everything a mining run found.
     *
     * @param classes the class labels in pattern-file order
     * @param rows corpus rows read
     * @param matched unique mined examples per class, before balancing
     * @param ambiguous texts matched by patterns of several classes (dropped)
     * @param duplicates matched texts dropped as repeats of an earlier one
     * @param emptied matched texts that were nothing but the pattern (empty once masked; dropped)
     * @param mined every unique mined example, before balancing
     * @param kept the balanced examples, in corpus order
     */
    public record Result(List<String> classes, int rows, int[] matched, int ambiguous, int duplicates, int emptied,
            List<Example> mined, List<Example> kept) {
        /** Kept examples per class. */
        public int[] keptPerClass() {
            int[] n = new int[classes.size()];
            kept.forEach(e -> n[e.label()]++);
            return n;
        }
    }

    /**
     * Matches one text: the units (the text, or its sentences) each class's patterns find, masked.
     * With {@code sentences}, the example is the first sentence a pattern matches.
     */
    public static Match match(String text, PatternFile patterns) {
        List<String> units = patterns.sentences() ? List.of(SENTENCE_END.split(text.strip())) : List.of(text);
        for (String unit : units) {
            int found = Match.NONE;
            for (int c = 0; c < patterns.classes().size(); c++) {
                for (Pattern p : patterns.classes().get(c).patterns()) {
                    if (p.matcher(unit).find()) {
                        found = found == Match.NONE || found == c ? c : Match.AMBIGUOUS;
                        break;
                    }
                }
            }
            if (found == Match.AMBIGUOUS) {
                return new Match(Match.AMBIGUOUS, unit);
            }
            if (found >= 0) {
                return new Match(found, mask(unit, patterns.classes().get(found), patterns.mask()));
            }
        }
        return new Match(Match.NONE, text);
    }

    /**
     * The text with every span the class's patterns match replaced by {@code mask}: the spans of all
     * patterns are found in the original text and overlapping ones merged (so "was a great" and "a
     * great film" in "was a great film" go as one), then spacing is tidied.
     */
    static String mask(String text, MiningClass c, String mask) {
        List<int[]> spans = new ArrayList<>();
        for (Pattern p : c.patterns()) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                if (m.end() > m.start()) {
                    spans.add(new int[] {m.start(), m.end()});
                }
            }
        }
        spans.sort((a, b) -> Integer.compare(a[0], b[0]));
        StringBuilder out = new StringBuilder();
        int pos = 0;
        for (int i = 0; i < spans.size(); i++) {
            int start = spans.get(i)[0];
            int end = spans.get(i)[1];
            while (i + 1 < spans.size() && spans.get(i + 1)[0] <= end) {
                end = Math.max(end, spans.get(++i)[1]);
            }
            if (start < pos) {
                start = pos;
            }
            out.append(text, pos, start).append(mask.isEmpty() ? " " : " " + mask + " ");
            pos = Math.max(pos, end);
        }
        out.append(text.substring(pos));
        String tidy = SPACES.matcher(out).replaceAll(" ").strip();
        return SPACE_BEFORE_PUNCT.matcher(tidy).replaceAll("");
    }

    /**
     * Mines a corpus.
     *
     * @param texts the corpus, one text per row
     * @param patterns the classes' patterns
     * @param perClass examples kept per class (0: as many as the smallest class has; more than the
     *     smallest class has: the smallest class's count)
     * @param seed seed of the balancing draw
     */
    public static Result mine(List<String> texts, PatternFile patterns, int perClass, long seed) {
        int k = patterns.classes().size();
        int[] matched = new int[k];
        int ambiguous = 0;
        int duplicates = 0;
        int emptied = 0;
        Map<String, Integer> seen = new HashMap<>();
        List<Example> mined = new ArrayList<>();
        for (int row = 0; row < texts.size(); row++) {
            Match m = match(texts.get(row), patterns);
            if (m.label() == Match.AMBIGUOUS) {
                ambiguous++;
                continue;
            }
            if (m.label() == Match.NONE) {
                continue;
            }
            if (m.text().isBlank() || m.text().replaceAll("[\\p{Punct}\\s]", "").isEmpty()) {
                emptied++;
                continue;
            }
            String key = m.text().toLowerCase(Locale.ROOT);
            if (seen.putIfAbsent(key, row) != null) {
                duplicates++;
                continue;
            }
            matched[m.label()]++;
            mined.add(new Example(m.text().replace('\t', ' ').replace('\n', ' ').replace('\r', ' '), m.label(), row));
        }
        return new Result(patterns.labels(), texts.size(), matched, ambiguous, duplicates, emptied, List.copyOf(mined),
                balance(mined, k, perClass, seed));
    }

    /**
     * Keeps the same number of examples of each class: {@code perClass} (0: the smallest class's
     * count; never more than it), drawn by a seeded shuffle of each class, returned in corpus order.
     */
    public static List<Example> balance(List<Example> mined, int classes, int perClass, long seed) {
        List<List<Example>> by = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            by.add(new ArrayList<>());
        }
        mined.forEach(e -> by.get(e.label()).add(e));
        int smallest = by.stream().mapToInt(List::size).min().orElse(0);
        int n = perClass <= 0 ? smallest : Math.min(perClass, smallest);
        List<Example> kept = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            List<Example> list = new ArrayList<>(by.get(c));
            Collections.shuffle(list, new Random(seed * 31 + c));
            kept.addAll(list.subList(0, n));
        }
        kept.sort((a, b) -> Integer.compare(a.row(), b.row()));
        return List.copyOf(kept);
    }

    /**
     * Precision of mined labels against gold labels: the fraction of examples whose class label
     * (the pattern file's {@code label}) equals the gold label of their corpus row, overall and
     * per mined class (NaN for a class with no examples).
     */
    public static Precision precision(List<Example> examples, List<String> classLabels, List<String> gold) {
        int k = classLabels.size();
        int[] right = new int[k];
        int[] total = new int[k];
        for (Example e : examples) {
            total[e.label()]++;
            if (classLabels.get(e.label()).equals(gold.get(e.row()))) {
                right[e.label()]++;
            }
        }
        double[] per = new double[k];
        int r = 0;
        int t = 0;
        for (int c = 0; c < k; c++) {
            per[c] = total[c] == 0 ? Double.NaN : (double) right[c] / total[c];
            r += right[c];
            t += total[c];
        }
        return new Precision(t == 0 ? Double.NaN : (double) r / t, per, r, t);
    }

    /**
     * Precision of mined labels.
     *
     * @param overall correct / examples
     * @param perClass per mined class
     * @param correct examples whose mined label is the gold one
     * @param examples examples checked
     */
    public record Precision(double overall, double[] perClass, int correct, int examples) {
        /** As plain data for JSON. */
        public Map<String, Object> toMap(List<String> classes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("overall", finite(overall));
            m.put("correct", correct);
            m.put("examples", examples);
            Map<String, Object> per = new LinkedHashMap<>();
            for (int c = 0; c < classes.size(); c++) {
                per.put(classes.get(c), finite(perClass[c]));
            }
            m.put("perClass", per);
            return m;
        }

        private static Double finite(double v) {
            return Double.isNaN(v) ? null : v;
        }
    }
}
