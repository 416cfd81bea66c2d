package org.pretext.encoders.vit;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import org.pretext.encoders.transformer.LearnedPositions;
import org.pretext.encoders.transformer.TransformerStack;

/**
 * A Vision Transformer (Dosovitskiy et al. 2021) on images (C, H, W): cut into p×p patches
 * (layout of {@link org.pretext.encoder.PatchEncoder}), each patch linearly embedded
 * (e = W·patch + b, the same as a p×p convolution of stride p), position embeddings added,
 * optionally a learned [CLS] token in front, then pre-norm transformer blocks and a final
 * LayerNorm ({@link TransformerStack}). The block maps images (B, C, H, W) to features (B, D):
 * the mean of the patch tokens' final states, or the [CLS] token's state.
 *
 * <p>{@link #hidden} runs the same network on any subset of patches given as pixel values with
 * their positions, so a masked autoencoder's encoder sees the visible patches only.
 */
public final class VisionTransformer extends AbstractBlock {
    private static final byte VERSION = 1;

    /** How the per-patch states become one feature vector. */
    public enum Pooling {
        /** Mean of the patch tokens' final states. */
        MEAN,
        /** The final state of a learned [CLS] token prepended to the patches. */
        CLS
    }

    private final int channels;
    private final int height;
    private final int width;
    private final int patch;
    private final int dim;
    private final Pooling pooling;
    private final Parameter patchWeight;
    private final Parameter patchBias;
    private final Parameter clsToken;
    private final Block positions;
    private final TransformerStack stack;

