package org.pretext.datasets.text;

import java.util.Set;
import org.pretext.datasets.store.PathKinds;
import org.pretext.registry.ProviderBase;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.pretext.Versions;
import org.pretext.data.DatasetProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.text.Tokenizer;

/**
 * {@code text}: a plain UTF-8 text corpus (one file, or a folder of {@code .txt} files) for language
 * modelling. The first {@code 1 − validation-fraction} of the characters are the pretraining text
 * (the tokenizer is fitted on it), the rest the held-out text of the validation loss, as nanoGPT
 * splits Tiny Shakespeare 90/10. No labels.
 */
public final class TextDatasetProvider extends ProviderBase implements DatasetProvider {
    /** The file or folder. */
    public static final Param<String> PATH = Param.ofString("path", null,
            "a UTF-8 text file, or a folder whose .txt files are read in path order (required)");
    /** Held-out tail fraction. */
    public static final Param<Double> VALIDATION_FRACTION = Param.ofDouble("validation-fraction", 0.1,
            "fraction of the text, at its end, held out for the validation loss (0: none)").atLeast(0).atMost(0.5);

    public TextDatasetProvider() {
        super(Versions.SPI_VERSION, "text", "Plain UTF-8 text (a file or a folder of .txt files) for language modelling, last part held out",
                List.of(PATH, TextParams.TOKENIZER, TextParams.VOCABULARY, VALIDATION_FRACTION,
                TextParams.WINDOWS_PER_EPOCH));
    }

    @Override
    public TokenizedTextDataset open(ParamValues params) {
        String path = TextParams.require(params.get(PATH), "path", name(), "a UTF-8 text file or a folder of .txt files");
        return open(Path.of(path), params.get(TextParams.TOKENIZER), params.get(TextParams.VOCABULARY),
                params.get(VALIDATION_FRACTION), params.get(TextParams.WINDOWS_PER_EPOCH));
    }

    /**
     * Opens a text corpus from code.
     *
     * @param tokenizer "char", "bpe" or another tokenizer provider's name
     * @param vocabularySize target size for a learned tokenizer
     * @param validationFraction the held-out tail, in [0, 0.5]
     * @param windowsPerEpoch random windows per epoch, 0 for one pass
     */
    public static TokenizedTextDataset open(Path path, String tokenizer, int vocabularySize,
            double validationFraction, long windowsPerEpoch) {
        TextCorpus corpus = TextCorpus.read(path);
        String text = corpus.text();
        int cut = (int) (text.length() * (1 - validationFraction));
        if (cut > 0 && cut < text.length() && Character.isLowSurrogate(text.charAt(cut))) {
            cut--;
        }
        String pretrain = text.substring(0, cut);
        String validation = validationFraction > 0 ? text.substring(cut) : null;
        Tokenizer tok = TextParams.fit(tokenizer, pretrain, vocabularySize);
        Map<String, String> prov = new java.util.LinkedHashMap<>();
        prov.put("source", path.toAbsolutePath().normalize().toString());
        prov.putAll(corpus.files());
        prov.put("validationFraction", Double.toString(validationFraction));
        return new TokenizedTextDataset(path.getFileName().toString(), tok, pretrain, validation, null, null, prov,
                windowsPerEpoch);
    }

    /** A .txt file, or a folder of nothing but .txt files. */
    @Override
    public boolean recognises(Path path) {
        if (PathKinds.isFile(path, Set.of("txt"))) {
            return true;
        }
        List<Path> entries = PathKinds.entries(path);
        return !entries.isEmpty() && entries.stream().allMatch(p -> PathKinds.isFile(p, Set.of("txt")));
    }
}
