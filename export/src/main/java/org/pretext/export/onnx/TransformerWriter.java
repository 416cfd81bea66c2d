package org.pretext.export.onnx;

import ai.djl.nn.Block;
import org.pretext.encoders.transformer.MultiHeadSelfAttention;
import org.pretext.encoders.transformer.PreNormBlock;
import org.pretext.encoders.transformer.TransformerStack;
import org.pretext.export.onnx.proto.OnnxProto.AttributeProto;

/**
 * The trunk shared by the vision and token transformers: {@link PreNormBlock}s (LayerNorm,
 * multi-head self-attention with an optional additive mask bias, residual, LayerNorm, GELU MLP,
 * residual) and the final LayerNorm, as ONNX opset 17 nodes (LayerNormalization, MatMul, Softmax).
 */
final class TransformerWriter {
    /** LayerNorm ε of Pretext's transformer blocks (PyTorch's default). */
    static final float EPS = 1e-5f;

    private TransformerWriter() {}

    /** Hidden states (B, T, D) of embeddings x under an optional mask bias (null for none). */
    static String stack(TransformerStack stack, String x, String bias, OnnxGraph graph) {
        String h = x;
        for (PreNormBlock b : stack.blocks()) {
            h = block(b, h, bias, graph);
        }
        return layerNorm(stack, "normGamma", "normBeta", h, graph);
    }

    static String block(PreNormBlock b, String x, String bias, OnnxGraph graph) {
        String n1 = layerNorm(b, "ln1Gamma", "ln1Beta", x, graph);
        String h = graph.node("Add", x, attention(b.attention(), n1, bias, graph));
        String n2 = layerNorm(b, "ln2Gamma", "ln2Beta", h, graph);
        String m = NamedLambdaEmitter.gelu(
                graph.linear(n2, Parameters.of(b, "fcWeight"), Parameters.optional(b, "fcBias")), graph);
        String p = graph.linear(m, Parameters.of(b, "projWeight"), Parameters.optional(b, "projBias"));
        return graph.node("Add", h, p);
    }

    static String layerNorm(Block owner, String gamma, String beta, String x, OnnxGraph graph) {
        return graph.node("LayerNormalization",
                new AttributeProto[] {OnnxGraph.attr("axis", -1L), OnnxGraph.attr("epsilon", EPS)}, x,
                graph.array("ln_gamma", Parameters.of(owner, gamma)), graph.array("ln_beta", Parameters.of(owner, beta)));
    }

    /**
     * softmax(Q Kᵀ/√dₕ + M) V per head, then the output projection: the computation of
     * {@link MultiHeadSelfAttention#attend} in inference mode.
     */
    static String attention(MultiHeadSelfAttention a, String x, String bias, OnnxGraph graph) {
        int heads = a.heads();
        int width = a.width();
        int dHead = width / heads;
        String qkv = graph.linear(x, Parameters.of(a, "qkvWeight"), Parameters.optional(a, "qkvBias"));
        String split = graph.node("Transpose", new AttributeProto[] {OnnxGraph.attr("perm", new long[] {2, 0, 3, 1, 4})},
                graph.node("Reshape", qkv, graph.longs("qkv_shape", 0, 0, 3, heads, dHead))); // (3, B, H, T, dh)
        AttributeProto axis0 = OnnxGraph.attr("axis", 0L);
        String q = graph.node("Gather", new AttributeProto[] {axis0}, split, graph.longScalar("q", 0));
        String k = graph.node("Gather", new AttributeProto[] {axis0}, split, graph.longScalar("k", 1));
        String v = graph.node("Gather", new AttributeProto[] {axis0}, split, graph.longScalar("v", 2));
        String qs = graph.node("Mul", q, graph.scalar("scale", (float) (1.0 / Math.sqrt(dHead))));
        String kt = graph.node("Transpose", new AttributeProto[] {OnnxGraph.attr("perm", new long[] {0, 1, 3, 2})}, k);
        String scores = graph.node("MatMul", qs, kt); // (B, H, T, T)
        if (bias != null) {
            scores = graph.node("Add", scores, bias);
        }
        String probs = graph.node("Softmax", new AttributeProto[] {OnnxGraph.attr("axis", -1L)}, scores);
        String y = graph.node("Transpose", new AttributeProto[] {OnnxGraph.attr("perm", new long[] {0, 2, 1, 3})},
                graph.node("MatMul", probs, v)); // (B, T, H, dh)
        String merged = graph.node("Reshape", y, graph.longs("merge_shape", 0, 0, width));
        return graph.linear(merged, Parameters.of(a, "outWeight"), Parameters.optional(a, "outBias"));
    }
}
