package org.pretext.datasets.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/**
 * Small files that declare huge images, in every format the image reader takes: a complete,
 * valid PNG (every row deflated after a full flush, so one row's compressed bytes repeat; about
 * 1.6 MB for 20000 × 20000 RGB), and JPEG, BMP, GIF and TIFF files written by ImageIO at 4 × 4
 * whose headers are then rewritten to the huge size (their pixel data is short, as a hostile file's
 * would be), and a WBMP header.
 */
final class HugeImages {
    private HugeImages() {}

    /** A valid w × h 8-bit RGB PNG of black pixels. */
    static byte[] png(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        byte[] row = new byte[1 + 3 * w]; // filter byte 0, then black pixels
        Deflater d = new Deflater(9);
        byte[] buf = new byte[row.length + 1024];
        d.setInput(row);
        int first = d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH); // zlib header + one row
        byte[] head = Arrays.copyOf(buf, first);
        d.setInput(row);
        byte[] again = Arrays.copyOf(buf, d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH));
        d.end();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        z.write(head);
        for (int y = 1; y < h; y++) {
            z.write(again); // after a full flush the compressor starts afresh, so every row compresses alike
        }
        z.write(new byte[] {0x03, 0x00}); // a final fixed-Huffman block holding only end-of-block
        long n = (long) h * row.length; // Adler-32 of n zero bytes: A = 1, B = n
        z.write(ByteBuffer.allocate(4).putInt((int) (((n % 65521) << 16) | 1)).array());
        chunk(out, "IDAT", z.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] small(String format, int type) throws IOException {
        BufferedImage img = new BufferedImage(4, 4, type);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) {
            throw new IllegalStateException("no ImageIO writer for " + format);
        }
        return out.toByteArray();
    }

    /** A baseline JPEG whose SOF0 header says w × h. */
    static byte[] jpeg(int w, int h) throws IOException {
        byte[] b = small("jpeg", BufferedImage.TYPE_3BYTE_BGR);
        for (int i = 2; i + 8 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xC0) {
                ByteBuffer.wrap(b, i + 5, 4).putShort((short) h).putShort((short) w);
                return b;
            }
        }
        throw new IllegalStateException("no SOF0 marker");
    }

    /** A BMP whose info header says w × h. */
    static byte[] bmp(int w, int h) throws IOException {
        byte[] b = small("bmp", BufferedImage.TYPE_3BYTE_BGR);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(18, w).putInt(22, h);
        bb.putInt(34, 0); // image size: 0 is allowed for uncompressed data
        long rowBytes = (3L * w + 3) / 4 * 4;
        bb.putInt(2, (int) Math.min(0xFFFFFFFFL, bb.getInt(10) + rowBytes * h)); // the file size it claims
        return b;
    }

    /** A GIF whose screen and first image descriptor say w × h. */
    static byte[] gif(int w, int h) throws IOException {
        byte[] b = small("gif", BufferedImage.TYPE_BYTE_INDEXED);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.putShort(6, (short) w).putShort(8, (short) h);
        int flags = b[10] & 0xFF;
        int p = 13 + ((flags & 0x80) != 0 ? 3 << ((flags & 7) + 1) : 0);
        while (b[p] == 0x21) { // extensions: introducer, label, sub-blocks up to a zero length
            p += 2;
            while (b[p] != 0) {
                p += (b[p] & 0xFF) + 1;
            }
            p++;
        }
        if (b[p] != 0x2C) {
            throw new IllegalStateException("no image descriptor");
        }
        bb.putShort(p + 5, (short) w).putShort(p + 7, (short) h);
        return b;
    }

    /** A TIFF whose first IFD says w × h. */
    static byte[] tiff(int w, int h) throws IOException {
        byte[] b = small("tiff", BufferedImage.TYPE_3BYTE_BGR);
        ByteBuffer bb = ByteBuffer.wrap(b).order(b[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int ifd = bb.getInt(4);
        int entries = bb.getShort(ifd) & 0xFFFF;
        for (int e = 0; e < entries; e++) {
            int at = ifd + 2 + 12 * e;
            int tag = bb.getShort(at) & 0xFFFF;
            if (tag == 256 || tag == 257) {
                int value = tag == 256 ? w : h;
                if (bb.getShort(at + 2) == 3) {
                    bb.putShort(at + 8, (short) value);
                } else {
                    bb.putInt(at + 8, value);
                }
            }
        }
        return b;
    }

    /** A WBMP (type 0) header saying w × h, and a few bytes of pixels. */
    static byte[] wbmp(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(0);
        varint(out, w);
        varint(out, h);
        out.writeBytes(new byte[16]);
        return out.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, int v) {
        int groups = 1;
        while ((v >>> (7 * groups)) != 0) {
            groups++;
        }
        for (int g = groups - 1; g >= 0; g--) {
            out.write(((v >>> (7 * g)) & 0x7F) | (g > 0 ? 0x80 : 0));
        }
    }
}
