package org.pretext.export.onnx;

import ai.djl.nn.Block;
import org.pretext.encoders.Pool2d;
import org.pretext.export.onnx.proto.OnnxProto.AttributeProto;

/** Pretext's {@link Pool2d}: MaxPool (no padding, floor), or GlobalAveragePool then Flatten to (B, C). */
final class Pool2dEmitter implements BlockEmitter {
    @Override
    public boolean accepts(Block block) {
        return block instanceof Pool2d;
    }

    @Override
    public String emit(Block block, String input, OnnxGraph graph, BlockWalker walker) {
        Pool2d p = (Pool2d) block;
        if (p.kind() == Pool2d.Kind.MAX) {
            return graph.node("MaxPool", new AttributeProto[] {
                OnnxGraph.attr("kernel_shape", p.kernel().getShape()),
                OnnxGraph.attr("strides", p.stride().getShape())}, input);
        }
        return graph.node("Flatten", new AttributeProto[] {OnnxGraph.attr("axis", 1L)},
                graph.node("GlobalAveragePool", input));
    }
}
