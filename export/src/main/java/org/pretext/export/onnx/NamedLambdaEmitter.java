package org.pretext.export.onnx;

import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import java.util.Set;

/**
 * DJL's named parameter-free blocks: {@code Activation.reluBlock()} (Relu),
 * {@code Activation.geluBlock()} (GELU, exact: x·Φ(x) with the error function) and
 * {@code Blocks.batchFlattenBlock()} (Flatten from axis 1). An anonymous lambda says nothing about
 * what it computes and is refused by the walker.
 */
final class NamedLambdaEmitter implements BlockEmitter {
    private static final Set<String> NAMES = Set.of("ReLU", "GELU", "batchFlatten");

    @Override
    public boolean accepts(Block block) {
        return block instanceof LambdaBlock l && NAMES.contains(l.getName());
    }

    @Override
    public String emit(Block block, String input, OnnxGraph graph, BlockWalker walker) {
        return switch (((LambdaBlock) block).getName()) {
            case "ReLU" -> graph.node("Relu", input);
            case "GELU" -> gelu(input, graph);
            default -> graph.node("Flatten", new org.pretext.export.onnx.proto.OnnxProto.AttributeProto[] {
                OnnxGraph.attr("axis", 1L)}, input);
        };
    }

    /** GELU as PyTorch computes it by default: x · 0.5 · (1 + erf(x / √2)). Opset 17 has no Gelu op. */
    static String gelu(String x, OnnxGraph graph) {
        String erf = graph.node("Erf", graph.node("Mul", x, graph.scalar("inv_sqrt2", (float) (1 / Math.sqrt(2)))));
        String onePlus = graph.node("Add", erf, graph.scalar("one", 1f));
        return graph.node("Mul", graph.node("Mul", x, graph.scalar("half", 0.5f)), onePlus);
    }
}