    /**
     * @param channels C
     * @param height H, a multiple of the patch size
     * @param width W, a multiple of the patch size
     * @param patch patch side p
     * @param dim model width D
     * @param depth number of transformer blocks
     * @param heads attention heads (divides D)
     * @param mlpRatio MLP width as a multiple of D
     * @param dropout dropout rate in the blocks
     * @param learnedPositions learned position embeddings (ViT) instead of fixed 2-D sine-cosine ones (MAE)
     * @param pooling mean of the patch states or a [CLS] token
     */
    public VisionTransformer(int channels, int height, int width, int patch, int dim, int depth, int heads,
            int mlpRatio, float dropout, boolean learnedPositions, Pooling pooling) {
        super(VERSION);
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.patch = patch;
        this.dim = dim;
        this.pooling = pooling;
        int patchValues = patch * patch * channels;
        patchWeight = addParameter(Parameter.builder().setName("patchWeight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(dim, patchValues))
                .optInitializer(new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                        XavierInitializer.FactorType.AVG, 3))
                .build());
        patchBias = addParameter(Parameter.builder().setName("patchBias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(dim)).build());
        clsToken = pooling == Pooling.CLS
                ? addParameter(Parameter.builder().setName("clsToken").setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(1, 1, dim)).optInitializer(new NormalInitializer(0.02f)).build())
                : null;
        int rows = height / patch;
        int cols = width / patch;
        positions = addChildBlock("positions", learnedPositions ? new LearnedPositions(rows * cols, dim)
                : new SinCosPositions(rows, cols, dim));
        stack = addChildBlock("stack", new TransformerStack(depth, dim, heads, mlpRatio, dropout));
    }

    /** Image channels C. */
    public int channels() {
        return channels;
    }

    /** Image height H. */
    public int imageHeight() {
        return height;
    }

    /** Image width W. */
    public int imageWidth() {
        return width;
    }

    /** How the token states become the features. */
    public Pooling pooling() {
        return pooling;
    }

    /** Patch side p. */
    public int patchSize() {
        return patch;
    }

    /** Patches per image. */
    public int patchCount() {
        return (height / patch) * (width / patch);
    }

    /** Values per patch, p·p·C. */
    public int patchValues() {
        return patch * patch * channels;
    }

    /** Model width D. */
    public int width() {
        return dim;
    }

    /**
     * Images (B, C, H', W') as patches (B, N', p·p·C) in the layout of {@code PatchEncoder}; H' and W'
     * are multiples of p (the configured size, or another one: see {@link #accepts}).
     */
    public NDArray patchify(NDArray images) {
        Shape s = images.getShape();
        long b = s.get(0);
        long rows = s.get(2) / patch;
        long cols = s.get(3) / patch;
        return images.reshape(b, channels, rows, patch, cols, patch).transpose(0, 2, 4, 3, 5, 1)
                .reshape(b, rows * cols, patchValues());
    }

    /**
     * Whether the block takes images of {@code shape} (C, H', W') as well as its own: the same C,
     * and H', W' positive multiples of the patch size. A grid other than the configured one gets
     * the position embeddings interpolated to it ({@link PositionInterpolation}), as DINO does for
     * its local crops.
     */
    public boolean accepts(Shape shape) {
        return shape.dimension() == 3 && shape.get(0) == channels && shape.get(1) >= patch && shape.get(2) >= patch
                && shape.get(1) % patch == 0 && shape.get(2) % patch == 0;
    }

    /**
     * Final hidden states of the patch tokens for the given patches only.
     *
     * @param patches (B, K, p·p·C) pixel values
     * @param positionIds (B, K) int patch indices, or null when the K = N patches are all of them in order
     * @return (B, K, D), without the [CLS] token
     */
    public NDArray hidden(ParameterStore store, NDArray patches, NDArray positionIds, boolean training) {
        NDArray h = tokens(store, patches, positionIds, training);
        return pooling == Pooling.CLS ? h.get(new NDIndex(":, 1:, :")) : h;
    }

    /**
     * Final hidden states of all N patch tokens when the embeddings of the masked patches are
     * replaced by a mask token before the positions are added (SimMIM's encoder input).
     *
     * @param patches (B, N, p·p·C) pixel values of every patch
     * @param mask (B, N) 1 for masked patches, 0 for visible ones
     * @param maskToken (B, 1, D) the token
     * @return (B, N, D), without the [CLS] token
     */
    public NDArray hiddenMasked(ParameterStore store, NDArray patches, NDArray mask, NDArray maskToken,
            boolean training) {
        Device d = patches.getDevice();
        NDArray e = Linear.linear(patches, store.getValue(patchWeight, d, training),
                store.getValue(patchBias, d, training)).singletonOrThrow();
        // e·(1 − w) + token·w: exactly the token where w = 1 and the patch's embedding where w = 0
        NDArray w = mask.expandDims(-1);
        NDArray mixed = e.mul(w.neg().add(1f)).add(maskToken.mul(w));
        NDArray h = run(store, positions.forward(store, new NDList(mixed), training).singletonOrThrow(), training);
        return pooling == Pooling.CLS ? h.get(new NDIndex(":, 1:, :")) : h;
    }

    /** Final states (B, K[+1], D) of the tokens, the [CLS] token first when there is one. */
    private NDArray tokens(ParameterStore store, NDArray patches, NDArray positionIds, boolean training) {
        Device d = patches.getDevice();
        NDArray e = Linear.linear(patches, store.getValue(patchWeight, d, training),
                store.getValue(patchBias, d, training)).singletonOrThrow();
        NDList in = positionIds == null ? new NDList(e) : new NDList(e, positionIds);
        return run(store, positions.forward(store, in, training).singletonOrThrow(), training);
    }

    /** Embeddings with positions (B, K, D) through the [CLS] token (if any) and the blocks. */
    private NDArray run(ParameterStore store, NDArray x, boolean training) {
        Device d = x.getDevice();
        if (clsToken != null) {
            NDManager m = x.getManager();
            NDArray cls = m.zeros(new Shape(x.getShape().get(0), 1, dim)).add(store.getValue(clsToken, d, training));
            x = cls.concat(x, 1);
        }
        return stack.run(store, x, null, training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray images = inputs.get(0);
        Shape in = images.getShape();
        NDArray h = in.get(2) == height && in.get(3) == width ? tokens(store, patchify(images), null, training)
                : resizedTokens(store, images, training);
        if (pooling == Pooling.CLS) {
            return new NDList(h.get(new NDIndex(":, 0, :")));
        }
        return new NDList(h.mean(new int[] {1}));
    }

    /**
     * Final token states of images whose grid of patches (H'/p × W'/p) differs from the configured
     * one: the patch embeddings plus the position table interpolated bicubically to that grid,
     * E' = M·E with M = kron(M_rows, M_cols) ({@link PositionInterpolation}); M is a constant of
     * the step, so the gradient reaches the table of learned positions through it.
     */
    private NDArray resizedTokens(ParameterStore store, NDArray images, boolean training) {
        Shape in = images.getShape();
        if (in.dimension() != 4 || !accepts(in.slice(1))) {
            throw new IllegalArgumentException("this vision transformer takes images (B, " + channels + ", H, W) with H"
                    + " and W multiples of its patch size " + patch + ", got " + in);
        }
        Device d = images.getDevice();
        NDArray e = Linear.linear(patchify(images), store.getValue(patchWeight, d, training),
                store.getValue(patchBias, d, training)).singletonOrThrow();
        NDArray table = positions instanceof LearnedPositions l ? l.table(store, d, training)
                : ((SinCosPositions) positions).table(store, d, training);
        int rows = (int) (in.get(2) / patch);
        int cols = (int) (in.get(3) / patch);
        NDArray m = PositionInterpolation.matrix(e.getManager(), height / patch, width / patch, rows, cols)
                .toType(org.pretext.engine.Scalars.creatableType(e), false);
        NDArray x = e.add(m.matMul(table));
        if (clsToken != null) {
            NDArray cls = x.getManager().zeros(new Shape(x.getShape().get(0), 1, dim), org.pretext.engine.Scalars.creatableType(x))
                    .add(store.getValue(clsToken, d, training));
            x = cls.concat(x, 1);
        }
        return stack.run(store, x, null, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), dim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long b = inputShapes[0].get(0);
        Shape tokens = new Shape(b, patchCount(), dim);
        positions.initialize(manager, dataType, tokens);
        stack.initialize(manager, dataType, tokens);
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (in.dimension() != 4 || in.get(1) != channels || in.get(2) != height || in.get(3) != width) {
            throw new IllegalArgumentException("this vision transformer takes images (B, " + channels + ", " + height
                    + ", " + width + "), got " + in);
        }
    }

    @Override
    public String toString() {
        return "VisionTransformer(patch=" + patch + ", width=" + dim + ", pooling=" + pooling + ", " + stack + ")";
    }
}
