package org.pretext.export.onnx;

import ai.djl.ndarray.NDArray;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.pretext.export.onnx.proto.OnnxProto.AttributeProto;
import org.pretext.export.onnx.proto.OnnxProto.GraphProto;
import org.pretext.export.onnx.proto.OnnxProto.NodeProto;
import org.pretext.export.onnx.proto.OnnxProto.TensorProto;

/**
 * The ONNX graph being written: nodes in order, weights as initializers, and unique value names.
 * Each emitter adds the nodes of one block kind and returns the name of the block's output.
 */
public final class OnnxGraph {
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int counter;

    /** A fresh value name with a readable prefix. */
    public String name(String prefix) {
        return prefix + "_" + (counter++);
    }

    /** Adds a float initializer and returns its name. */
    public String floats(String prefix, float[] values, long... dims) {
        String n = name(prefix);
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        graph.addInitializer(TensorProto.newBuilder().setName(n).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(Arrays.stream(dims).boxed().toList()).setRawData(ByteString.copyFrom(buf.array())));
        return n;
    }

    /** Adds an array (float32) as an initializer of its own shape. */
    public String array(String prefix, NDArray a) {
        return floats(prefix, a.toFloatArray(), a.getShape().getShape());
    }

    /** Adds an array's transpose (a 2-D weight W becomes Wᵀ, for x·Wᵀ as one MatMul). */
    public String transposed(String prefix, NDArray w) {
        long rows = w.getShape().get(0);
        long cols = w.getShape().get(1);
        float[] v = w.toFloatArray();
        float[] t = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[(int) (c * rows + r)] = v[(int) (r * cols + c)];
            }
        }
        return floats(prefix, t, cols, rows);
    }

    /** Adds a float scalar initializer. */
    public String scalar(String prefix, float value) {
        return floats(prefix, new float[] {value});
    }

    /** Adds an int64 initializer (shapes, axes, indices) and returns its name. */
    public String longs(String prefix, long... values) {
        String n = name(prefix);
        graph.addInitializer(TensorProto.newBuilder().setName(n).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length).addAllInt64Data(Arrays.stream(values).boxed().toList()));
        return n;
    }

    /** Adds an int64 scalar initializer (0-D). */
    public String longScalar(String prefix, long value) {
        String n = name(prefix);
        graph.addInitializer(TensorProto.newBuilder().setName(n).setDataType(TensorProto.DataType.INT64_VALUE)
                .addInt64Data(value));
        return n;
    }

    /** Adds a node with one output and returns the output's name. */
    public String node(String op, AttributeProto[] attributes, String... inputs) {
        String out = name(op.toLowerCase(java.util.Locale.ROOT));
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(name("n_" + op)).addOutput(out);
        for (String in : inputs) {
            b.addInput(in);
        }
        for (AttributeProto a : attributes) {
            b.addAttribute(a);
        }
        graph.addNode(b);
        return out;
    }

    /** Adds a node without attributes. */
    public String node(String op, String... inputs) {
        return node(op, new AttributeProto[0], inputs);
    }

    /** x·Wᵀ (+ b): the DJL {@code Linear} convention for a (out, in) weight, on inputs of any rank. */
    public String linear(String x, NDArray weight, NDArray bias) {
        String y = node("MatMul", x, transposed("weight", weight));
        return bias == null ? y : node("Add", y, array("bias", bias));
    }

    /** An integer attribute. */
    public static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** A float attribute. */
    public static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    /** An integer-list attribute. */
    public static AttributeProto attr(String name, long[] values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
                .addAllInts(Arrays.stream(values).boxed().toList()).build();
    }

    /** The graph builder, for inputs, outputs and the graph's name. */
    GraphProto.Builder builder() {
        return graph;
    }
}
