package org.pretext.contrastive;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Dataset;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.Features;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;
import org.pretext.training.PretrainConfig;

/** Shared set-up of the training tests: the bundled MNIST, a small MLP encoder, objectives by name. */
final class TestRuns {
    private static Dataset mnist;

    private TestRuns() {}

    /** The bundled MNIST: 10,000 training images, the first 2,000 test images. */
    static synchronized Dataset mnist() {
        if (mnist == null) {
            mnist = MnistDatasetProvider.open(0, 2000);
        }
        return mnist;
    }

    /** An objective from its provider, found by name through the ServiceLoader. */
    static Objective objective(String name, Map<String, ?> params) {
        ObjectiveProvider p = ProviderRegistry.load(ObjectiveProvider.class, "objective").get(name);
        return p.create(ParamValues.resolve("objective '" + name + "'", p.parameters(), params));
    }

    /** MLP 784-256-64, the small encoder of the tests. */
    static Supplier<Encoder> mlp(Shape inputShape) {
        return () -> MlpEncoderProvider.create(inputShape, List.of(256), 64, false);
    }

    static PretextModel model(Objective objective, long seed) {
        Shape shape = mnist().pretrain().exampleShape();
        return PretextModel.create(mlp(shape), objective, shape, Device.cpu(), seed);
    }

    static PretrainConfig.Builder config(long steps) {
        return PretrainConfig.builder().batchSize(256).steps(steps).learningRate(2e-3).warmupFraction(0.05)
                .finalLearningRateFraction(1).clipNorm(1).seed(7).logEvery(50).prepareThreads(1);
    }

    static Provenance provenance(String objective) {
        return new Provenance(objective, "1", Map.of(), "mlp", Map.of(), "mnist", Map.of(), 7, Map.of(), null);
    }

    /** Nearest-class-mean accuracy of the model's encoder at k labels per class (5 draws). */
    static double probe(PretextModel model, int perClass) {
        Dataset d = mnist();
        Features.Matrix train = Features.extract(model.encoder(), model.parameterStore(), d.train().orElseThrow(),
                model.device(), 500);
        Features.Matrix test = Features.extract(model.encoder(), model.parameterStore(), d.test().orElseThrow(),
                model.device(), 500);
        return ClosedFormProbe.nearestMeanAccuracy(train, test, perClass, 5, 11);
    }
}
