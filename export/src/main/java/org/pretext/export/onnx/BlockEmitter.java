package org.pretext.export.onnx;

import ai.djl.nn.Block;

/** Writes the ONNX nodes of one kind of DJL block. */
public interface BlockEmitter {
    /** Whether this emitter writes the block. */
    boolean accepts(Block block);

    /**
     * Adds the block's inference-mode computation to the graph.
     *
     * @param input the name of the block's input value
     * @param walker writes the block's children (for containers)
     * @return the name of the block's output value
     */
    String emit(Block block, String input, OnnxGraph graph, BlockWalker walker);
}
