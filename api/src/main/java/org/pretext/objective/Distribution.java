package org.pretext.objective;

import org.apiguardian.api.API;

/**
 * How an objective may be trained data-parallel over several devices (replicas of the encoder in
 * one process, {@code --devices}). An objective declares it once through
 * {@link Objective#distribution()}; the loop does the rest.
 *
 * <p>With more than one replica the {@link Model} an objective's {@link Objective#loss} sees splits
 * every {@link Model#encode} along the batch, runs each shard through the encoder replica on its
 * device, and gathers the features onto the main device with an operation autograd records, so the
 * loss is computed once over the whole batch and its gradient reaches every replica. Heads,
 * {@link Model#forward} (EMA targets) and the loss itself run on the main device over the gathered
 * batch. Gradients are summed into the main replica, updated once, and the weights copied back.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.3")
public enum Distribution {
    /**
     * The loss compares examples across the batch (NT-Xent, InfoNCE, Barlow Twins' and VICReg's
     * batch statistics, queues, centring): it must see the gathered batch, which the replicated
     * {@link Model#encode} gives it, so the negatives are global.
     */
    GATHERED,
    /**
     * The loss is a mean of per-example terms (reconstruction, rotation prediction): gathering is
     * correct for it too, and the loop treats it as {@link #GATHERED}; the declaration records that
     * a per-shard loss weighted by shard size would also be exact.
     */
    PER_EXAMPLE,
    /**
     * Not declared: the objective runs on one device (the first one asked for), and the loop says
     * so. The default, because an objective that reaches its encoder other than through
     * {@link Model#encode} and {@link Model#encodeWith} (e.g. {@code model.encoder().block()}) would
     * not be replicated.
     */
    SINGLE_DEVICE
}
