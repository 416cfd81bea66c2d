package org.pretext.datasets.text;

import org.pretext.registry.ProviderBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.data.DatasetProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.text.Tokenizer;

/**
 * {@code sentences}: a labelled sentence set, a training and a test file (TSV or CSV with a header)
 * in one folder, as GLUE's SST-2 ({@code train.tsv}, {@code dev.tsv}: {@code sentence<TAB>label}).
 * Pretraining reads the training sentences one per line, labels unused; the tokenizer is fitted on
 * them; the test sentences' text is the held-out text of the validation loss. The probe's labelled
 * splits are the training and test sentences as token rows.
 */
public class SentencesDatasetProvider extends ProviderBase implements DatasetProvider {
    /** The training file. */
    public static final Param<String> TRAIN = Param.ofString("train", "train.tsv",
            "training file (.tsv or .csv with a header), relative to path");
    /** The test file. */
    public static final Param<String> TEST = Param.ofString("test", "dev.tsv",
            "labelled test file (.tsv or .csv with a header), relative to path");
    /** Sentence column. */
    public static final Param<String> TEXT_COLUMN = Param.ofString("text-column", "sentence",
            "header name of the sentence column");
    /** Label column. */
    public static final Param<String> LABEL_COLUMN = Param.ofString("label-column", "label",
            "header name of the label column");
    private final Param<String> path;

    public SentencesDatasetProvider() {
        this("sentences", "Labelled sentences (TSV/CSV with a header: train and test files in a folder), e.g. SST-2",
                (String) null);
    }

    /** A provider under another name and description with a default folder (e.g. {@code sst2}). */
    protected SentencesDatasetProvider(String name, String description, String defaultPath) {
        this(name, description, Param.ofString("path", defaultPath, "folder holding the training and test files"
                + (defaultPath == null ? " (required)" : "")));
    }

    private SentencesDatasetProvider(String name, String description, Param<String> path) {
        super(Versions.SPI_VERSION, name, description,
                List.of(path, TRAIN, TEST, TEXT_COLUMN, LABEL_COLUMN, TextParams.TOKENIZER, TextParams.VOCABULARY,
                        TextParams.WINDOWS_PER_EPOCH));
        this.path = path;
    }

    @Override
    public TokenizedTextDataset open(ParamValues p) {
        String dir = TextParams.require(p.get(path), "path", name(), "the folder holding the sentence files");
        return open(name(), Path.of(dir), p.get(TRAIN), p.get(TEST), p.get(TEXT_COLUMN), p.get(LABEL_COLUMN),
                p.get(TextParams.TOKENIZER), p.get(TextParams.VOCABULARY), p.get(TextParams.WINDOWS_PER_EPOCH));
    }

    /** Opens a labelled sentence set from code. */
    public static TokenizedTextDataset open(String name, Path dir, String trainFile, String testFile, String textColumn,
            String labelColumn, String tokenizer, int vocabularySize, long windowsPerEpoch) {
        if (!Files.isDirectory(dir)) {
            throw new PretextException("The sentence folder " + dir + " does not exist or is not a folder");
        }
        SentenceTable train = SentenceTable.read(dir.resolve(trainFile), textColumn, labelColumn);
        SentenceTable test = SentenceTable.read(dir.resolve(testFile), textColumn, labelColumn);
        List<String> classes = TokenizedTextDataset.classNames(train.labels(), train.file().toString(),
                test.labels(), test.file().toString());
        String pretrainText = String.join("\n", train.sentences()) + "\n";
        String validationText = String.join("\n", test.sentences()) + "\n";
        Tokenizer tok = TextParams.fit(tokenizer, pretrainText, vocabularySize);
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("source", dir.toAbsolutePath().normalize().toString());
        prov.put(train.file().toString(), train.sha256());
        prov.put(test.file().toString(), test.sha256());
        return new TokenizedTextDataset(name + ":" + dir.getFileName(), tok, pretrainText, validationText,
                TokenizedTextDataset.sentenceRows(tok, train.sentences(),
                        TokenizedTextDataset.indices(train.labels(), classes), classes),
                TokenizedTextDataset.sentenceRows(tok, test.sentences(),
                        TokenizedTextDataset.indices(test.labels(), classes), classes),
                prov, windowsPerEpoch);
    }
}
