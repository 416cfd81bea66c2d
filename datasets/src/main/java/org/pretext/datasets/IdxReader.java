package org.pretext.datasets;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.pretext.PretextException;

/**
 * Reads the IDX format of MNIST-style files, gzip-compressed or not: a big-endian header (two
 * zero bytes, a type byte 0x08 for unsigned bytes, the number of dimensions, each dimension's
 * size), then the values. Every problem names the file and what was expected.
 */
public final class IdxReader {
    /** The values of an IDX file of unsigned bytes, with its dimensions. */
    public record IdxArray(int[] dims, byte[] data) {
        /** Number of items (the first dimension). */
        public int count() {
            return dims[0];
        }

        /** Values per item (product of the other dimensions). */
        public int itemSize() {
            int n = 1;
            for (int i = 1; i < dims.length; i++) {
                n *= dims[i];
            }
            return n;
        }
    }

    private IdxReader() {}

    /** Reads a whole IDX file (by its name ending in .gz or not). */
    public static IdxArray read(Path file) {
        try (InputStream raw = Files.newInputStream(file)) {
            return read(raw, file.toString(), file.getFileName().toString().endsWith(".gz"));
        } catch (NoSuchFileException e) {
            throw new PretextException("IDX file " + file + " does not exist");
        } catch (IOException e) {
            throw new PretextException("IDX file " + file + " could not be read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads an IDX stream.
     *
     * @param name names the source in messages
     * @param gzip whether the stream is gzip-compressed
     */
    public static IdxArray read(InputStream raw, String name, boolean gzip) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                gzip ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16))) {
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                throw new PretextException("IDX file " + name + " is empty or shorter than its 4-byte header");
            }
            int type = (magic >>> 8) & 0xFF;
            int rank = magic & 0xFF;
            if ((magic >>> 16) != 0 || type != 0x08 || rank < 1 || rank > 4) {
                throw new PretextException(String.format("IDX file %s has header 0x%08X: expected 0x00000801 (labels)"
                        + " or 0x0000080N (unsigned-byte arrays of N dimensions, N from 1 to 4)", name, magic));
            }
            int[] dims = new int[rank];
            long total = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new PretextException("IDX file " + name + " declares a negative dimension " + dims[i]);
                }
                total *= dims[i];
            }
            if (total > Integer.MAX_VALUE - 16) {
                throw new PretextException("IDX file " + name + " declares " + total + " values, more than one array"
                        + " can hold; split it into smaller files");
            }
            // grown as the values arrive, never beyond the header's count: a small file whose header
            // declares two billion values is found truncated without two gigabytes allocated first
            byte[] data = new byte[(int) Math.min(total, 1 << 24)];
            int read = 0;
            while (read < total) {
                if (read == data.length) {
                    data = java.util.Arrays.copyOf(data, (int) Math.min(total, 2L * data.length));
                }
                int r = in.read(data, read, data.length - read);
                if (r < 0) {
                    break;
                }
                read += r;
            }
            if (read < total) {
                throw new PretextException("IDX file " + name + " is truncated: its header declares " + total
                        + " values but only " + read + " follow");
            }
            if (in.read() != -1) {
                throw new PretextException("IDX file " + name + " has more data than its header declares ("
                        + total + " values): the header disagrees with the file's size");
            }
            return new IdxArray(dims, data);
        } catch (EOFException e) {
            throw new PretextException("IDX file " + name + " is truncated inside its header or compressed data", e);
        } catch (ZipException e) {
            throw new PretextException("IDX file " + name + " is not valid gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new PretextException("IDX file " + name + " could not be read: " + e.getMessage(), e);
        }
    }
}
