package org.pretext.datasets.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.pretext.PretextException;
import org.pretext.data.Dataset;
import org.pretext.data.Split;

/**
 * A dataset made of stored example sets: the pretraining split is the training part without
 * labels; labelled data also has a labelled training split (where the probe draws its label
 * budgets) and a test split, either the source's own test part or a seeded stratified hold-out.
 *
 * @param name the dataset's name for reports
 * @param pretrain what pretraining reads
 * @param train labelled training examples, if any
 * @param test labelled test examples, if any
 * @param provenance files read with their checksums, split and storage
 */
public record SplitDataset(String name, Split pretrain, Optional<Split> train, Optional<Split> test,
        Map<String, String> provenance) implements Dataset {

    /**
     * Assembles a dataset.
     *
     * @param trainSet the training part, or the single set to be split
     * @param testSet the source's own test part, or null to hold out {@code testFraction} of each
     *     class of {@code trainSet}
     * @param provenance what was read; storage and split details are added
     */
    public static SplitDataset assemble(String name, ExampleSet trainSet, ExampleSet testSet, double testFraction,
            long splitSeed, Map<String, String> provenance) {
        Map<String, String> info = new LinkedHashMap<>(provenance);
        info.put("storage", trainSet.examples().storage());
        info.put("exampleShape", trainSet.examples().exampleShape().toString());
        if (!trainSet.labelled()) {
            info.put("labels", "none (pretraining only)");
            info.put("pretrainExamples", Long.toString(trainSet.examples().size()));
            return new SplitDataset(name, trainSet.view(null, null, null), Optional.empty(),
                    Optional.empty(), Collections.unmodifiableMap(info));
        }
        info.put("classes", Integer.toString(trainSet.classNames().size()));
        Split train;
        Split test;
        Split pretrain;
        if (testSet != null) {
            if (!testSet.labelled()) {
                throw new PretextException("Dataset " + name + ": the training part has labels but the test part"
                        + " has none: expected labels for both");
            }
            if (!testSet.examples().exampleShape().equals(trainSet.examples().exampleShape())) {
                throw new PretextException("Dataset " + name + ": training examples have shape "
                        + trainSet.examples().exampleShape() + " but test examples "
                        + testSet.examples().exampleShape() + ": expected the same shape");
            }
            pretrain = trainSet.view(null, null, null);
            train = trainSet.view(null, trainSet.labels(), trainSet.classNames());
            test = testSet.view(null, testSet.labels(), testSet.classNames());
            info.put("split", "the source's own train and test parts");
        } else {
            StratifiedSplit s = StratifiedSplit.of(trainSet.labels(), trainSet.classNames().size(), testFraction,
                    splitSeed);
            if (s.train().length == 0 || s.test().length == 0) {
                throw new PretextException("Dataset " + name + " has " + trainSet.labels().length
                        + " labelled examples, too few to hold out a test split: expected at least two examples"
                        + " in some class");
            }
            pretrain = trainSet.view(s.train(), null, null);
            train = trainSet.view(s.train(), StratifiedSplit.pick(trainSet.labels(), s.train()),
                    trainSet.classNames());
            test = trainSet.view(s.test(), StratifiedSplit.pick(trainSet.labels(), s.test()),
                    trainSet.classNames());
            info.put("split", "stratified hold-out, test-fraction=" + testFraction + ", split-seed=" + splitSeed);
        }
        info.put("trainExamples", Long.toString(train.size()));
        info.put("testExamples", Long.toString(test.size()));
        return new SplitDataset(name, pretrain, Optional.of(train), Optional.of(test),
                Collections.unmodifiableMap(info));
    }
}
