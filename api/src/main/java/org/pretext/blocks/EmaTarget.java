package org.pretext.blocks;

import org.apiguardian.api.API;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.blocks.ParameterIO;
import org.pretext.engine.Engines;
import org.pretext.engine.NoGradient;

/**
 * A momentum (EMA) copy of online blocks, as the key encoder of MoCo and the target network of
 * BYOL: each target block starts as an exact copy of its online block, is frozen (no gradient,
 * not seen by the optimizer) and after every update moves towards the online weights in place,
 *
 * <pre>
 *   ξ ← m·ξ + (1 − m)·θ,
 * </pre>
 *
 * with autograd off, so no array is created or kept (on PyTorch in three multi-tensor calls over all
 * the target's tensors, {@code EngineBridge.momentumUpdate}). BatchNorm running statistics are averaged
 * the same way. The target's values are written and read with the objective's state, so a resumed
 * run continues exactly.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.2")
public final class EmaTarget {
    private final Map<String, Parameter> online = new LinkedHashMap<>();
    private final Map<String, Parameter> target = new LinkedHashMap<>();
    private final List<NDArray[]> pairs = new ArrayList<>();

    /**
     * Tracks an initialised target block for an initialised online block of the same
     * architecture: copies the online values in and freezes the target.
     *
     * @param name a stable name for checkpoints, e.g. "encoder"
     */
    public void track(String name, Block onlineBlock, Block targetBlock) {
        List<Pair<String, Parameter>> on = new ArrayList<>();
        onlineBlock.getParameters().forEach(on::add);
        List<Pair<String, Parameter>> tg = new ArrayList<>();
        targetBlock.getParameters().forEach(tg::add);
        if (on.size() != tg.size()) {
            throw new PretextException("EMA target '" + name + "' has " + tg.size() + " parameters but its online"
                    + " block has " + on.size() + ": expected the same architecture");
        }
        for (int i = 0; i < on.size(); i++) {
            Parameter o = on.get(i).getValue();
            Parameter t = tg.get(i).getValue();
            if (!o.getArray().getShape().equals(t.getArray().getShape())) {
                throw new PretextException("EMA target '" + name + "' parameter " + tg.get(i).getKey() + " has shape "
                        + t.getArray().getShape() + " but the online one " + o.getArray().getShape());
            }
            String key = name + "/" + on.get(i).getKey();
            online.put(key, o);
            target.put(key, t);
        }
        targetBlock.freezeParameters(true);
        List<NDArray[]> added = new ArrayList<>();
        for (int i = 0; i < on.size(); i++) {
            added.add(new NDArray[] {on.get(i).getValue().getArray(), tg.get(i).getValue().getArray()});
        }
        // the online encoder's convolution weights are channels-last where the engine lays them out so
        Engines.bridge().channelsLast(added.stream().map(p -> p[1]).toList());
        copy(added);
        pairs.addAll(added);
    }

    /** Each target ← its online value, by the engine in the target's own storage (not through a host buffer). */
    private static void copy(List<NDArray[]> pairs) {
        NoGradient.run(() -> {
            for (NDArray[] p : pairs) {
                if (p[1].getShape().dimension() == 0) {
                    p[0].copyTo(p[1]); // a scalar has no index to write through
                } else {
                    p[1].set(new NDIndex(":"), p[0]);
                }
            }
        });
    }

    /** Moves every target value towards its online value: ξ ← m·ξ + (1 − m)·θ, in place. */
    public void update(double momentum) {
        float m = (float) momentum;
        if (Engines.bridge().momentumUpdate(pairs, m)) { // the same three operations over all tensors at once
            return;
        }
        NoGradient.run(() -> {
            for (NDArray[] p : pairs) {
                // ξ − θ, times m, plus θ: no temporary array
                p[1].subi(p[0]).muli(m).addi(p[0]);
            }
        });
    }

    /** Makes every target value equal to its online value. */
    public void copyOnline() {
        copy(pairs);
    }

    /** The target parameters by stable name. */
    public Map<String, Parameter> parameters() {
        return target;
    }

    /** Writes the target values (names, shapes, float32 values). */
    public void write(DataOutputStream out) throws IOException {
        byte[] bytes = ParameterIO.write(target);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** Reads what {@link #write} wrote into the target. */
    public void read(DataInputStream in, String source) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > (1 << 30)) {
            throw new PretextException(source + ": invalid EMA target length " + len);
        }
        byte[] bytes = in.readNBytes(len);
        if (bytes.length != len) {
            throw new PretextException(source + ": the EMA target is truncated (" + bytes.length + " of " + len
                    + " bytes)");
        }
        ParameterIO.read(new ByteArrayInputStream(bytes), target, source);
    }
}
