package org.pretext.transform;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apiguardian.api.API;
import org.pretext.PretextException;
import org.pretext.data.HostTensor;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;

/**
 * Multi-crop (Caron et al. 2020, SwAV; used by DINO): per example, {@code globalViews} views at the
 * input size and {@code localViews} smaller ones, each a random crop of a small part of the image
 * (area fraction in [localMinScale, localMaxScale], aspect ratio log-uniform in [3/4, 4/3]) resized
 * bilinearly (half-pixel centres, no antialiasing) to {@code localSize} × {@code localSize}, then
 * given the rest of the recipe (flip, jitter, noise…) at that size. Made on the prepare workers like
 * every view, each example with its own random stream, so one seed gives one batch on any thread.
 *
 * <p>The views come out as separate tensors, globals first: (B, C, H, W) ×
 * {@code globalViews}, then (B, C, s, s) × {@code localViews}. Only encoders that take the smaller
 * shape can train on them ({@link org.pretext.encoder.Encoder#acceptsInputShape});
 * {@link #checkEncoder} refuses the others at set-up, naming the encoder and the key.
 *
 * @param globalViews views at the input size (DINO and SwAV: 2)
 * @param localViews smaller views (0 turns multi-crop off)
 * @param localSize side s of the local views in pixels
 * @param localMinScale smallest area fraction of the image a local view covers
 * @param localMaxScale largest area fraction
 * @since 0.4
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.4")
public record MultiCrop(int globalViews, int localViews, int localSize, double localMinScale, double localMaxScale) {
    /** Number of local views. */
    public static final Param<Integer> LOCAL_CROPS = Param.ofInt("local-crops", 0,
            "multi-crop: local views per example besides the 2 global ones (DINO's code: 8, its best ViT-S run: 10);"
                    + " 0, none, by default, so that encoders of one fixed input shape (mlp) and vector data run;"
                    + " local views need encoder cnn-small or vit-tiny").atLeast(0).atMost(64);
    /** Side of the local views. */
    public static final Param<Integer> LOCAL_CROP_SIZE = Param.ofInt("local-crop-size", 12,
            "multi-crop: side of the local views in pixels (DINO: 96 for 224-pixel global views, 0.43 of the side;"
                    + " 12 for 28-pixel digits); a multiple of the ViT's patch size").atLeast(1);
    /** Smallest area fraction of a local view. */
    public static final Param<Double> LOCAL_MIN_SCALE = Param.ofDouble("local-crop-min-scale", 0.05,
            "multi-crop: smallest area fraction of the image a local view covers (DINO: 0.05)").above(0).atMost(1);
    /** Largest area fraction of a local view. */
    public static final Param<Double> LOCAL_MAX_SCALE = Param.ofDouble("local-crop-max-scale", 0.4,
            "multi-crop: largest area fraction of the image a local view covers (DINO: 0.4)").above(0).atMost(1);

    /** The four parameters, for a provider's list. */
    public static final List<Param<?>> PARAMS = List.of(LOCAL_CROPS, LOCAL_CROP_SIZE, LOCAL_MIN_SCALE,
            LOCAL_MAX_SCALE);

    public MultiCrop {
        if (globalViews < 1 || localViews < 0 || localSize < 1 || !(localMinScale > 0)
                || !(localMaxScale >= localMinScale) || localMaxScale > 1) {
            throw new IllegalArgumentException("multi-crop needs globalViews >= 1, localViews >= 0, localSize >= 1 and"
                    + " 0 < localMinScale <= localMaxScale <= 1, got " + globalViews + ", " + localViews + ", "
                    + localSize + ", " + localMinScale + ", " + localMaxScale);
        }
    }

    /** Multi-crop from a provider's values of {@link #PARAMS}, with {@code globalViews} global views. */
    public static MultiCrop of(ParamValues p, int globalViews) {
        double lo = p.get(LOCAL_MIN_SCALE);
        double hi = p.get(LOCAL_MAX_SCALE);
        p.require(hi >= lo, LOCAL_MAX_SCALE.name(), "at least " + LOCAL_MIN_SCALE.name() + " (" + lo + ")");
        return new MultiCrop(globalViews, p.get(LOCAL_CROPS), p.get(LOCAL_CROP_SIZE), lo, hi);
    }

    /** Every view per example, globals then locals. */
    public int views() {
        return globalViews + localViews;
    }

    /** Shape of one local view for images of {@code exampleShape} (C, H, W): (C, s, s). */
    public Shape localShape(Shape exampleShape) {
        return new Shape(exampleShape.get(0), localSize, localSize);
    }

    /**
     * Refuses, before anything trains, data and encoders that cannot take the local views: data that
     * are not images (C, H, W) at least {@code localSize} on a side, and an encoder whose
     * {@link org.pretext.encoder.Encoder#acceptsInputShape} is false for (C, s, s). The message names
     * the objective, the encoder and the key that asked for local crops. Nothing is checked when
     * {@code localViews} is 0.
     */
    public void checkEncoder(ObjectiveSetup setup, String objective) {
        if (localViews == 0) {
            return;
        }
        Shape example = setup.exampleShape();
        String asked = "objective." + LOCAL_CROPS.name() + "=" + localViews + " asks for local crops of " + localSize
                + "x" + localSize;
        if (example.dimension() != 3 || example.get(1) < localSize || example.get(2) < localSize) {
            throw new PretextException("Objective '" + objective + "': " + asked + ", but the data has examples of shape "
                    + example + "; multi-crop needs images (channels, height, width) at least " + localSize
                    + " on a side (set objective." + LOCAL_CROPS.name() + "=0 to train on the global views only)");
        }
        Shape local = localShape(example);
        if (!setup.encoder().acceptsInputShape(local)) {
            throw new PretextException("Objective '" + objective + "': " + asked + " (shape " + local + "), but "
                    + setup.encoderLabel() + " takes inputs of shape " + setup.encoder().inputShape() + " only: set"
                    + " objective." + LOCAL_CROPS.name() + "=0, or use an encoder that takes smaller images ('cnn-small',"
                    + " or 'vit-tiny' with " + LOCAL_CROP_SIZE.name() + " a multiple of its patch-size)");
        }
    }

    /**
     * The views of a batch (B, C, H, W): {@code globalViews} tensors made with {@code global} (the
     * recipe with its own crop), then {@code localViews} tensors (B, C, s, s), each example cropped
     * and resized here, then transformed by {@code local} (the recipe without its crop, built for
     * (C, s, s), e.g. {@link AugmentationParams#buildUncropped}). Each view of each example draws
     * from its own stream split from {@code random}.
     */
    public List<HostTensor> views(HostTensor batch, Augmentation global, Augmentation local, SplittableRandom random) {
        List<HostTensor> out = new ArrayList<>(views());
        for (int v = 0; v < globalViews; v++) {
            out.add(Views.augment(batch, global, random.split()));
        }
        if (localViews == 0) {
            return out;
        }
        Shape shape = batch.shape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException("multi-crop takes images (B, C, H, W), got " + shape);
        }
        int b = (int) shape.get(0);
        int c = (int) shape.get(1);
        int h = (int) shape.get(2);
        int w = (int) shape.get(3);
        int s = localSize;
        RandomResizedCrop boxes = new RandomResizedCrop(c, h, w, localMinScale, localMaxScale, 3.0 / 4.0, 4.0 / 3.0);
        float[] in = batch.floats();
        int size = c * h * w;
        int small = c * s * s;
        float[] src = new float[size];
        float[] crop = new float[small];
        for (int v = 0; v < localViews; v++) {
            SplittableRandom viewRandom = random.split();
            float[] values = new float[b * small];
            for (int i = 0; i < b; i++) {
                SplittableRandom r = viewRandom.split();
                System.arraycopy(in, i * size, src, 0, size);
                int[] box = boxes.box(r);
                resize(src, c, h, w, box[0], box[1], box[2], box[3], crop, s);
                local.apply(crop, crop, r);
                System.arraycopy(crop, 0, values, i * small, small);
            }
            out.add(HostTensor.of(values, new Shape(b, c, s, s)));
        }
        return out;
    }

    /**
     * Bilinear resize of the box (top, left, bh, bw) of every channel of an image (C, H, W) to
     * (C, s, s): half-pixel centres, sampling clamped to the box.
     */
    static void resize(float[] in, int c, int h, int w, int top, int left, int bh, int bw, float[] out, int s) {
        double sy = (double) bh / s;
        double sx = (double) bw / s;
        int[] x0 = new int[s];
        int[] x1 = new int[s];
        float[] fx = new float[s];
        for (int u = 0; u < s; u++) {
            double x = Math.max(left, Math.min(left + bw - 1, left + (u + 0.5) * sx - 0.5));
            x0[u] = (int) Math.floor(x);
            x1[u] = Math.min(x0[u] + 1, left + bw - 1);
            fx[u] = (float) (x - x0[u]);
        }
        for (int v = 0; v < s; v++) {
            double y = Math.max(top, Math.min(top + bh - 1, top + (v + 0.5) * sy - 0.5));
            int y0 = (int) Math.floor(y);
            int y1 = Math.min(y0 + 1, top + bh - 1);
            float fy = (float) (y - y0);
            for (int k = 0; k < c; k++) {
                int r0 = k * h * w + y0 * w;
                int r1 = k * h * w + y1 * w;
                int o = k * s * s + v * s;
                for (int u = 0; u < s; u++) {
                    float a = in[r0 + x0[u]] + (in[r0 + x1[u]] - in[r0 + x0[u]]) * fx[u];
                    float bb = in[r1 + x0[u]] + (in[r1 + x1[u]] - in[r1 + x0[u]]) * fx[u];
                    out[o + u] = a + (bb - a) * fy;
                }
            }
        }
    }
}
