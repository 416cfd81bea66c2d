package org.pretext.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * How the replicas of a {@link ReplicatedModel} exchange arrays: features gathered onto the main
 * device for the loss (forward, recorded by autograd), and gradients summed into the main replica
 * after the backward pass. {@link #AUTOGRAD} is the one the loop uses; the interface exists so that
 * tests can substitute a broken one and show that they notice.
 */
public interface Collectives {
    /**
     * The shards concatenated along axis 0 on {@code to}, as an operation autograd records, so
     * that the gradient of the result flows back to every shard (and so to every replica).
     */
    NDArray gather(List<NDArray> shards, Device to);

    /**
     * Adds {@code others} (gradients of the same parameter on other replicas, any device) into
     * {@code target} in place. Called with autograd off. The loss is computed once over the whole
     * gathered batch, so the gradient of a shared weight is the plain sum of its replicas'
     * gradients: no division by the replica count.
     */
    void reduce(NDArray target, List<NDArray> others);

    /** {@code toDevice} (libtorch's differentiable {@code Tensor.to}) then {@code cat}; sums in order. */
    Collectives AUTOGRAD = new Collectives() {
        @Override
        public NDArray gather(List<NDArray> shards, Device to) {
            NDList moved = new NDList(shards.size());
            for (NDArray s : shards) {
                moved.add(s.toDevice(to, false)); // same device: the array itself, already in the graph
            }
            return moved.size() == 1 ? moved.get(0) : NDArrays.concat(moved, 0);
        }

        @Override
        public void reduce(NDArray target, List<NDArray> others) {
            for (NDArray g : others) {
                target.addi(g.toDevice(target.getDevice(), false));
            }
        }
    };
}
