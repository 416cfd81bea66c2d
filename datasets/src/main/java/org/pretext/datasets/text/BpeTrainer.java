package org.pretext.datasets.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns byte-level BPE merges from a corpus: pre-tokenise, count pre-tokens, then repeatedly merge
 * the most frequent adjacent pair of symbols (ties: the smaller pair of ids), updating pair counts
 * only in the words that hold the merged pair. Stops at the target vocabulary size or when no pair
 * occurs twice. Deterministic: the same corpus gives the same merges.
 */
public final class BpeTrainer {
    private BpeTrainer() {}

    /**
     * @param vocabularySize target size including the 258 specials and bytes
     */
    public static BpeTokenizer train(String corpus, int vocabularySize) {
        return train(corpus, vocabularySize, BpeTokenizer.GPT2_PATTERN);
    }

    public static BpeTokenizer train(String corpus, int vocabularySize, String pattern) {
        int wanted = Math.max(0, vocabularySize - ByteTokens.FIRST_LEARNED);
        Map<String, Integer> counts = new LinkedHashMap<>();
        Matcher m = Pattern.compile(pattern).matcher(corpus);
        while (m.find()) {
            counts.merge(m.group(), 1, Integer::sum);
        }
        int nw = counts.size();
        int[][] words = new int[nw][];
        int[] lens = new int[nw];
        long[] freq = new long[nw];
        int w = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            byte[] b = e.getKey().getBytes(StandardCharsets.UTF_8);
            words[w] = new int[b.length];
            for (int i = 0; i < b.length; i++) {
                words[w][i] = ByteTokens.ofByte(b[i]);
            }
            lens[w] = b.length;
            freq[w] = e.getValue();
            w++;
        }
        Map<Long, Long> pairCount = new HashMap<>();
        Map<Long, List<Integer>> where = new HashMap<>();
        for (int i = 0; i < nw; i++) {
            for (int j = 0; j + 1 < lens[i]; j++) {
                long k = BpeTokenizer.key(words[i][j], words[i][j + 1]);
                pairCount.merge(k, freq[i], Long::sum);
                where.computeIfAbsent(k, x -> new ArrayList<>()).add(i);
            }
        }
        PriorityQueue<long[]> queue = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Long.compare(y[0], x[0])
                : Long.compare(x[1], y[1]));
        pairCount.forEach((k, c) -> queue.add(new long[] {c, k}));
        List<int[]> merges = new ArrayList<>();
        int[] stamp = new int[nw];
        while (merges.size() < wanted && !queue.isEmpty()) {
            long[] top = queue.poll();
            long key = top[1];
            Long current = pairCount.get(key);
            if (current == null || current != top[0]) {
                continue; // stale entry
            }
            if (current < 2) {
                break;
            }
            int a = (int) (key >>> 32);
            int b = (int) key;
            int id = ByteTokens.FIRST_LEARNED + merges.size();
            merges.add(new int[] {a, b});
            int mark = merges.size();
            Map<Long, Long> changed = new HashMap<>();
            for (int i : where.remove(key)) {
                if (stamp[i] == mark) {
                    continue;
                }
                stamp[i] = mark;
                int[] s = words[i];
                int n = lens[i];
                boolean has = false;
                for (int j = 0; j + 1 < n; j++) {
                    if (s[j] == a && s[j + 1] == b) {
                        has = true;
                        break;
                    }
                }
                if (!has) {
                    continue;
                }
                for (int j = 0; j + 1 < n; j++) {
                    long k = BpeTokenizer.key(s[j], s[j + 1]);
                    changed.merge(k, -freq[i], Long::sum);
                }
                int out = 0;
                for (int j = 0; j < n; j++) {
                    if (j + 1 < n && s[j] == a && s[j + 1] == b) {
                        s[out++] = id;
                        j++;
                    } else {
                        s[out++] = s[j];
                    }
                }
                lens[i] = out;
                for (int j = 0; j + 1 < out; j++) {
                    long k = BpeTokenizer.key(s[j], s[j + 1]);
                    changed.merge(k, freq[i], Long::sum);
                    if (s[j] == id || s[j + 1] == id) {
                        where.computeIfAbsent(k, x -> new ArrayList<>()).add(i);
                    }
                }
            }
            for (Map.Entry<Long, Long> e : changed.entrySet()) {
                if (e.getValue() == 0) {
                    continue;
                }
                long c = pairCount.getOrDefault(e.getKey(), 0L) + e.getValue();
                if (c <= 0) {
                    pairCount.remove(e.getKey());
                } else {
                    pairCount.put(e.getKey(), c);
                    queue.add(new long[] {c, e.getKey()});
                }
            }
            pairCount.remove(key);
        }
        return new BpeTokenizer(merges.toArray(new int[0][]), pattern);
    }
}
