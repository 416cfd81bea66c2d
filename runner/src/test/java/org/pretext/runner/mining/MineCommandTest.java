package org.pretext.runner.mining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.data.Split;
import org.pretext.datasets.text.SentencesDatasetProvider;
import org.pretext.datasets.text.TokenizedTextDataset;
import org.pretext.runner.Main;

class MineCommandTest {
    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) {}

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void minesATsvColumnWritesADatasetTheSentencesReaderReadsAndMeasuresPrecision() throws Exception {
        Path corpus = dir.resolve("corpus.tsv");
        Files.writeString(corpus, String.join("\n", "sentence\tlabel",
                "the acting is really terrible in places\t0",
                "the plot was boring from the start\t0",
                "the story is great for children\t1",
                "a wonderful film for a rainy day\t1",
                "the songs are fun to hear\t0", // a wrong label the patterns give: precision < 1
                "the songs are fun to hear\t0", // duplicate
                "a film about trains\t1",
                "the ending was dull\t0") + "\n");
        Path test = dir.resolve("dev.tsv");
        Files.writeString(test, "sentence\tlabel\nfine\t0\ngood\t1\n");
        Path out = dir.resolve("mined");
        Outcome o = run("mine", "--corpus", corpus.toString(), "--patterns", "../examples/mining/sentiment-patterns.yaml",
                "--out", out.toString(), "--gold-column", "label", "--test", test.toString(), "--seed", "3");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("class 0: 3 matched, 3 kept, precision 100.0 % (kept 100.0 %)"), o.out());
        assertTrue(o.out().contains("class 1: 3 matched, 3 kept, precision 66.7 % (kept 66.7 %)"), o.out());
        assertEquals(List.of("sentence\tlabel", "the acting in places\t0", "the plot from the start\t0",
                "the story for children\t1", "for a rainy day\t1", "the songs to hear\t1", "the ending\t0"),
                Files.readAllLines(out.resolve("train.tsv")));
        JsonObject j = JsonParser.parseString(Files.readString(out.resolve("mining.json"))).getAsJsonObject();
        assertEquals(8, j.get("rows").getAsInt());
        assertEquals(1, j.get("duplicates").getAsInt());
        assertEquals(5.0 / 6, j.getAsJsonObject("precisionKept").get("overall").getAsDouble(), 1e-12);
        assertEquals(3, j.getAsJsonObject("keptPerClass").get("1").getAsInt());

        // the folder is a 'sentences' dataset: the mined labels are its training split, dev.tsv its test split
        TokenizedTextDataset d = SentencesDatasetProvider.open("sentences", out, "train.tsv", "dev.tsv", "sentence",
                "label", "char", 1024, 0);
        Split train = d.train().orElseThrow();
        assertEquals(6, train.size());
        assertEquals(List.of("0", "1"), train.classNames());
        assertEquals(List.of(0, 0, 1, 1, 1, 0), java.util.Arrays.stream(train.labels()).boxed().toList());
        assertEquals(2, d.test().orElseThrow().size());

        // an existing output is not overwritten without --force
        Outcome again = run("mine", "--corpus", corpus.toString(), "--patterns",
                "../examples/mining/sentiment-patterns.yaml", "--out", out.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("train.tsv exists: choose another --out or add --force"), again.err());
    }

    @Test
    void balancesATextFileToPerClassWithTheSeed() throws Exception {
        Path corpus = dir.resolve("c.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            sb.append("review ").append(i).append(" says it was great\n");
            if (i < 12) {
                sb.append("review ").append(i).append(" thinks it was awful\n");
            }
        }
        Files.writeString(corpus, sb.toString());
        Outcome a = run("mine", "--corpus", corpus.toString(), "--patterns", "../examples/mining/sentiment-patterns.yaml",
                "--out", dir.resolve("a").toString(), "--per-class", "5", "--seed", "1");
        assertEquals(0, a.code(), a.err());
        List<String> rows = Files.readAllLines(dir.resolve("a/train.tsv"));
        assertEquals(11, rows.size());
        assertEquals(5, rows.stream().filter(r -> r.endsWith("\t0")).count());
        assertTrue(rows.stream().skip(1).allMatch(r -> r.matches("review \\d+ (says|thinks) it\t[01]")), rows.toString());
        run("mine", "--corpus", corpus.toString(), "--patterns", "../examples/mining/sentiment-patterns.yaml",
                "--out", dir.resolve("b").toString(), "--per-class", "5", "--seed", "1");
        assertEquals(rows, Files.readAllLines(dir.resolve("b/train.tsv")), "same seed, same dataset");
        run("mine", "--corpus", corpus.toString(), "--patterns", "../examples/mining/sentiment-patterns.yaml",
                "--out", dir.resolve("c").toString(), "--per-class", "5", "--seed", "2");
        assertTrue(!rows.equals(Files.readAllLines(dir.resolve("c/train.tsv"))), "another seed, another draw");
    }

    @Test
    void aBadPatternFileExitsTwoNamingTheLine() throws Exception {
        Path corpus = dir.resolve("c.txt");
        Files.writeString(corpus, "it was great\n");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "classes:\n  a:\n    patterns: ['(great']\n  b:\n    patterns: ['awful']\n");
        Outcome o = run("mine", "--corpus", corpus.toString(), "--patterns", bad.toString(), "--out",
                dir.resolve("o").toString());
        assertEquals(2, o.code());
        assertTrue(o.err().startsWith("error: " + bad + ":3: the pattern '(great' of class 'a' is not a valid regular"
                + " expression: Unclosed group"), o.err());
        assertTrue(!Files.exists(dir.resolve("o")), "nothing written");
        Outcome gold = run("mine", "--corpus", corpus.toString(), "--patterns",
                "../examples/mining/sentiment-patterns.yaml", "--out", dir.resolve("o").toString(), "--gold-column", "y");
        assertEquals(2, gold.code());
        assertTrue(gold.err().contains("--gold-column y needs a TSV or CSV corpus with a header"), gold.err());
    }
}
