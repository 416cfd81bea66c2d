package org.pretext.model;

import org.pretext.runtime.EngineArrays;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.encoder.Encoder;
import org.pretext.engine.NoGradient;
import org.pretext.objective.Model;
import org.pretext.runtime.Devices;

/**
 * Data parallelism in one process: a {@link PretextModel} (replica 0, on the main device, with the
 * heads, the objective's state and the optimizer) and one more copy of its encoder per extra
 * device. As the {@link Model} an objective's loss sees, it splits every {@link #encode} along the
 * batch, runs shard i through replica i on device i, and gathers the features onto the main device
 * with an operation autograd records ({@link Collectives#gather}), so the loss is computed once over
 * the whole batch (global negatives by construction) and its backward pass reaches every replica.
 * Everything else (heads, {@link #forward} for EMA targets, the loss) runs on the main device over
 * the gathered batch. After the backward pass {@link #reduceGradients} sums the replicas' gradients
 * into replica 0, the optimizer updates replica 0 alone, and {@link #broadcast} copies its weights
 * to the others. Replicas run one after another; the same device may be given several times (N
 * replicas on the CPU, what the tests use).
 *
 * <p>Batch norm is synchronised: an encoder with batch-norm layers (the {@code cnn}, the {@code mlp}
 * with {@code batch-norm=true}) runs through its replicas in lockstep, layer by layer, and at each
 * batch-norm layer the shards' inputs are gathered onto the main device, normalised by replica 0's
 * layer over the whole batch, and split back; so the statistics, the running averages and the
 * gradients are one device's. It costs moving every batch-norm layer's input to the main device
 * and its output back. Batch norm inside a container other than a {@link SequentialBlock} is
 * refused, naming the container.
 */
public final class ReplicatedModel implements Model, AutoCloseable {
    private final PretextModel main;
    private final List<Device> devices;
    private final List<Encoder> encoders = new ArrayList<>();
    private final List<ParameterStore> stores = new ArrayList<>();
    private final List<NDManager> managers = new ArrayList<>();
    /** Per replica, the encoder's parameters in one order. */
    private final List<List<Parameter>> parameters = new ArrayList<>();
    private final Collectives collectives;
    /** Replica 0's batch-norm weights: synchronised layers run on replica 0 only, so only it has their gradients. */
    private final java.util.Set<Parameter> batchNormParameters = java.util.Collections.newSetFromMap(
            new java.util.IdentityHashMap<>());

    private ReplicatedModel(PretextModel main, List<Device> devices, Collectives collectives) {
        this.main = main;
        this.devices = List.copyOf(devices);
        this.collectives = collectives;
    }

    /** Replicas of the model's encoder on {@code devices}, the first of which must be the model's. */
    public static ReplicatedModel create(PretextModel model, List<Device> devices) {
        return create(model, devices, Collectives.AUTOGRAD);
    }

