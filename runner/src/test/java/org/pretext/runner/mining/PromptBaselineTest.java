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

    @Test
    void calibrationSubtractsEachClassesMeanScoreBeforeTheArgmax() {
        // every sentence scores class 0 higher, but class 1 less so on the first two than on average
        float[] scores = {-1f, -1.2f, -1f, -1.1f, -1f, -3f};
        org.pretext.encoder.Features.Matrix s = new org.pretext.encoder.Features.Matrix(scores, 3, 2,
                new int[] {0, 0, 0}, 2);
        assertArrayEquals(new int[] {0, 0, 0}, PromptBaseline.predictions(s, false));
        // means (-1, -1.7667): row 0 gives 0 against 0.567, row 1 0 against 0.667, row 2 0 against -1.233
        assertArrayEquals(new int[] {1, 1, 0}, PromptBaseline.predictions(s, true));
    }
}
