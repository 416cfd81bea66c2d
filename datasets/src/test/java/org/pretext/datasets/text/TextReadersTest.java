package org.pretext.datasets.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.Split;
import org.pretext.text.TokenWindowSplit;
import org.pretext.testing.SharedData;

class TextReadersTest {
    @TempDir
    Path dir;

    @Test
    void invalidUtf8IsReportedWithFileAndLine() throws IOException {
        Path f = dir.resolve("latin1.txt");
        byte[] text = "line one\nline two\ncaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(f, text);
        assertThatThrownBy(() -> TextCorpus.read(f)).isInstanceOf(PretextException.class)
                .hasMessageContaining(f + ":3:").hasMessageContaining("0xE9").hasMessageContaining("UTF-8");
    }

    @Test
    void emptyFilesAndFoldersWithoutTextAreErrors() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        assertThatThrownBy(() -> TextCorpus.read(empty)).hasMessageContaining(empty.toString())
                .hasMessageContaining("empty");
        Path sub = Files.createDirectory(dir.resolve("no-text"));
        Files.writeString(sub.resolve("notes.md"), "# not text");
        assertThatThrownBy(() -> TextCorpus.read(sub)).hasMessageContaining("no .txt files");
        assertThatThrownBy(() -> TextCorpus.read(dir.resolve("missing.txt"))).hasMessageContaining("does not exist");
    }

    @Test
    void aFolderIsReadInPathOrder() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("corpus"));
        Files.writeString(sub.resolve("b.txt"), "second");
        Files.writeString(sub.resolve("a.txt"), "\uFEFFfirst");
        TextCorpus c = TextCorpus.read(sub);
        assertThat(c.text()).isEqualTo("first\nsecond");
        assertThat(c.files()).hasSize(2);
    }

    @Test
    void tsvRowsWithTheWrongFieldCountNameFileAndLine() throws IOException {
        Path f = Files.writeString(dir.resolve("train.tsv"), "sentence\tlabel\ngood film\t1\n\nno label here\n");
        assertThatThrownBy(() -> SentenceTable.read(f, "sentence", "label")).isInstanceOf(PretextException.class)
                .hasMessageContaining(f + ":4:").hasMessageContaining("expected 2 fields");
        Path g = Files.writeString(dir.resolve("g.tsv"), "sentence\tlabel\ngood film\t \n");
        assertThatThrownBy(() -> SentenceTable.read(g, "sentence", "label")).hasMessageContaining(g + ":2:")
                .hasMessageContaining("label");
        Path h = Files.writeString(dir.resolve("h.tsv"), "text\tlabel\ngood\t1\n");
        assertThatThrownBy(() -> SentenceTable.read(h, "sentence", "label")).hasMessageContaining(h + ":1:")
                .hasMessageContaining("no column 'sentence'");
    }

    @Test
    void csvQuotingFollowsRfc4180() throws IOException {
        Path f = Files.writeString(dir.resolve("s.csv"),
                "label,sentence\r\n1,\"a, quoted \"\"sentence\"\"\nover two lines\"\r\n0,plain\n");
        SentenceTable t = SentenceTable.read(f, "sentence", "label");
        assertThat(t.sentences()).containsExactly("a, quoted \"sentence\"\nover two lines", "plain");
        assertThat(t.labels()).containsExactly("1", "0");
        Path bad = Files.writeString(dir.resolve("bad.csv"), "label,sentence\n1,\"never closed\n");
        assertThatThrownBy(() -> SentenceTable.read(bad, "sentence", "label")).hasMessageContaining(bad + ":2:")
                .hasMessageContaining("never closed");
    }

    @Test
    void textDatasetHoldsOutTheTailAndCutsWindows() throws IOException {
        String text = "abcdefghij".repeat(100); // 1000 characters
        Path f = Files.writeString(dir.resolve("t.txt"), text);
        TokenizedTextDataset d = TextDatasetProvider.open(f, "char", 0, 0.1, 0);
        assertThat(d.tokenizer().vocabularySize()).isEqualTo(18 + 10);
        TokenWindowSplit w = d.pretrainWindows(8);
        assertThat(w.exampleShape().get(0)).isEqualTo(9);
        assertThat(w.tokenCount()).isEqualTo(900);
        assertThat(w.size()).isEqualTo(899 / 8);
        Batch b = w.batches(BatchPlan.shuffled(4, 7, 0)).next();
        int[] ids = b.inputs().ints();
        String window = d.tokenizer().decode(java.util.Arrays.copyOf(ids, 9));
        assertThat(text).contains(window);
        // the same plan gives the same windows; another epoch others
        assertThat(w.batches(BatchPlan.shuffled(4, 7, 0)).next().inputs().ints()).containsExactly(ids);
        assertThat(w.batches(BatchPlan.shuffled(4, 7, 1)).next().inputs().ints()).isNotEqualTo(ids);
        TokenWindowSplit v = d.validationWindows(8).orElseThrow();
        assertThat(v.size()).isEqualTo(99 / 8);
        // sequential windows tile the held-out text with stride 8: every token but the first is a target once
        Iterator<Batch> it = v.batches(BatchPlan.sequential(100));
        int[] all = it.next().inputs().ints();
        for (int i = 0; i < v.size(); i++) {
            assertThat(d.tokenizer().decode(java.util.Arrays.copyOfRange(all, i * 9, i * 9 + 9)))
                    .isEqualTo(text.substring(900 + i * 8, 900 + i * 8 + 9));
        }
        assertThat(v.charactersPerToken()).isEqualTo(1.0);
    }

    @Test
    void sentencesBecomePaddedTokenRowsWithLabels() throws IOException {
        Files.writeString(dir.resolve("train.tsv"), "sentence\tlabel\na fine film \t1\nbad\t0\nok ok\t1\n");
        Files.writeString(dir.resolve("dev.tsv"), "sentence\tlabel\nfine\t1\nawful\t0\n");
        TokenizedTextDataset d = SentencesDatasetProvider.open("s", dir, "train.tsv", "dev.tsv", "sentence", "label",
                "char", 0, 0);
        Split train = d.train().orElseThrow();
        assertThat(train.size()).isEqualTo(3);
        assertThat(train.exampleShape().get(0)).isEqualTo("a fine film".length());
        assertThat(train.labels()).containsExactly(1, 0, 1);
        assertThat(train.classNames()).containsExactly("0", "1");
        int[] rows = train.batches(BatchPlan.sequential(3)).next().inputs().ints();
        assertThat(rows[11]).as("'bad' starts row 2").isEqualTo(d.tokenizer().encode("b")[0]);
        assertThat(rows[11 + 3]).as("then padding").isEqualTo(d.tokenizer().padId());
        assertThat(d.test().orElseThrow().labels()).containsExactly(1, 0);
        // the test sentences' text is held out for the validation loss ('awful' has unseen characters)
        assertThat(d.validationWindows(4)).isPresent();
        Files.writeString(dir.resolve("dev2.tsv"), "sentence\tlabel\nfine\t2\n");
        assertThatThrownBy(() -> SentencesDatasetProvider.open("s", dir, "train.tsv", "dev2.tsv", "sentence", "label",
                "char", 0, 0)).hasMessageContaining("'2'").hasMessageContaining("dev2.tsv");
    }

    @Test
    void readsSst2AsPublished() {
        Path sst2 = SharedData.require("sst2");
        TokenizedTextDataset d = SentencesDatasetProvider.open("sst2", sst2, "train.tsv", "dev.tsv", "sentence",
                "label", "char", 0, 0);
        Split train = d.train().orElseThrow();
        Split test = d.test().orElseThrow();
        assertThat(train.size()).isEqualTo(67_349);
        assertThat(test.size()).isEqualTo(872);
        long positives = java.util.Arrays.stream(train.labels()).filter(l -> l == 1).count();
        assertThat(positives).isEqualTo(37_569);
        assertThat(java.util.Arrays.stream(test.labels()).filter(l -> l == 1).count()).isEqualTo(444);
    }

    @Test
    void tinyShakespeareHas65Characters() {
        Path dirPath = SharedData.require("tinyshakespeare");
        TokenizedTextDataset d = TextDatasetProvider.open(dirPath.resolve("input.txt"), "char", 0, 0.1, 0);
        assertThat(d.tokenizer().vocabularySize()).isEqualTo(18 + 65);
        // nanoGPT: 1,003,854 training and 111,540 validation characters
        assertThat(d.pretrainWindows(64).tokenCount()).isEqualTo(1_003_854);
        assertThat(d.validationWindows(64).orElseThrow().tokenCount()).isEqualTo(111_540);
        List<String> names = List.of(d.provenance().keySet().toArray(new String[0]));
        assertThat(names).anyMatch(n -> n.endsWith("input.txt"));
    }
}
