package org.pretext.datasets;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.data.IndexedSplit;

/** Images and labels from a pair of IDX files, as a labelled split of grey images (1, H, W) in [0, 1]. */
final class IdxImages {
    private IdxImages() {}

    /** The bytes of a file with its SHA-256 recorded into {@code checksums}. */
    static IndexedSplit load(IdxReader.IdxArray images, String imagesName, IdxReader.IdxArray labels,
            String labelsName, int limit) {
        int[] d = images.dims();
        if (d.length != 3) {
            throw new PretextException("IDX file " + imagesName + " holds arrays of " + d.length
                    + " dimensions: expected images (count, height, width)");
        }
        if (labels.dims().length != 1) {
            throw new PretextException("IDX file " + labelsName + " holds arrays of " + labels.dims().length
                    + " dimensions: expected labels (count)");
        }
        if (labels.count() != images.count()) {
            throw new PretextException("IDX file " + labelsName + " holds " + labels.count() + " labels but "
                    + imagesName + " holds " + images.count() + " images: expected one label per image");
        }
        int n = limit > 0 ? Math.min(limit, images.count()) : images.count();
        if (n == 0) {
            throw new PretextException("IDX file " + imagesName + " holds no images: expected at least one");
        }
        int size = images.itemSize();
        float[] x = new float[n * size];
        byte[] src = images.data();
        for (int i = 0; i < x.length; i++) {
            x[i] = (src[i] & 0xFF) / 255f;
        }
        int[] y = new int[n];
        int classes = 0;
        for (int i = 0; i < n; i++) {
            y[i] = labels.data()[i] & 0xFF;
            classes = Math.max(classes, y[i] + 1);
        }
        return IndexedSplit.ofFloats(x, new Shape(1, d[1], d[2]), y, IndexedSplit.numberedClasses(classes));
    }

    /** Reads a file's IDX content and records its SHA-256 under its name. */
    static IdxReader.IdxArray readWithChecksum(Path file, Map<String, String> checksums) {
        try (InputStream raw = Files.newInputStream(file);
                DigestInputStream in = new DigestInputStream(raw, MessageDigest.getInstance("SHA-256"))) {
            IdxReader.IdxArray a = IdxReader.read(in, file.toString(), file.getFileName().toString().endsWith(".gz"));
            checksums.put(file.getFileName().toString(), HexFormat.of().formatHex(in.getMessageDigest().digest()));
            return a;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PretextException("IDX file " + file + " does not exist: expected the four MNIST-style files "
                    + List.of(IdxFiles.TRAIN_IMAGES, IdxFiles.TRAIN_LABELS, IdxFiles.TEST_IMAGES, IdxFiles.TEST_LABELS)
                    + " in " + file.getParent());
        } catch (IOException e) {
            throw new PretextException("IDX file " + file + " could not be read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Same for a class-path resource. */
    static IdxReader.IdxArray readResource(String resource, Map<String, String> checksums) {
        try (InputStream raw = IdxImages.class.getResourceAsStream(resource)) {
            if (raw == null) {
                throw new PretextException("bundled data " + resource + " is missing from the pretext-datasets jar");
            }
            DigestInputStream in = new DigestInputStream(raw, MessageDigest.getInstance("SHA-256"));
            IdxReader.IdxArray a = IdxReader.read(in, resource, true);
            checksums.put(resource.substring(resource.lastIndexOf('/') + 1),
                    HexFormat.of().formatHex(in.getMessageDigest().digest()));
            return a;
        } catch (IOException e) {
            throw new PretextException("bundled data " + resource + " could not be read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
