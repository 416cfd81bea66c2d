package org.pretext.datasets.cifar;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the CIFAR binary files are: CIFAR-10's {@code data_batch_1.bin} … {@code data_batch_5.bin}
 * and {@code test_batch.bin} (records of 1 label byte + 3072 pixel bytes), or CIFAR-100's
 * {@code train.bin} and {@code test.bin} (records of a coarse and a fine label byte + 3072 pixel
 * bytes), in the folder given or in its {@code cifar-10-batches-bin}/{@code cifar-100-binary}
 * subfolder (the folders the official archives unpack to).
 *
 * @param hundred whether this is CIFAR-100
 * @param dir the folder holding the files
 * @param train the training files in order
 * @param test the test file
 */
public record CifarFiles(boolean hundred, Path dir, List<Path> train, Path test) {
    /** Pixel bytes per image: 3 × 32 × 32, red plane then green then blue, rows top to bottom. */
    public static final int PIXELS = 3 * 32 * 32;

    /** Bytes per record. */
    public int recordSize() {
        return (hundred ? 2 : 1) + PIXELS;
    }

    /** The CIFAR files in or under a folder, if it holds them. */
    public static Optional<CifarFiles> find(Path path) {
        if (!Files.isDirectory(path)) {
            return Optional.empty();
        }
        for (Path dir : List.of(path, path.resolve("cifar-10-batches-bin"), path.resolve("cifar-100-binary"))) {
            if (Files.isRegularFile(dir.resolve("data_batch_1.bin")) || Files.isRegularFile(dir.resolve("test_batch.bin"))) {
                List<Path> train = new ArrayList<>();
                for (int i = 1; Files.isRegularFile(dir.resolve("data_batch_" + i + ".bin")); i++) {
                    train.add(dir.resolve("data_batch_" + i + ".bin"));
                }
                return Optional.of(new CifarFiles(false, dir, train, dir.resolve("test_batch.bin")));
            }
            if (Files.isRegularFile(dir.resolve("train.bin")) && Files.isRegularFile(dir.resolve("test.bin"))) {
                return Optional.of(new CifarFiles(true, dir, List.of(dir.resolve("train.bin")), dir.resolve("test.bin")));
            }
        }
        return Optional.empty();
    }

    /** What {@link #find} looks for, for messages. */
    public static String expected() {
        return "CIFAR-10 binaries (data_batch_1.bin ... data_batch_5.bin, test_batch.bin) or CIFAR-100 binaries"
                + " (train.bin, test.bin), directly or in cifar-10-batches-bin/ or cifar-100-binary/";
    }
}