    /** Like {@link #create(PretextModel, List)} with other collectives (tests). */
    public static ReplicatedModel create(PretextModel model, List<Device> devices, Collectives collectives) {
        if (devices.isEmpty()) {
            throw new PretextException("Expected at least one device to train on");
        }
        if (!devices.get(0).equals(model.device())) {
            throw new PretextException("The first of the devices " + names(devices) + " must be the model's ("
                    + Devices.name(model.device()) + "): replica 0 is the model itself");
        }
        ReplicatedModel r = new ReplicatedModel(model, devices, collectives);
        r.encoders.add(model.encoder());
        r.stores.add(model.parameterStore());
        r.parameters.add(parametersOf(model.encoder().block()));
        if (devices.size() > 1 && hasBatchNorm(model.encoder().block())) {
            requireSynchronisable(model.encoder().block());
            collectBatchNormParameters(model.encoder().block(), r.batchNormParameters);
        }
        try {
            for (int i = 1; i < devices.size(); i++) {
                NDManager m = NDManager.newBaseManager(devices.get(i));
                r.managers.add(m);
                Encoder e = model.newEncoder();
                e.block().initialize(m, DataType.FLOAT32, Model.batched(e.inputShape(), 2));
                org.pretext.runtime.ChannelsLast.apply(e.block());
                List<Parameter> ps = parametersOf(e.block());
                if (ps.size() != r.parameters.get(0).size()) {
                    throw new PretextException("The encoder factory made an encoder with " + ps.size()
                            + " parameters for replica " + i + " where replica 0 has " + r.parameters.get(0).size()
                            + ": expected one architecture");
                }
                r.encoders.add(e);
                r.stores.add(new ParameterStore(m, false));
                r.parameters.add(ps);
            }
            r.broadcast();
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    private static List<Parameter> parametersOf(Block block) {
        List<Parameter> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.add(p.getValue());
        }
        return out;
    }

    /** Whether the block or any block inside it is a batch norm. */
    public static boolean hasBatchNorm(Block block) {
        if (block instanceof BatchNorm) {
            return true;
        }
        for (Pair<String, Block> child : block.getChildren()) {
            if (hasBatchNorm(child.getValue())) {
                return true;
            }
        }
        return false;
    }

    private static String names(List<Device> devices) {
        return devices.stream().map(Devices::name).toList().toString();
    }

    /** Number of replicas. */
    public int count() {
        return devices.size();
    }

    /** The devices, replica by replica. */
    public List<Device> devices() {
        return devices;
    }

    /** The model (replica 0). */
    public PretextModel main() {
        return main;
    }

    /**
     * Features of the whole batch on the main device: shard i of {@code inputs} (rows split as
     * evenly as possible, in order) through replica i, gathered in order; through the replicas in
     * lockstep when the encoder has batch norm (see the class comment).
     */
    @Override
    public NDArray encode(NDArray inputs, boolean training) {
        if (devices.size() == 1) {
            return main.encode(inputs, training);
        }
        if (!batchNormParameters.isEmpty()) {
            List<NDList> shards = shard(new NDList(inputs));
            List<Block> blocks = new ArrayList<>(encoders.size());
            for (Encoder e : encoders) {
                blocks.add(e.block());
            }
            NDList features = main.withPrecision(main.device(), () -> {
                NDList each = new NDList(devices.size());
                for (NDList out : lockstep(blocks, shards, training)) {
                    each.add(out.singletonOrThrow());
                }
                return each;
            });
            return collectives.gather(features, main.device());
        }
        return encodeWith(new NDList(inputs), (encoder, store, shard) -> encoder.block().forward(store, shard, training))
                .singletonOrThrow();
    }

    @Override
    public NDList encodeWith(NDList inputs, EncoderCall call) {
        int n = devices.size();
        if (n == 1) {
            return main.encodeWith(inputs, call);
        }
        if (!batchNormParameters.isEmpty()) {
            throw new PretextException("The encoder has batch norm, which is synchronised over replicas only when the"
                    + " objective reaches the encoder through Model.encode: train on one device (--devices 1)");
        }
        List<NDList> shards = shard(inputs);
        List<NDList> outputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int r = i;
            outputs.add(main.withPrecision(devices.get(r), () -> call.apply(encoders.get(r), stores.get(r), shards.get(r))));
        }
        NDList gathered = new NDList(outputs.get(0).size());
        for (int k = 0; k < outputs.get(0).size(); k++) {
            List<NDArray> parts = new ArrayList<>(n);
            for (NDList out : outputs) {
                if (out.size() != outputs.get(0).size()) {
                    throw new PretextException("The encoder call gave " + out.size() + " outputs on one replica and "
                            + outputs.get(0).size() + " on another: expected the same outputs for every shard");
                }
                parts.add(out.get(k));
            }
            gathered.add(collectives.gather(parts, main.device()));
        }
        return gathered;
    }

