package org.pretext.export.onnx;

import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Convolution;
import org.pretext.export.onnx.proto.OnnxProto.AttributeProto;

/** DJL's {@link Conv2d}: ONNX Conv with its kernel, stride, symmetric padding, dilation and groups. */
final class Conv2dEmitter implements BlockEmitter {
    @Override
    public boolean accepts(Block block) {
        return block instanceof Conv2d;
    }

    @Override
    public String emit(Block block, String input, OnnxGraph graph, BlockWalker walker) {
        Convolution c = (Convolution) block;
        long[] pad = c.getPadding().getShape();
        AttributeProto[] attrs = {
            OnnxGraph.attr("kernel_shape", c.getKernelShape().getShape()),
            OnnxGraph.attr("strides", c.getStride().getShape()),
            OnnxGraph.attr("pads", new long[] {pad[0], pad[1], pad[0], pad[1]}),
            OnnxGraph.attr("dilations", c.getDilation().getShape()),
            OnnxGraph.attr("group", (long) c.getGroups())};
        String w = graph.array("conv_weight", Parameters.of(block, "weight"));
        if (c.isIncludeBias()) {
            return graph.node("Conv", attrs, input, w, graph.array("conv_bias", Parameters.of(block, "bias")));
        }
        return graph.node("Conv", attrs, input, w);
    }
}
