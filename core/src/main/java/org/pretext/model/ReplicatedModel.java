package org.pretext.model;

import org.pretext.runtime.EngineArrays;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
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
 * <p>Encoders with batch norm are refused with more than one replica: their batch statistics would
 * be per shard, not over the batch as on one device.
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
            throw new PretextException("The encoder has batch norm, whose statistics would be computed per replica"
                    + " (a shard of the batch) rather than over the batch as on one device: train it on one device"
                    + " (--devices 1), or choose an encoder without batch norm (mlp with batch-norm=false, the"
                    + " default; vit; transformer). The cnn encoder always has batch norm.");
        }
        try {
            for (int i = 1; i < devices.size(); i++) {
                NDManager m = NDManager.newBaseManager(devices.get(i));
                r.managers.add(m);
                Encoder e = model.newEncoder();
                e.block().initialize(m, DataType.FLOAT32, Model.batched(e.inputShape(), 2));
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
     * evenly as possible, in order) through replica i, gathered in order.
     */
    @Override
    public NDArray encode(NDArray inputs, boolean training) {
        int n = devices.size();
        if (n == 1) {
            return main.encode(inputs, training);
        }
        long rows = inputs.getShape().get(0);
        if (rows < n) {
            throw new PretextException("A batch of " + rows + " rows cannot be split over " + n + " replicas: expected"
                    + " at least one row per replica (raise training.batch-size or lower --devices)");
        }
        long[] cuts = new long[n - 1];
        for (int i = 1; i < n; i++) {
            cuts[i - 1] = i * rows / n;
        }
        NDList shards = inputs.split(cuts, 0);
        List<NDArray> features = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            NDArray x = shards.get(i).toDevice(devices.get(i), false);
            features.add(encoders.get(i).block().forward(stores.get(i), new NDList(x), training).singletonOrThrow());
        }
        return collectives.gather(features, main.device());
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
