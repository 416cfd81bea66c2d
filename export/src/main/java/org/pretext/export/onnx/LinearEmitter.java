package org.pretext.export.onnx;

import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;

/** DJL's {@link Linear}: x·Wᵀ + b as MatMul and Add (inputs of any rank, the last axis the features). */
final class LinearEmitter implements BlockEmitter {
    @Override
    public boolean accepts(Block block) {
        return block instanceof Linear;
    }

    @Override
    public String emit(Block block, String input, OnnxGraph graph, BlockWalker walker) {
        return graph.linear(input, Parameters.of(block, "weight"), Parameters.optional(block, "bias"));
    }
}
