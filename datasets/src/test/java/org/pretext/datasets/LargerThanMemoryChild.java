package org.pretext.datasets;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.data.Split;
import org.pretext.datasets.testing.ReconstructionObjective;
import org.pretext.model.PretextModel;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;

/**
 * Run by {@link LargerThanMemoryTest} in a JVM whose heap is smaller than the data: opens the
 * folder through the {@code npy} provider as the runner would, checks one shuffled epoch streams
 * every example exactly once, pretrains one epoch, and writes what happened to a result file.
 */
public final class LargerThanMemoryChild {
    private LargerThanMemoryChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path result = Path.of(args[1]);
        int rows = Integer.parseInt(args[2]);
        DatasetPaths.Resolved r = DatasetPaths.resolve(dir);
        DatasetProvider provider = ProviderRegistry.load(DatasetProvider.class, "dataset").get(r.provider());
        Dataset d = provider.open(ParamValues.resolve("dataset", provider.parameters(), r.params()));
        Split pretrain = d.pretrain();
        // one shuffled epoch: every example once (column 0 holds id / rows, exact in float32)
        BitSet seen = new BitSet(rows);
        long count = 0;
        Iterator<Batch> it = pretrain.batches(new BatchPlan(1000, true, 7, 0, 0, false));
        int d0 = (int) pretrain.exampleShape().size();
        while (it.hasNext()) {
            Batch b = it.next();
            float[] v = b.inputs().floats();
            for (int i = 0; i < b.size(); i++) {
                int id = Math.round(v[i * d0] * rows);
                if (seen.get(id)) {
                    throw new IllegalStateException("example " + id + " streamed twice in one epoch");
                }
                seen.set(id);
                count++;
            }
        }
        PretrainConfig config = PretrainConfig.builder().batchSize(512).epochs(1).learningRate(0.01)
                .warmupFraction(0.05).seed(3).logEvery(50).prepareThreads(2).build();
        PretrainResult res;
        try (PretextModel model = PretextModel.create(ReconstructionObjective.encoder(pretrain.exampleShape(), 16),
                new ReconstructionObjective(), pretrain.exampleShape(), Device.cpu(), 3)) {
            res = new Pretrainer(config).run(model, pretrain, new Provenance("reconstruction", "1", Map.of(),
                    "linear", Map.of(), d.name(), d.provenance(), 3, Map.of(), null));
        }
        float first = 0;
        for (int i = 0; i < 10; i++) {
            first += res.losses()[i] / 10;
        }
        Files.writeString(result, String.format(Locale.ROOT,
                "provider=%s%nstorage=%s%npretrain=%d%nstreamed=%d%nsteps=%d%nfirstLoss=%.6f%nfinalLoss=%.6f%n"
                        + "maxHeapMB=%d%nseconds=%.2f%n",
                r.provider(), d.provenance().get("storage"), pretrain.size(), count, res.steps(), first,
                res.finalLoss(), Runtime.getRuntime().maxMemory() >> 20, res.seconds()));
    }
}
