package org.pretext.datasets.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DecodeProgressTest {
    @Test
    void printsAtMostEveryIntervalWithTheTimeLeft() {
        long[] clock = {0};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DecodeProgress p = new DecodeProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), "train", 1000, 10,
                () -> clock[0]);
        clock[0] = 4_000_000_000L;
        p.update(100); // 4 s: too soon
        clock[0] = 10_000_000_000L;
        p.update(250); // 10 s: a line, 250 of 1000 done in 10 s, so 30 s left
        clock[0] = 15_000_000_000L;
        p.update(400); // 5 s after the last line: quiet
        clock[0] = 20_000_000_000L;
        p.update(1000); // done: no time left shown
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "decoding images (train): 250 of 1000 files, 10.0 s, about 30 s left",
                "decoding images (train): 1000 of 1000 files, 20.0 s");
    }
}
