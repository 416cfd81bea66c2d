package org.pretext.export.onnx;

import ai.djl.nn.Block;
import org.pretext.encoders.transformer.TransformerStack;
import org.pretext.encoders.vit.VisionTransformer;
import org.pretext.export.onnx.proto.OnnxProto.AttributeProto;

/**
 * Pretext's {@link VisionTransformer}: images (B, C, H, W) cut into p×p patches (Reshape and
 * Transpose in the layout of {@code VisionTransformer.patchify}), the patch embedding, the
 * position table (learned or sine-cosine, an initializer either way), an optional [CLS] token
 * expanded over the batch, the transformer trunk, and mean or [CLS] pooling.
 */
final class VitEmitter implements BlockEmitter {
    @Override
    public boolean accepts(Block block) {
        return block instanceof VisionTransformer;
    }

    @Override
    public String emit(Block block, String input, OnnxGraph graph, BlockWalker walker) {
        VisionTransformer vit = (VisionTransformer) block;
        int p = vit.patchSize();
        int c = vit.channels();
        long rows = vit.imageHeight() / p;
        long cols = vit.imageWidth() / p;
        int dim = vit.width();
        String grid = graph.node("Reshape", input, graph.longs("grid_shape", 0, c, rows, p, cols, p));
        String moved = graph.node("Transpose",
                new AttributeProto[] {OnnxGraph.attr("perm", new long[] {0, 2, 4, 3, 5, 1})}, grid);
        String patches = graph.node("Reshape", moved, graph.longs("patches_shape", 0, rows * cols, vit.patchValues()));
        String e = graph.linear(patches, Parameters.of(vit, "patchWeight"), Parameters.of(vit, "patchBias"));
        TransformerStack stack = null;
        String x = e;
        for (Block child : vit.getChildren().values()) {
            if (child instanceof TransformerStack s) {
                stack = s;
            } else {
                x = graph.node("Add", e, graph.array("positions", Parameters.of(child, "positionEmbedding")));
            }
        }
        if (vit.pooling() == VisionTransformer.Pooling.CLS) {
            String batch = graph.node("Slice", graph.node("Shape", x), graph.longs("start", 0), graph.longs("end", 1));
            String shape = graph.node("Concat", new AttributeProto[] {OnnxGraph.attr("axis", 0L)}, batch,
                    graph.longs("cls_rest", 1, dim));
            String cls = graph.node("Expand", graph.array("cls_token", Parameters.of(vit, "clsToken")), shape);
            x = graph.node("Concat", new AttributeProto[] {OnnxGraph.attr("axis", 1L)}, cls, x);
        }
        String h = TransformerWriter.stack(stack, x, null, graph);
        if (vit.pooling() == VisionTransformer.Pooling.CLS) {
            return graph.node("Gather", new AttributeProto[] {OnnxGraph.attr("axis", 1L)}, h,
                    graph.longScalar("cls_index", 0));
        }
        return graph.node("ReduceMean",
                new AttributeProto[] {OnnxGraph.attr("axes", new long[] {1}), OnnxGraph.attr("keepdims", 0L)}, h);
    }
}
