package org.pretext.runner.mining;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.pretext.testing.SharedData;

/** The README's mining numbers for SST-2's training sentences and the shipped sentiment patterns. */
class Sst2MiningTest {
    @Test
    void theShippedPatternsMineSst2TrainingSentencesAsTheReadmeSays() {
        Path sst2 = SharedData.require("sst2");
        Corpus c = Corpus.read(sst2.resolve("train.tsv"), "sentence", "label");
        Miner.Result r = Miner.mine(c.texts(), PatternFile.read(SharedData.projectRoot()
                .resolve("examples/mining/sentiment-patterns.yaml")), 0, 42);
        assertEquals(67349, r.rows());
        assertArrayEquals(new int[] {210, 632}, r.matched());
        assertArrayEquals(new int[] {210, 210}, r.keptPerClass());
        Miner.Precision kept = Miner.precision(r.kept(), r.classes(), c.gold());
        assertEquals(388, kept.correct());
        assertEquals(420, kept.examples());
    }
}
