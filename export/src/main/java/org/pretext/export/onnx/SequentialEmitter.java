package org.pretext.export.onnx;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;

/** A {@link SequentialBlock}: its children one after the other. */
final class SequentialEmitter implements BlockEmitter {
    @Override
    public boolean accepts(Block block) {
        return block instanceof SequentialBlock;
    }

    @Override
    public String emit(Block block, String input, OnnxGraph graph, BlockWalker walker) {
        String x = input;
        for (Block child : block.getChildren().values()) {
            x = walker.emit(child, x, graph);
        }
        return x;
    }
}
