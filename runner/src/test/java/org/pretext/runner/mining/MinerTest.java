package org.pretext.runner.mining;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MinerTest {
    static final PatternFile SENTIMENT = PatternFile.read(Path.of("../examples/mining/sentiment-patterns.yaml"));

    private static final PatternFile TOY = PatternFile.parse(Path.of("toy.yaml"), """
            classes:
              neg:
                label: "0"
                patterns: ['\\bwas (?:really )?bad\\b']
              pos:
                label: "1"
                patterns: ['\\bwas (?:really )?good\\b', 'a great film']
            """);

    @Test
    void theShippedSentimentPatternsFindTheClassAndRemoveTheMatchedSpan() {
        Miner.Match m = Miner.match("the acting is really terrible , but the score works", SENTIMENT);
        assertEquals(0, m.label());
        assertEquals("the acting, but the score works", m.text());
        Miner.Match p = Miner.match("It was a great film from start to end.", SENTIMENT);
        assertEquals(1, p.label());
        assertEquals("It from start to end.", p.text());
        Miner.Match noun = Miner.match("simply the best film of the year", SENTIMENT);
        assertEquals(1, noun.label());
        assertEquals("simply of the year", noun.text());
        // negated: no match; both classes: ambiguous; nothing: none
        assertEquals(Miner.Match.NONE, Miner.match("the plot is not good", SENTIMENT).label());
        assertEquals(Miner.Match.NONE, Miner.match("this isn't a great movie", SENTIMENT).label());
        assertEquals(Miner.Match.AMBIGUOUS, Miner.match("the start was great but the end was awful", SENTIMENT).label());
        assertEquals(Miner.Match.NONE, Miner.match("a film about a family in Lyon", SENTIMENT).label());
        // case-insensitive
        assertEquals(1, Miner.match("The Cast Was WONDERFUL here", SENTIMENT).label());
    }

    @Test
    void aMaskReplacesTheSpanAndSentenceUnitsKeepOnlyTheMatchedSentence() {
        PatternFile masked = PatternFile.parse(Path.of("m.yaml"), """
                mask: "<mask>"
                unit: sentence
                classes:
                  a: {patterns: ['\\bwas good\\b']}
                  b: {patterns: ['\\bwas bad\\b']}
                """);
        Miner.Match m = Miner.match("We went on Monday. The food was good, the wine too! Then home.", masked);
        assertEquals(0, m.label());
        assertEquals("The food <mask>, the wine too!", m.text());
        assertEquals(List.of("a", "b"), masked.labels());
    }

    @Test
    void duplicatesAmbiguousAndEmptyTextsAreCountedAndDropped() {
        List<String> corpus = List.of(
                "the soup was bad today",        // 0 neg
                "The soup   was really bad today", // 1 neg, a duplicate once masked (case, spaces)
                "it was good and it was bad",    // 2 ambiguous
                "was good",                      // 3 nothing left once masked
                "a great film indeed",           // 4 pos
                "nothing to see",                // 5 unmatched
                "the bread was good",            // 6 pos
                "the cake was good");            // 7 pos
        Miner.Result r = Miner.mine(corpus, TOY, 0, 1);
        assertEquals(8, r.rows());
        assertArrayEquals(new int[] {1, 3}, r.matched());
        assertEquals(1, r.ambiguous());
        assertEquals(1, r.duplicates());
        assertEquals(1, r.emptied());
        assertEquals(List.of("the soup today", "indeed", "the bread", "the cake"),
                r.mined().stream().map(Miner.Example::text).toList());
        // balanced to the smallest class: 1 + 1
        assertArrayEquals(new int[] {1, 1}, r.keptPerClass());
        assertEquals(0, r.kept().get(0).row());
    }

    @Test
    void balancingKeepsNPerClassBySeedAndInCorpusOrder() {
        List<Miner.Example> mined = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            mined.add(new Miner.Example("t" + i, i % 3 == 0 ? 0 : 1, i)); // 34 of class 0, 66 of class 1
        }
        List<Miner.Example> a = Miner.balance(mined, 2, 0, 7);
        assertEquals(68, a.size());
        assertEquals(34, a.stream().filter(e -> e.label() == 1).count());
        List<Miner.Example> b = Miner.balance(mined, 2, 10, 7);
        assertEquals(20, b.size());
        assertEquals(10, b.stream().filter(e -> e.label() == 0).count());
        for (int i = 1; i < b.size(); i++) {
            assertTrue(b.get(i - 1).row() < b.get(i).row(), "corpus order");
        }
        assertEquals(b, Miner.balance(mined, 2, 10, 7), "same seed, same draw");
        assertNotEquals(b, Miner.balance(mined, 2, 10, 8), "another seed, another draw");
        assertEquals(68, Miner.balance(mined, 2, 500, 7).size(), "never more than the smallest class has");
    }

    @Test
    void precisionAgainstGoldLabelsByHand() {
        // class "0": rows 0, 1, 2 with gold 0, 1, 0 -> 2/3; class "1": rows 3, 4 with gold 1, 1 -> 2/2
        List<Miner.Example> ex = List.of(new Miner.Example("a", 0, 0), new Miner.Example("b", 0, 1),
                new Miner.Example("c", 0, 2), new Miner.Example("d", 1, 3), new Miner.Example("e", 1, 4));
        Miner.Precision p = Miner.precision(ex, List.of("0", "1"), List.of("0", "1", "0", "1", "1", "0"));
        assertEquals(4.0 / 5, p.overall(), 1e-12);
        assertEquals(2.0 / 3, p.perClass()[0], 1e-12);
        assertEquals(1.0, p.perClass()[1], 1e-12);
        assertEquals(4, p.correct());
        assertEquals(5, p.examples());
        assertTrue(Double.isNaN(Miner.precision(ex.subList(0, 3), List.of("0", "1"), List.of("0", "1", "0"))
                .perClass()[1]));
    }
}
