package org.pretext.export.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import org.pretext.PretextException;

/** A block's own parameters by name, as the exporter reads them. */
final class Parameters {
    private Parameters() {}

    /** The value of the block's direct parameter {@code name}; refused when it is absent or uninitialised. */
    static NDArray of(Block block, String name) {
        NDArray a = optional(block, name);
        if (a == null) {
            throw new PretextException("Cannot export block " + BlockWalker.describe(block) + " to ONNX: it has no"
                    + " initialised parameter '" + name + "'");
        }
        return a;
    }

    /** The value of the block's direct parameter {@code name}, or null when it has none. */
    static NDArray optional(Block block, String name) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            if (p.getKey().equals(name)) {
                if (!p.getValue().isInitialized()) {
                    throw new PretextException("Cannot export block " + BlockWalker.describe(block) + " to ONNX: its"
                            + " parameter '" + name + "' is not initialised (initialise or load the encoder first)");
                }
                return p.getValue().getArray();
            }
        }
        return null;
    }
}
