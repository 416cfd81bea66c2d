package org.pretext.finetune;

import ai.djl.nn.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pretext.runtime.EngineArrays;

/**
 * Early stopping on held-out labels of the budget: after every epoch the held-out accuracy is
 * measured; the weights of the best epoch so far (the first of equal ones) are kept on the host,
 * and training stops once {@code patience} epochs have passed without a better one. The best
 * weights are put back at the end.
 */
final class EarlyStopping {
    private EarlyStopping() {}

    /** The record, saved with every checkpoint so a resumed draw stops where it would have. */
    static final class State {
        double bestAccuracy = -1;
        int bestEpoch = -1;
        boolean stopped;
        Map<String, float[]> bestWeights = new LinkedHashMap<>();

        /** Whether an epoch's held-out accuracy is the best so far; if so it is recorded with the weights. */
        boolean offer(int epoch, double accuracy, Map<String, Parameter> parameters) {
            if (accuracy <= bestAccuracy) {
                return false;
            }
            bestAccuracy = accuracy;
            bestEpoch = epoch;
            bestWeights = new LinkedHashMap<>();
            parameters.forEach((k, p) -> bestWeights.put(k, p.getArray().toFloatArray()));
            return true;
        }

        /** Puts the best epoch's weights back, if there is one. */
        void restore(Map<String, Parameter> parameters) {
            bestWeights.forEach((k, v) -> EngineArrays.copyInto(parameters.get(k).getArray(), v));
        }

        void write(DataOutputStream out) throws IOException {
            out.writeInt(1);
            out.writeDouble(bestAccuracy);
            out.writeInt(bestEpoch);
            out.writeBoolean(stopped);
            out.writeInt(bestWeights.size());
            for (Map.Entry<String, float[]> e : bestWeights.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                for (float f : e.getValue()) {
                    out.writeFloat(f);
                }
            }
        }

        void read(DataInputStream in) throws IOException {
            int version = in.readInt();
            if (version != 1) {
                throw new IOException("early-stopping state has format " + version + "; expected 1");
            }
            bestAccuracy = in.readDouble();
            bestEpoch = in.readInt();
            stopped = in.readBoolean();
            int n = in.readInt();
            bestWeights = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                int len = in.readInt();
                if (len < 0 || len > (1 << 28)) {
                    throw new IOException("early-stopping weights of " + name + " have " + len + " values");
                }
                float[] v = new float[len];
                for (int j = 0; j < len; j++) {
                    v[j] = in.readFloat();
                }
                bestWeights.put(name, v);
            }
        }
    }
}
