package org.pretext.runner.mining;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pretext.datasets.text.CharTokenizer;

class PromptBaselineTest {
    @Test
    void eachClassScoresTheFirstNonBlankTokenOfItsVerbalizers() {
        CharTokenizer tok = CharTokenizer.fit(" abdgo");
        PatternFile p = PatternFile.parse(Path.of("p.yaml"), """
                classes:
                  neg: {verbalizers: [bad, awful], patterns: [x]}
                  pos: {verbalizers: [good, great], patterns: [y]}
                """);
        int[][] ids = PromptBaseline.verbalizerTokens(p, tok);
        // a character tokenizer: the space alone is passed over, each word is scored by its first letter
        assertArrayEquals(new int[] {tok.encode("b")[0], tok.encode("a")[0]}, ids[0]);
        assertArrayEquals(new int[] {tok.encode("g")[0]}, ids[1], "good and great share their first letter");
        org.junit.jupiter.api.Assertions.assertEquals(List.of("neg", "pos"), p.labels());
    }
}
