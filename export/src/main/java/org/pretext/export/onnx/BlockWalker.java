package org.pretext.export.onnx;

import ai.djl.nn.Block;
import java.util.List;
import org.pretext.PretextException;

/**
 * Walks a DJL block tree and hands each block to the first emitter that accepts it; a block no
 * emitter knows is refused, naming it and the blocks that can be exported.
 */
public final class BlockWalker {
    private final List<BlockEmitter> emitters;

    public BlockWalker(List<BlockEmitter> emitters) {
        this.emitters = List.copyOf(emitters);
    }

    /** Writes a block's nodes and returns its output's name. */
    public String emit(Block block, String input, OnnxGraph graph) {
        for (BlockEmitter e : emitters) {
            if (e.accepts(block)) {
                return e.emit(block, input, graph, this);
            }
        }
        throw new PretextException("Cannot export block " + describe(block) + " to ONNX: no ONNX translation is known"
                + " for " + block.getClass().getName() + " (exportable: sequential blocks, Linear, Conv2d, BatchNorm,"
                + " named ReLU, GELU and batch-flatten blocks, Pool2d, the built-in vision and token transformers)");
    }

    static String describe(Block block) {
        String s = block.toString();
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
