package org.pretext.datasets.text;

/**
 * {@code sst2}: GLUE's SST-2 sentiment sentences ({@code train.tsv}, {@code dev.tsv} with
 * {@code sentence<TAB>label}), the {@code sentences} provider with SST-2's folder
 * ({@code ../shared/data/sst2} from a project checkout) as its default path.
 */
public final class Sst2DatasetProvider extends SentencesDatasetProvider {
    /** Where SST-2 lies relative to a Pretext checkout on the project's machines. */
    public static final String DEFAULT_PATH = "../shared/data/sst2";

    public Sst2DatasetProvider() {
        super("sst2", "SST-2 sentiment sentences (GLUE train.tsv / dev.tsv), labels 0 negative / 1 positive",
                DEFAULT_PATH);
    }
}
