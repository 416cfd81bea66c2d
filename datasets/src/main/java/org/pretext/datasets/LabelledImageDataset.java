package org.pretext.datasets;

import java.util.Map;
import java.util.Optional;
import org.pretext.data.Dataset;
import org.pretext.data.IndexedSplit;
import org.pretext.data.Split;

/** A dataset of labelled train and test splits; pretraining reads the train images without labels. */
record LabelledImageDataset(String name, IndexedSplit trainSplit, IndexedSplit testSplit,
        Map<String, String> provenance) implements Dataset {
    @Override
    public Split pretrain() {
        return trainSplit.unlabelled();
    }

    @Override
    public Optional<Split> train() {
        return Optional.of(trainSplit);
    }

    @Override
    public Optional<Split> test() {
        return Optional.of(testSplit);
    }
}
