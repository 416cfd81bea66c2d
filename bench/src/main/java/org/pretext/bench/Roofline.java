package org.pretext.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The roofline bound of a training step, from {@code bench/python/roofline.py}'s count of PyTorch's
 * eager step: every aten op's FLOPs (matmul, convolution, attention; 2 per multiply-add) and the bytes
 * it must move at least (its tensor inputs read, its outputs written). An op takes at least
 * max(flops / peak, bytes / bandwidth); the step at least the sum of that over its ops. The whole
 * step's max(F / peak, B / bandwidth) is a looser bound beside it. The bytes are those of the eager
 * op sequence, where every intermediate goes to memory and back: a fused step can move fewer, so
 * this bounds an unfused step.
 */
final class Roofline {
    private Roofline() {}

    /** {@code calls} calls of one op with the same FLOPs and bytes. */
    record OpShape(long calls, double flops, double bytes) {}

    /**
     * Seconds: the sum over calls of max(flops / peak, bytes / bandwidth).
     *
     * @throws IllegalArgumentException if the peak or the bandwidth is not positive
     */
    static double boundSeconds(List<OpShape> shapes, double peakGflops, double bandwidthGBps) {
        check(peakGflops, bandwidthGBps);
        double s = 0;
        for (OpShape o : shapes) {
            s += o.calls() * Math.max(o.flops() / (peakGflops * 1e9), o.bytes() / (bandwidthGBps * 1e9));
        }
        return s;
    }

    /** Seconds: the whole step's max(F / peak, B / bandwidth). */
    static double wholeStepBoundSeconds(double flops, double bytes, double peakGflops, double bandwidthGBps) {
        check(peakGflops, bandwidthGBps);
        return Math.max(flops / (peakGflops * 1e9), bytes / (bandwidthGBps * 1e9));
    }

    private static void check(double peakGflops, double bandwidthGBps) {
        if (!(peakGflops > 0) || !(bandwidthGBps > 0)) {
            throw new IllegalArgumentException("roofline: the GEMM peak (" + peakGflops + " GFLOP/s) and the memory"
                    + " bandwidth (" + bandwidthGBps + " GB/s) must be positive measurements");
        }
    }

    /**
     * Every op's shapes from roofline.py's result: {@code ops} is a list of {@code {op, count, flops,
     * bytes, shapes}}, each shape {@code [calls, flops, bytes]}.
     *
     * @throws IllegalArgumentException naming the key when the result lacks it or it has the wrong form
     */
    @SuppressWarnings("unchecked")
    static List<OpShape> shapes(Map<String, Object> result) {
        if (!(result.get("ops") instanceof List<?> ops)) {
            throw new IllegalArgumentException("roofline.py's result has no \"ops\" list: " + result.keySet());
        }
        List<OpShape> out = new ArrayList<>();
        for (Object o : ops) {
            Map<String, Object> op = (Map<String, Object>) o;
            if (!(op.get("shapes") instanceof List<?> shapes)) {
                throw new IllegalArgumentException("roofline.py's op " + op.get("op") + " has no \"shapes\" list");
            }
            for (Object sh : shapes) {
                List<Number> v = (List<Number>) sh;
                if (v.size() != 3) {
                    throw new IllegalArgumentException("roofline.py's op " + op.get("op") + ": shape " + v
                            + ", expected [calls, flops, bytes]");
                }
                out.add(new OpShape(v.get(0).longValue(), v.get(1).doubleValue(), v.get(2).doubleValue()));
            }
        }
        return out;
    }

    /**
     * results.json's roofline entry of a configuration: roofline.py's totals and op list, the peak and
     * bandwidth it was bounded with, and both bounds in seconds.
     */
    static Map<String, Object> entry(Map<String, Object> result, double peakGflops, double bandwidthGBps) {
        double flops = number(result, "flops");
        double bytes = number(result, "bytes");
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("flops", flops);
        e.put("bytes", bytes);
        e.put("flopsPerByte", flops / bytes);
        e.put("opCalls", result.get("opCalls"));
        e.put("peakGflops", peakGflops);
        e.put("bandwidthGBps", bandwidthGBps);
        e.put("boundSeconds", boundSeconds(shapes(result), peakGflops, bandwidthGBps));
        e.put("wholeStepBoundSeconds", wholeStepBoundSeconds(flops, bytes, peakGflops, bandwidthGBps));
        e.put("torch", result.get("torch"));
        e.put("ops", result.get("ops"));
        return e;
    }

    private static double number(Map<String, Object> m, String key) {
        if (!(m.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("roofline.py's result has no number \"" + key + "\": " + m.get(key));
        }
        return n.doubleValue();
    }
}
