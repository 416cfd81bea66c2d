package org.pretext.export.onnx;

import ai.djl.nn.Block;
import org.pretext.encoders.transformer.AttentionMask;
import org.pretext.encoders.transformer.LearnedPositions;
import org.pretext.encoders.transformer.PooledSequenceBlock;
import org.pretext.encoders.transformer.TokenTransformer;
import org.pretext.export.onnx.proto.OnnxProto.AttributeProto;
import org.pretext.export.onnx.proto.OnnxProto.TensorProto;

/**
 * Pretext's token transformer pooled to features ({@link PooledSequenceBlock}): int64 token ids
 * (B, T) → token embedding (Gather) + learned positions, the causal mask (an initializer) or, for a
 * bidirectional model with a padding id, the key-padding mask computed from the ids, the
 * transformer trunk, then last-token or mean pooling that skips padding as Pretext does.
 */
final class TokenTransformerEmitter implements BlockEmitter {
    private static final AttributeProto TO_FLOAT = OnnxGraph.attr("to", (long) TensorProto.DataType.FLOAT_VALUE);

    @Override
    public boolean accepts(Block block) {
        return block instanceof PooledSequenceBlock;
    }

    @Override
    public String emit(Block block, String input, OnnxGraph graph, BlockWalker walker) {
        PooledSequenceBlock pooled = (PooledSequenceBlock) block;
        TokenTransformer t = pooled.transformer();
        int length = t.context();
        int padId = t.padId();
        String e = graph.node("Gather", new AttributeProto[] {OnnxGraph.attr("axis", 0L)},
                graph.array("token_embedding", Parameters.of(t, "tokenEmbedding")), input);
        String x = e;
        for (Block child : t.getChildren().values()) {
            if (child instanceof LearnedPositions) {
                x = graph.node("Add", e, graph.array("positions", Parameters.of(child, "positionEmbedding")));
            }
        }
        String bias = null;
        String isPad = padId >= 0 ? graph.node("Equal", input, graph.longScalar("pad_id", padId)) : null;
        if (t.causal()) {
            bias = graph.floats("causal_mask", causal(length), 1, 1, length, length);
        } else if (padId >= 0) {
            String blocked = graph.node("Mul", graph.node("Cast", new AttributeProto[] {TO_FLOAT}, isPad),
                    graph.scalar("blocked", AttentionMask.BLOCKED));
            bias = graph.node("Unsqueeze", blocked, graph.longs("key_axes", 1, 2)); // (B, 1, 1, T)
        }
        String h = TransformerWriter.stack(t.stack(), x, bias, graph);
        return pool(h, isPad, length, pooled.pooling(), graph);
    }

    private static String pool(String h, String isPad, int length, PooledSequenceBlock.Pooling pooling,
            OnnxGraph graph) {
        if (isPad == null) {
            if (pooling == PooledSequenceBlock.Pooling.LAST) {
                return graph.node("Gather", new AttributeProto[] {OnnxGraph.attr("axis", 1L)}, h,
                        graph.longScalar("last", length - 1L));
            }
            return graph.node("ReduceMean",
                    new AttributeProto[] {OnnxGraph.attr("axes", new long[] {1}), OnnxGraph.attr("keepdims", 0L)}, h);
        }
        String keep = graph.node("Cast", new AttributeProto[] {TO_FLOAT}, graph.node("Not", isPad)); // (B, T)
        String weights;
        if (pooling == PooledSequenceBlock.Pooling.MEAN) {
            String count = graph.node("ReduceSum", new AttributeProto[] {OnnxGraph.attr("keepdims", 1L)}, keep,
                    graph.longs("sum_axes", 1));
            weights = graph.node("Div", keep, graph.node("Max", count, graph.scalar("one", 1f)));
        } else if (length == 1) {
            weights = keep;
        } else {
            // 1 at the last real position: keep[t] − keep[t+1] with keep[T] = 0
            String tail = graph.node("Slice", keep, graph.longs("start", 1), graph.longs("end", length),
                    graph.longs("axes", 1));
            String next = graph.node("Pad", tail, graph.longs("pads", 0, 0, 0, 1));
            weights = graph.node("Sub", keep, next);
        }
        String w = graph.node("Unsqueeze", weights, graph.longs("axis1", 1)); // (B, 1, T)
        return graph.node("Squeeze", graph.node("MatMul", w, h), graph.longs("axis1", 1));
    }

    /** The causal bias (T, T): 0 on and below the diagonal, {@link AttentionMask#BLOCKED} above. */
    static float[] causal(int length) {
        float[] v = new float[length * length];
        for (int q = 0; q < length; q++) {
            for (int k = q + 1; k < length; k++) {
                v[q * length + k] = AttentionMask.BLOCKED;
            }
        }
        return v;
    }
}
