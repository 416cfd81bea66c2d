package org.pretext.lm;

import java.util.Map;
import org.pretext.datasets.text.CharTokenizer;
import org.pretext.encoders.transformer.TransformerEncoder;
import org.pretext.testkit.FixtureData;
import org.pretext.testkit.ObjectiveContract;
import org.pretext.testkit.ObjectiveFixture;

/**
 * The objective contract (pretext-testkit) for {@code causal-lm}: windows of 9 token ids from the
 * kit's token fixture, a one-block causal transformer of width 16 with a character tokenizer's
 * vocabulary.
 */
class CausalLmContractTest implements ObjectiveContract {
    static final CharTokenizer TOKENIZER = CharTokenizer.fit("abcdefghijklmnop");

    @Override
    public ObjectiveFixture fixture() {
        return ObjectiveFixture.of(new CausalLmObjectiveProvider(), Map.of())
                .withExamples(FixtureData.tokens(256, 9, TOKENIZER.encode("abcdefghijklmnop"), 4, 1))
                .withEncoder("transformer", shape -> TransformerEncoder.create(TOKENIZER, (int) shape.get(0), 1, 2, 16,
                        0f, true))
                .withoutInputGradients("its inputs are token ids");
    }
}