    /** Every input split along axis 0 into one shard per replica (rows as evenly as possible, in order), on its device. */
    private List<NDList> shard(NDList inputs) {
        int n = devices.size();
        long rows = inputs.get(0).getShape().get(0);
        if (rows < n) {
            throw new PretextException("A batch of " + rows + " rows cannot be split over " + n + " replicas: expected"
                    + " at least one row per replica (raise training.batch-size or lower --devices)");
        }
        long[] cuts = cuts(rows, n);
        List<NDList> shards = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            shards.add(new NDList(inputs.size()));
        }
        for (NDArray input : inputs) {
            if (input.getShape().get(0) != rows) {
                throw new PretextException("Inputs of " + rows + " and " + input.getShape().get(0) + " rows cannot be"
                        + " split over replicas together: expected every input to have the batch as its first axis");
            }
            NDList parts = input.split(cuts, 0);
            for (int i = 0; i < n; i++) {
                shards.get(i).add(parts.get(i).toDevice(devices.get(i), false));
            }
        }
        return shards;
    }

    private static long[] cuts(long rows, int n) {
        long[] cuts = new long[n - 1];
        for (int i = 1; i < n; i++) {
            cuts[i - 1] = i * rows / n;
        }
        return cuts;
    }

    /**
     * One block (the same position in every replica's encoder) over every replica's shard. A
     * sequential block goes child by child; a batch-norm layer sees the gathered batch on replica
     * 0; a block without batch norm runs on each replica by itself.
     */
    private List<NDList> lockstep(List<Block> blocks, List<NDList> shards, boolean training) {
        Block first = blocks.get(0);
        int n = blocks.size();
        List<NDList> out = new ArrayList<>(n);
        if (first instanceof BatchNorm) {
            List<NDArray> parts = new ArrayList<>(n);
            long[] rows = new long[n];
            for (int i = 0; i < n; i++) {
                parts.add(shards.get(i).singletonOrThrow());
                rows[i] = parts.get(i).getShape().get(0);
            }
            NDArray whole = collectives.gather(parts, main.device());
            NDArray normalised = first.forward(stores.get(0), new NDList(whole), training).singletonOrThrow();
            long[] cuts = new long[n - 1];
            long at = 0;
            for (int i = 0; i < n - 1; i++) {
                at += rows[i];
                cuts[i] = at;
            }
            NDList back = normalised.split(cuts, 0);
            for (int i = 0; i < n; i++) {
                out.add(new NDList(back.get(i).toDevice(devices.get(i), false)));
            }
            return out;
        }
        if (first instanceof SequentialBlock && hasBatchNorm(first)) {
            List<NDList> current = shards;
            int children = first.getChildren().size();
            for (int k = 0; k < children; k++) {
                List<Block> kth = new ArrayList<>(n);
                for (Block b : blocks) {
                    kth.add(b.getChildren().get(k).getValue());
                }
                current = lockstep(kth, current, training);
            }
            return current;
        }
        for (int i = 0; i < n; i++) {
            out.add(blocks.get(i).forward(stores.get(i), shards.get(i), training));
        }
        return out;
    }

    /** Refuses batch norm that {@link #lockstep} cannot reach: inside a container other than a sequential block. */
    private static void requireSynchronisable(Block block) {
        if (block instanceof BatchNorm || !hasBatchNorm(block)) {
            return;
        }
        if (!(block instanceof SequentialBlock)) {
            throw new PretextException("The encoder has batch norm inside a " + block.getClass().getSimpleName()
                    + ", which synchronised batch norm over replicas cannot go through (it goes through sequential"
                    + " blocks only): train it on one device (--devices 1)");
        }
        for (Pair<String, Block> child : block.getChildren()) {
            requireSynchronisable(child.getValue());
        }
    }

    private static void collectBatchNormParameters(Block block, java.util.Set<Parameter> into) {
        if (block instanceof BatchNorm) {
            into.addAll(parametersOf(block));
            return;
        }
        for (Pair<String, Block> child : block.getChildren()) {
            collectBatchNormParameters(child.getValue(), into);
        }
    }

    /**
     * Sums every replica's encoder gradients into replica 0's and zeroes theirs. Call it after the
     * backward pass, before clipping and the update.
     *
     * @param scratch a short-lived manager (the step's) that owns the gradient wrappers
     */
    public void reduceGradients(NDManager scratch) {
        if (devices.size() == 1) {
            return;
        }
        NoGradient.run(() -> {
            List<Parameter> first = parameters.get(0);
            for (int j = 0; j < first.size(); j++) {
                NDArray w0 = first.get(j).getArray();
                if (!w0.hasGradient()) {
                    continue;
                }
                if (batchNormParameters.contains(first.get(j))) {
                    continue; // synchronised: computed on replica 0 alone, over the whole batch
                }
                NDArray target = gradient(w0, 0, first.get(j), scratch);
                List<NDArray> others = new ArrayList<>(devices.size() - 1);
                for (int i = 1; i < devices.size(); i++) {
                    others.add(gradient(parameters.get(i).get(j).getArray(), i, first.get(j), scratch));
                }
                collectives.reduce(target, others);
                for (int i = 1; i < devices.size(); i++) {
                    EngineArrays.zeroGradient(parameters.get(i).get(j).getArray());
                }
            }
        });
    }

    private static NDArray gradient(NDArray w, int replica, Parameter p, NDManager scratch) {
        NDArray g;
        try {
            g = w.getGradient();
        } catch (IllegalStateException e) {
            g = null;
        }
        if (g == null) {
            throw new PretextException("Replica " + replica + "'s encoder parameter " + p.getName() + " received no"
                    + " gradient: the features it computed did not reach the loss through autograd");
        }
        g.attach(scratch);
        return g;
    }


    /** Copies replica 0's encoder values (weights and any statistics) to every other replica. */
    public void broadcast() {
        if (devices.size() == 1) {
            return;
        }
        NoGradient.run(() -> {
            List<Parameter> first = parameters.get(0);
            for (int i = 1; i < devices.size(); i++) {
                List<Parameter> ps = parameters.get(i);
                for (int j = 0; j < first.size(); j++) {
                    NDArray src = first.get(j).getArray();
                    NDArray dst = ps.get(j).getArray();
                    // libtorch's in-place copy on the replica's device (to(device) first when it differs),
                    // not NDArray.copyTo, which goes through a host buffer
                    NDArray moved = src.toDevice(dst.getDevice(), false);
                    dst.set(new ai.djl.ndarray.index.NDIndex(":"), moved);
                    if (moved != src) {
                        moved.close();
                    }
                }
            }
        });
    }

    /** Number of arrays the extra replicas' managers hold (their parameters; tests of step memory). */
    public int heldArrays() {
        int n = 0;
        for (NDManager m : managers) {
            n += m.getManagedArrays().size();
        }
        return n;
    }

    /** Replica i's encoder parameters, in replica 0's order (tests). */
    public List<Parameter> replicaParameters(int replica) {
        return List.copyOf(parameters.get(replica));
    }

    @Override
    public NDArray head(String name, NDArray input) {
        return main.head(name, input);
    }

    @Override
    public NDList head(String name, NDList inputs) {
        return main.head(name, inputs);
    }

    @Override
    public NDList forward(Block block, NDList inputs, boolean training) {
        return main.forward(block, inputs, training);
    }

    @Override
    public Encoder encoder() {
        return main.encoder();
    }

    @Override
    public NDManager manager() {
        return main.manager();
    }

    @Override
    public Device device() {
        return main.device();
    }

    @Override
    public ParameterStore parameterStore() {
        return main.parameterStore();
    }

    @Override
    public Map<String, Parameter> trainableParameters() {
        return main.trainableParameters();
    }

    @Override
    public Map<String, Parameter> parameters() {
        return main.parameters();
    }

    /** Frees the extra replicas (not the model). */
    @Override
    public void close() {
        for (NDManager m : managers) {
            m.close();
        }
        managers.clear();
    }
}
