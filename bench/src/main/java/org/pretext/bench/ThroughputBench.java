package org.pretext.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.Dataset;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.Features;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.engine.EngineSetup;
import org.pretext.model.PretextModel;
import org.pretext.param.ParamValues;
import org.pretext.transform.Augmentation;
import org.pretext.transform.AugmentationParams;
import org.pretext.transform.Views;

/**
 * Data-pipeline and feature-extraction throughput: augmented 28×28 views per second on one
 * preparation thread (the SimCLR digit recipe on the bundled MNIST), and frozen-feature extraction
 * of the 784-512-128 MLP in images per second.
 */
public final class ThroughputBench {
    private ThroughputBench() {}

    public static void main(String[] args) {
        Map<String, String> a = Args.parse(args);
        int threads = Integer.parseInt(a.getOrDefault("threads", "0"));
        EngineSetup.configureThreads(threads);
        Dataset data = MnistDatasetProvider.open(0, 0);
        Augmentation aug = AugmentationParams.build(ParamValues.defaults("bench", AugmentationParams.ALL),
                data.pretrain().exampleShape());
        SplittableRandom r = new SplittableRandom(1);
        long views = 0;
        long t = System.nanoTime();
        double augSeconds;
        do {
            var it = data.pretrain().batches(BatchPlan.shuffled(256, 1, views));
            Batch b = it.next();
            Views.augment(b.inputs(), aug, r.split());
            views += b.size();
            augSeconds = (System.nanoTime() - t) / 1e9;
        } while (augSeconds < 5 && views < 200_000);
        Encoder e = MlpEncoderProvider.create(data.pretrain().exampleShape(), List.of(512), 128, false);
        double extractSeconds;
        long images;
        try (NDManager m = EngineSetup.engine().newBaseManager()) {
            e.block().initialize(m, DataType.FLOAT32, PretextModel.batched(e.inputShape(), 2));
            ParameterStore store = new ParameterStore(m, false);
            Features.extract(e, store, data.test().orElseThrow(), Device.cpu(), 1024); // warm-up
            long t2 = System.nanoTime();
            int reps = 3;
            for (int i = 0; i < reps; i++) {
                Features.extract(e, store, data.test().orElseThrow(), Device.cpu(), 1024);
            }
            extractSeconds = (System.nanoTime() - t2) / 1e9;
            images = reps * data.test().orElseThrow().size();
        }
        System.out.printf(Locale.ROOT, "{\"side\": \"pretext\", \"augmentedViewsPerSecond\": %.1f,"
                + " \"featureImagesPerSecond\": %.1f, \"threads\": %d}%n", views / augSeconds, images / extractSeconds,
                threads);
    }
}
