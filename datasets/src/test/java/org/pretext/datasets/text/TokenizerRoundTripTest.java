package org.pretext.datasets.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.text.Tokenizer;
import org.pretext.text.Tokenizers;

class TokenizerRoundTripTest {
    private static final String CORPUS = "First Citizen:\nBefore we proceed any further, hear me speak.\n\n"
            + "All:\nSpeak, speak.\n\nFirst Citizen:\nYou are all resolved rather to die than to famish?\n";

    static List<Tokenizer> tokenizers() {
        return List.of(CharTokenizer.fit(CORPUS), BpeTrainer.train(CORPUS, 300));
    }

    @Test
    void roundTripsRandomUnicodeIncludingUnseenCharacters() {
        SplittableRandom r = new SplittableRandom(2024);
        List<String> samples = new ArrayList<>(List.of("", "a", "\n", "héllo wörld", "日本語のテキスト",
                "emoji 👍🏽 family 👨‍👩‍👧‍👦 flag 🇫🇷", "combining e\u0301 and \u0000 NUL and \uFFFD", "Ω≈ç√∫˜µ≤≥÷",
                "   spaces\t\ttabs\r\nwindows ", "'s 'll 've 're 123 4567 ...!!!"));
        for (int i = 0; i < 300; i++) {
            samples.add(randomString(r, 1 + r.nextInt(40)));
        }
        for (Tokenizer t : tokenizers()) {
            for (String s : samples) {
                int[] ids = t.encode(s);
                for (int id : ids) {
                    assertThat(id).isBetween(0, t.vocabularySize() - 1);
                    assertThat(t.isSpecial(id)).as("encode never gives specials").isFalse();
                }
                assertThat(t.decode(ids)).as("%s round trip of %s", t.kind(), s).isEqualTo(s);
            }
        }
    }

    /** Random valid code points from all planes (no surrogates), ASCII-heavy. */
    static String randomString(SplittableRandom r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(4);
            int cp;
            if (kind == 0) {
                cp = 32 + r.nextInt(95);
            } else if (kind == 1) {
                cp = 0x1F300 + r.nextInt(0x300); // emoji
            } else {
                do {
                    cp = r.nextInt(0x110000);
                } while (cp >= 0xD800 && cp <= 0xDFFF);
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    @Test
    void charTokenizerGivesSeenCharactersOneTokenAndUnseenOnesTheirBytesInHex() {
        CharTokenizer t = CharTokenizer.fit("ba");
        // pad 0, mask 1, nibbles 2..17, then 'a' 18, 'b' 19
        assertThat(t.vocabularySize()).isEqualTo(20);
        assertThat(t.encode("abba")).containsExactly(18, 19, 19, 18);
        // 'é' is unseen: its UTF-8 bytes C3 A9 become the nibbles C, 3, A, 9
        assertThat(t.encode("aé")).containsExactly(18, 2 + 0xC, 2 + 0x3, 2 + 0xA, 2 + 0x9);
        assertThat(t.decode(new int[] {18, 0, 1, 19})).isEqualTo("ab"); // specials skipped
        // a lone nibble or an invalid byte (possible in sampled text) becomes U+FFFD rather than an error
        assertThat(t.decode(new int[] {2 + 0xA, 18})).isEqualTo("\uFFFDa");
        assertThat(t.decode(new int[] {2 + 0xA, 2 + 0x9, 18})).isEqualTo("\uFFFDa");
        assertThatThrownBy(() -> t.decode(new int[] {20})).hasMessageContaining("20");
    }

    @Test
    void bpeLearnsTheMergesWorkedOutByHand() {
        // Pre-tokens of "ab ab ab": "ab" once and " ab" twice. Pair counts: (a,b) 3, (' ',a) 2.
        // Merge 0: a+b -> 258 ("ab"). Then " ab" is (' ', 258) twice -> merge 1: 259 (" ab"). Then no pair
        // occurs twice, so training stops at 260 tokens even though 300 were allowed.
        BpeTokenizer t = BpeTrainer.train("ab ab ab", 300);
        int a = 2 + 'a';
        int b = 2 + 'b';
        int space = 2 + ' ';
        assertThat(t.merges()).isDeepEqualTo(new int[][] {{a, b}, {space, 258}});
        assertThat(t.vocabularySize()).isEqualTo(260);
        assertThat(t.encode("ab ab")).containsExactly(258, 259);
        assertThat(t.encode("abab")).containsExactly(258, 258);
        assertThat(t.encode(" a")).containsExactly(space, a);
        assertThat(new String(t.bytesOf(259), StandardCharsets.UTF_8)).isEqualTo(" ab");
    }

    @Test
    void bpeStopsAtTheTargetSizeAndIsDeterministic() {
        String corpus = CORPUS.repeat(3);
        BpeTokenizer t1 = BpeTrainer.train(corpus, 270);
        BpeTokenizer t2 = BpeTrainer.train(corpus, 270);
        assertThat(t1.vocabularySize()).isEqualTo(270);
        assertThat(t1.fingerprint()).isEqualTo(t2.fingerprint());
        assertThat(t1.encode(CORPUS).length).isLessThan(CORPUS.length());
    }

    @Test
    void plainDataReadsBackTheSameTokenizer() {
        for (Tokenizer t : tokenizers()) {
            Tokenizer back = Tokenizers.read(t.toBytes(), "test");
            assertThat(back.getClass()).isEqualTo(t.getClass());
            assertThat(back.fingerprint()).isEqualTo(t.fingerprint());
            assertThat(back.vocabularySize()).isEqualTo(t.vocabularySize());
            assertThat(back.encode(CORPUS)).containsExactly(t.encode(CORPUS));
        }
    }

    @Test
    void malformedDataIsRefusedNamingTheSource() {
        assertThatThrownBy(() -> Tokenizers.read("not json".getBytes(StandardCharsets.UTF_8), "ckpt-7"))
                .isInstanceOf(PretextException.class).hasMessageContaining("ckpt-7");
        assertThatThrownBy(() -> Tokenizers.read("{\"kind\":\"nope\"}".getBytes(StandardCharsets.UTF_8), "ckpt-7"))
                .isInstanceOf(PretextException.class).hasMessageContaining("nope").hasMessageContaining("char");
        assertThatThrownBy(() -> Tokenizers.read(
                "{\"kind\":\"bpe\",\"version\":1,\"pattern\":\"x\",\"merges\":[[5,900]]}".getBytes(StandardCharsets.UTF_8),
                "ckpt-7")).isInstanceOf(PretextException.class).hasMessageContaining("ckpt-7")
                .hasMessageContaining("merge 0");
        assertThatThrownBy(() -> Tokenizers.read(
                "{\"kind\":\"char\",\"version\":2,\"codePoints\":[\"a\"]}".getBytes(StandardCharsets.UTF_8), "ckpt-7"))
                .isInstanceOf(PretextException.class).hasMessageContaining("codePoints[0]");
    }
}
