package org.pretext.selfpredict;

import org.pretext.blocks.MlpHead;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.data.Batch;
import org.pretext.data.HostTensor;
import org.pretext.objective.Model;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;

/**
 * Reconstruction-based pretext task of Lee, Lei, Saunshi and Zhuo (2021), "Predicting what you
 * already know helps": split each input into X₁ (context) and X₂ (target), and learn
 * ψ = g∘f to predict X₂ from X₁ by least squares,
 *
 * <pre>
 *   min_{f,g} E ‖X₂ − g(f(X₁))‖²     ({@link ReconstructionLoss}),
 * </pre>
 *
 * so that ψ(X₁) ≈ E[X₂ | X₁]. When X₁ and X₂ are independent given the downstream label Y, this
 * conditional mean is an affine function of the posterior p(Y | X₁), so a linear probe on it
 * needs only about as many labels as there are classes. The encoder f sees the context half only
 * — in pretraining and when features are extracted ({@link #encoderInput}) — and g is affine by
 * default, so f(X₁) carries that posterior linearly.
 */
public final class PartPredictionObjective implements Objective {
    static final String HEAD = "predictor";
    private final String split;
    private final boolean contextFirst;
    private final int headHidden;
    private final String owner;
    private Halves halves;
    private Block predictor;

    /**
     * @param split "rows" (images: top/bottom; vectors: first/second half) or "columns" (left/right)
     * @param contextFirst whether the encoder sees the first half (top, left, first coordinates)
     * @param headHidden hidden width of the predictor g (0: affine)
     */
    public PartPredictionObjective(String split, boolean contextFirst, int headHidden) {
        this.split = split;
        this.contextFirst = contextFirst;
        this.headHidden = headHidden;
        this.owner = "objective 'part-prediction'";
    }

    private Halves halves(Shape exampleShape) {
        if (halves == null || !halves.exampleShape().equals(exampleShape)) {
            halves = Halves.of(exampleShape, split, contextFirst, owner);
        }
        return halves;
    }

    @Override
    public Shape encoderInputShape(Shape exampleShape) {
        return halves(exampleShape).contextShape();
    }

    @Override
    public HostTensor encoderInput(HostTensor examples) {
        return halves(examples.shape().slice(1)).context(examples);
    }

    @Override
    public void initialize(ObjectiveSetup setup) {
        Halves h = halves(setup.exampleShape());
        predictor = MlpHead.create(headHidden, Math.toIntExact(h.targetShape().size()));
        predictor.initialize(setup.manager(), DataType.FLOAT32, new Shape(2, setup.encoder().featureSize()));
    }

    /** A mean of per-example terms over features that {@code model.encode} computes. */
    @Override
    public org.pretext.objective.Distribution distribution() {
        return org.pretext.objective.Distribution.PER_EXAMPLE;
    }

    @Override
    public Map<String, Block> heads() {
        return Map.of(HEAD, predictor);
    }

    @Override
    public PreparedBatch prepare(Batch batch, SplittableRandom random) {
        Halves h = halves(batch.inputs().shape().slice(1));
        return PreparedBatch.of(h.context(batch.inputs()), h.target(batch.inputs()));
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        Model model = ctx.model();
        NDArray prediction = model.head(HEAD, model.encode(inputs.get(0), true));
        return ReconstructionLoss.compute(prediction, inputs.get(1));
    }
}
