package org.example.pretext;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.pretext.data.Dataset;
import org.pretext.datasets.MnistDatasetProvider;
import org.pretext.encoder.Features;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.contrastive.SimClrObjectiveProvider;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.param.ParamValues;
import org.pretext.probe.LabelBudget;
import org.pretext.probe.ProbeOptions;
import org.pretext.probe.ProbeResult;
import org.pretext.probe.ProbeSuite;
import org.pretext.runtime.DeviceChoice;
import org.pretext.training.PretrainConfig;
import org.pretext.training.PretrainResult;
import org.pretext.training.Pretrainer;
import org.pretext.training.listener.ProgressListener;

/**
 * Pretext from Java, start to end: SimCLR pretrains an MLP encoder on the MNIST subset bundled with
 * Pretext, then the linear probe judges the frozen features with 10 labels per class against the
 * same encoder untrained. {@code java ... org.example.pretext.PretrainAndProbe [STEPS]} (default 500).
 */
public final class PretrainAndProbe {
    private PretrainAndProbe() {}

    /**
     * Pretrains for {@code steps} steps and probes.
     *
     * @param trainLimit labelled training examples read (0: all of the subset), e.g. to keep a test short
     * @param testLimit test examples read (0: all)
     * @return the logistic probe's results: the pretrained features first, then the untrained encoder's
     */
    public static List<ProbeResult> run(int steps, long seed, int trainLimit, int testLimit) {
        Device device = DeviceChoice.AUTO.resolve(); // the GPU when the engine sees one
        Dataset data = MnistDatasetProvider.open(trainLimit, testLimit); // the bundled subset: no download
        Shape shape = data.pretrain().exampleShape();
        SimClrObjectiveProvider simclr = new SimClrObjectiveProvider();
        Objective objective = simclr.create(ParamValues.defaults("objective 'simclr'", simclr.parameters()));
        ProbeSuite probes = new ProbeSuite(ProbeOptions.defaults(device).withBudgets(List.of(LabelBudget.of(10)))
                .withDraws(5).withSeed(seed).withProbes("logistic"))
                .withWorkers(Runtime.getRuntime().availableProcessors()); // draws at once: the same numbers, sooner
        try (PretextModel model = PretextModel.create(() -> MlpEncoderProvider.create(shape, List.of(512), 128, false),
                objective, shape, device, seed);
                PretextModel untrained = PretextModel.create(() -> MlpEncoderProvider.create(shape, List.of(512), 128,
                        false), simclr.create(ParamValues.defaults("objective 'simclr'", simclr.parameters())), shape,
                        device, seed)) {
            PretrainResult r = new Pretrainer(PretrainConfig.builder().steps(steps).seed(seed).build())
                    .addListener(new ProgressListener()).run(model, data.pretrain(), null);
            System.out.printf("pretrained %d steps in %.1f s, final loss %.4f%n", r.steps(), r.seconds(), r.finalLoss());
            List<ProbeResult> results = new java.util.ArrayList<>();
            for (PretextModel m : List.of(model, untrained)) {
                Features.Matrix train = Features.extract(m.encoder(), m.parameterStore(), data.train().orElseThrow(),
                        device, 1024);
                Features.Matrix test = Features.extract(m.encoder(), m.parameterStore(), data.test().orElseThrow(),
                        device, 1024);
                results.addAll(probes.run(m == model ? "pretrained" : "random-encoder", train, test));
            }
            return results;
        }
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        for (ProbeResult p : run(steps, 42, 0, 0)) {
            System.out.printf("%-15s %s, 10 labels per class: %.2f ± %.2f %%%n", p.features(), p.probe(),
                    100 * p.accuracy(), 100 * p.accuracyStd());
        }
    }
}
