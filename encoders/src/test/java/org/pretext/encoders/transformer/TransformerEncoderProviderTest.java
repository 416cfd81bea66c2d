package org.pretext.encoders.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.EncoderProvider;
import org.pretext.encoder.SequenceEncoder;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;
import org.pretext.text.Tokenizer;

class TransformerEncoderProviderTest {
    /** A stand-in tokenizer of 300 ids (the real ones live in the datasets module). */
    static final Tokenizer TOKENIZER = new Tokenizer() {
        public String kind() { return "fake"; }
        public int vocabularySize() { return 300; }
        public int[] encode(String text) { return new int[0]; }
        public String decode(int[] ids) { return ""; }
        public int padId() { return 0; }
        public int maskId() { return 1; }
        public boolean isSpecial(int id) { return id < 2; }
        public byte[] toBytes() { return "{\"kind\":\"fake\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8); }
    };

    static ProviderRegistry<EncoderProvider> registry() {
        return ProviderRegistry.load(EncoderProvider.class, "encoder");
    }

    static ParamValues params(EncoderProvider p, Map<String, ?> raw) {
        return ParamValues.resolve("encoder '" + p.name() + "'", p.parameters(), raw);
    }

    @Test
    void takesTheVocabularyFromTheTokenizer() {
        EncoderProvider p = registry().get("transformer");
        Encoder e = p.createForTokens(params(p, Map.of("context", 32, "width", 64, "heads", 2)), TOKENIZER);
        SequenceEncoder s = (SequenceEncoder) e;
        assertThat(s.vocabularySize()).isEqualTo(300);
        assertThat(s.inputShape()).isEqualTo(new Shape(32));
        assertThat(s.hiddenSize()).isEqualTo(64);
        assertThat(s.isCausal()).isTrue();
        assertThat(s.tokenizer()).containsSame(TOKENIZER);
        assertThat(p.parameters()).extracting(x -> x.name())
                .containsExactly("layers", "heads", "width", "context", "dropout", "causal", "bias", "vocabulary");
    }

    @Test
    void explainsWhatIsMissingOrInconsistent() {
        EncoderProvider p = registry().get("transformer");
        assertThatThrownBy(() -> p.create(params(p, Map.of()), new Shape(64))).isInstanceOf(PretextException.class)
                .hasMessageContaining("vocabulary");
        assertThatThrownBy(() -> p.create(params(p, Map.of("vocabulary", 50)), new Shape(1, 28, 28)))
                .hasMessageContaining("(1, 28, 28)");
        assertThat(p.create(params(p, Map.of("vocabulary", 50)), new Shape(64))).isInstanceOf(SequenceEncoder.class);
        assertThatThrownBy(() -> p.createForTokens(params(p, Map.of("vocabulary", 50)), TOKENIZER))
                .hasMessageContaining("50").hasMessageContaining("300");
        assertThatThrownBy(() -> p.createForTokens(params(p, Map.of("width", 30, "heads", 4)), TOKENIZER))
                .hasMessageContaining("width").hasMessageContaining("multiple of heads");
        EncoderProvider mlp = registry().get("mlp");
        assertThatThrownBy(() -> mlp.createForTokens(params(mlp, Map.of()), TOKENIZER))
                .isInstanceOf(PretextException.class).hasMessageContaining("'mlp' does not take token sequences");
    }
}
