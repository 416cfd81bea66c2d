package org.pretext.objective;

import org.apiguardian.api.API;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.pretext.data.HostTensor;

/**
 * What an objective made of a raw batch (views, masks, shifted tokens), still in JVM memory;
 * the training step copies it to the device in {@link #toNDList}.
 *
 * @param tensors the inputs of the objective's loss, in the order it expects them
 */
@API(status = API.Status.STABLE, since = "0.1")
public record PreparedBatch(List<HostTensor> tensors) {
    public PreparedBatch {
        tensors = List.copyOf(tensors);
    }

    public static PreparedBatch of(HostTensor... tensors) {
        return new PreparedBatch(List.of(tensors));
    }

    /** Copies every tensor into the manager (on its device). */
    public NDList toNDList(NDManager manager) {
        NDList list = new NDList(tensors.size());
        for (HostTensor t : tensors) {
            list.add(t.toNDArray(manager));
        }
        return list;
    }
}
