package org.pretext.export.onnx;

import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import java.lang.reflect.Field;
import org.pretext.PretextException;
import org.pretext.export.onnx.proto.OnnxProto.AttributeProto;

/**
 * DJL's {@link BatchNorm} in inference mode: (x − running mean) / √(running variance + ε) · γ + β,
 * ONNX BatchNormalization over axis 1. DJL exposes neither ε nor the axis, so they are read from
 * the block's fields; a BatchNorm over another axis or without its scale or shift is refused.
 */
final class BatchNormEmitter implements BlockEmitter {
    @Override
    public boolean accepts(Block block) {
        return block instanceof BatchNorm;
    }

    @Override
    public String emit(Block block, String input, OnnxGraph graph, BlockWalker walker) {
        int axis = (Integer) field(block, "axis");
        boolean center = (Boolean) field(block, "center");
        boolean scale = (Boolean) field(block, "scale");
        if (axis != 1 || !center || !scale) {
            throw new PretextException("Cannot export block " + BlockWalker.describe(block) + " to ONNX: only batch"
                    + " normalisation over axis 1 with scale and shift is supported (this one: axis " + axis
                    + ", scale " + scale + ", shift " + center + ")");
        }
        float eps = (Float) field(block, "epsilon");
        return graph.node("BatchNormalization", new AttributeProto[] {OnnxGraph.attr("epsilon", eps)}, input,
                graph.array("bn_gamma", Parameters.of(block, "gamma")),
                graph.array("bn_beta", Parameters.of(block, "beta")),
                graph.array("bn_mean", Parameters.of(block, "runningMean")),
                graph.array("bn_var", Parameters.of(block, "runningVar")));
    }

    private static Object field(Block block, String name) {
        try {
            Field f = BatchNorm.class.getDeclaredField(name);
            f.setAccessible(true);
            return f.get(block);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new PretextException("Cannot export block " + BlockWalker.describe(block) + " to ONNX: its '" + name
                    + "' setting could not be read from this DJL version (" + e + ")", e);
        }
    }
}
