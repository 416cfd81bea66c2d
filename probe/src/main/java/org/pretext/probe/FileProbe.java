package org.pretext.probe;

import java.nio.file.Path;
import java.util.List;
import org.pretext.PretextException;

/**
 * Judges features made by any other tool the same way as Pretext's own: the runner's
 * {@code probe --features TRAIN.npy --labels TRAIN_LABELS.npy --test-features TEST.npy
 * --test-labels TEST_LABELS.npy [--labels-per-class 10,all] --out DIR} calls
 * {@link #run(Path, Path, Path, Path, ProbeOptions)} and writes the returned entries, whose
 * {@code features} is {@value #FEATURES_NAME}, as the {@code probe} list of {@code DIR/report.json}.
 */
public final class FileProbe {
    /** The {@code features} name of results computed from files. */
    public static final String FEATURES_NAME = "file";

    private FileProbe() {}

    /**
     * Reads the four {@code .npy} files ({@link FeatureFiles}) and runs the {@link ProbeSuite}.
     *
     * @throws org.pretext.PretextException naming the file at fault for any bad input, or the class
     *     and its count when a label budget is larger than a class has
     */
    public static List<ProbeResult> run(Path trainFeatures, Path trainLabels, Path testFeatures, Path testLabels,
            ProbeOptions options) {
        return run(FEATURES_NAME, trainFeatures, trainLabels, testFeatures, testLabels, options);
    }

    /** As {@link #run(Path, Path, Path, Path, ProbeOptions)}, the results' {@code features} named {@code name}. */
    public static List<ProbeResult> run(String name, Path trainFeatures, Path trainLabels, Path testFeatures,
            Path testLabels, ProbeOptions options) {
        return run(name, trainFeatures, trainLabels, testFeatures, testLabels, options, 1);
    }

    /**
     * As {@link #run(String, Path, Path, Path, Path, ProbeOptions)}, up to {@code workers} draws at once
     * ({@link ProbeSuite#withWorkers}: the same numbers).
     */
    public static List<ProbeResult> run(String name, Path trainFeatures, Path trainLabels, Path testFeatures,
            Path testLabels, ProbeOptions options, int workers) {
        FeatureFiles.Loaded data = FeatureFiles.load(trainFeatures, trainLabels, testFeatures, testLabels);
        try {
            return new ProbeSuite(options).withWorkers(workers).run(name, data.train(), data.test(),
                    data.classNames());
        } catch (PretextException e) {
            throw new PretextException(e.getMessage() + " [training labels: " + trainLabels + "]", e);
        }
    }
}
