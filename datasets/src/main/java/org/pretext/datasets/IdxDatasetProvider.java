package org.pretext.datasets;

import org.pretext.registry.ProviderBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.data.IndexedSplit;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * {@code idx}: any folder holding the four MNIST-style files ({@code train-images-idx3-ubyte.gz},
 * {@code train-labels-idx1-ubyte.gz}, {@code t10k-images-idx3-ubyte.gz},
 * {@code t10k-labels-idx1-ubyte.gz}), whatever images they hold: MNIST, Fashion-MNIST, KMNIST...
 */
public final class IdxDatasetProvider extends ProviderBase implements DatasetProvider {
    /** The folder. */
    public static final Param<String> DIR = Param.ofString("dir", null,
            "folder holding the four MNIST-style files " + IdxFiles.TRAIN_IMAGES + ", " + IdxFiles.TRAIN_LABELS
                    + ", " + IdxFiles.TEST_IMAGES + ", " + IdxFiles.TEST_LABELS + " (required)");
    /** Use only the first N training images (0: all). */
    public static final Param<Integer> TRAIN_LIMIT = Param.ofInt("train-limit", 0,
            "use only the first N training images (0: all)").atLeast(0);
    /** Use only the first N test images (0: all). */
    public static final Param<Integer> TEST_LIMIT = Param.ofInt("test-limit", 0,
            "use only the first N test images (0: all)").atLeast(0);

    public IdxDatasetProvider() {
        super(Versions.SPI_VERSION, "idx", "A folder of MNIST-style IDX files (train-/t10k- images and labels, .gz)",
                List.of(DIR, TRAIN_LIMIT, TEST_LIMIT));
    }

    @Override
    public Dataset open(ParamValues params) {
        String dir = params.get(DIR);
        if (dir == null || dir.isBlank()) {
            throw new PretextException("Dataset 'idx' needs parameter 'dir': the folder holding "
                    + IdxFiles.TRAIN_IMAGES + " and the three other MNIST-style files");
        }
        return open(Path.of(dir), params.get(TRAIN_LIMIT), params.get(TEST_LIMIT));
    }

    /** Opens a folder of the four files. */
    public static Dataset open(Path dir, int trainLimit, int testLimit) {
        if (!Files.isDirectory(dir)) {
            throw new PretextException("Dataset folder " + dir + " does not exist or is not a folder");
        }
        Map<String, String> sums = new LinkedHashMap<>();
        sums.put("source", dir.toAbsolutePath().normalize().toString());
        IndexedSplit train = IdxImages.load(
                IdxImages.readWithChecksum(dir.resolve(IdxFiles.TRAIN_IMAGES), sums), dir.resolve(IdxFiles.TRAIN_IMAGES).toString(),
                IdxImages.readWithChecksum(dir.resolve(IdxFiles.TRAIN_LABELS), sums), dir.resolve(IdxFiles.TRAIN_LABELS).toString(),
                trainLimit);
        IndexedSplit test = IdxImages.load(
                IdxImages.readWithChecksum(dir.resolve(IdxFiles.TEST_IMAGES), sums), dir.resolve(IdxFiles.TEST_IMAGES).toString(),
                IdxImages.readWithChecksum(dir.resolve(IdxFiles.TEST_LABELS), sums), dir.resolve(IdxFiles.TEST_LABELS).toString(),
                testLimit);
        if (!train.exampleShape().equals(test.exampleShape())) {
            throw new PretextException("In " + dir + " the training images have shape " + train.exampleShape()
                    + " but the test images " + test.exampleShape() + ": expected the same shape");
        }
        String name = dir.toAbsolutePath().normalize().getFileName() == null ? dir.toString()
                : dir.toAbsolutePath().normalize().getFileName().toString();
        return new LabelledImageDataset(name, train, test, sums);
    }

    private static final List<String> FILES = List.of(IdxFiles.TRAIN_IMAGES, IdxFiles.TRAIN_LABELS,
            IdxFiles.TEST_IMAGES, IdxFiles.TEST_LABELS);

    /** A folder holding the four files, or one of the four files in such a folder. */
    @Override
    public boolean recognises(Path path) {
        return folder(path) != null;
    }

    @Override
    public Map<String, Object> parametersFor(Path path) {
        return Map.of(DIR.name(), folder(path).toAbsolutePath().normalize().toString());
    }

    private static Path folder(Path path) {
        Path dir = Files.isDirectory(path) ? path
                : FILES.contains(String.valueOf(path.getFileName())) ? path.toAbsolutePath().getParent() : null;
        return dir != null && FILES.stream().allMatch(n -> Files.isRegularFile(dir.resolve(n))) ? dir : null;
    }
}
