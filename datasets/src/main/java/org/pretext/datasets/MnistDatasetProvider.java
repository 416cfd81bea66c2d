package org.pretext.datasets;

import org.pretext.registry.ProviderBase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.Versions;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.data.IndexedSplit;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code mnist}: the compact MNIST subset bundled in this jar, so the default run works offline
 * on a fresh machine: the first 10,000 training images and the full 10,000-image test set
 * (made by {@code datasets/tools/make_mnist_subset.py}). For all of MNIST use {@code idx}.
 */
public final class MnistDatasetProvider extends ProviderBase implements DatasetProvider {
    private static final String BASE = "/org/pretext/datasets/mnist/";
    /** Use only the first N training images (0: all 10,000). */
    public static final Param<Integer> TRAIN_LIMIT = Param.ofInt("train-limit", 0,
            "use only the first N of the 10,000 bundled training images (0: all)").atLeast(0);
    /** Use only the first N test images (0: all 10,000). */
    public static final Param<Integer> TEST_LIMIT = Param.ofInt("test-limit", 0,
            "use only the first N of the 10,000 test images (0: all)").atLeast(0);

    public MnistDatasetProvider() {
        super(Versions.SPI_VERSION, "mnist", "MNIST subset bundled with Pretext: 10,000 training and 10,000 test digits (28x28)",
                List.of(TRAIN_LIMIT, TEST_LIMIT));
    }

    @Override
    public Dataset open(ParamValues params) {
        return open(params.get(TRAIN_LIMIT), params.get(TEST_LIMIT));
    }

    /** Opens the bundled subset. */
    public static Dataset open(int trainLimit, int testLimit) {
        Map<String, String> sums = new LinkedHashMap<>();
        sums.put("source", "bundled MNIST subset (first 10,000 training images, full test set)");
        IndexedSplit train = IdxImages.load(
                IdxImages.readResource(BASE + IdxFiles.TRAIN_IMAGES, sums), BASE + IdxFiles.TRAIN_IMAGES,
                IdxImages.readResource(BASE + IdxFiles.TRAIN_LABELS, sums), BASE + IdxFiles.TRAIN_LABELS, trainLimit);
        IndexedSplit test = IdxImages.load(
                IdxImages.readResource(BASE + IdxFiles.TEST_IMAGES, sums), BASE + IdxFiles.TEST_IMAGES,
                IdxImages.readResource(BASE + IdxFiles.TEST_LABELS, sums), BASE + IdxFiles.TEST_LABELS, testLimit);
        return new LabelledImageDataset("mnist", train, test, sums);
    }
}
