package org.pretext.contrastive;

import org.pretext.adversarial.Pgd;
import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.pretext.data.Batch;
import org.pretext.objective.ForwardingObjective;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveSetup;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;

/**
 * Adversarial pretraining of any objective (in the manner of adversarial contrastive learning:
 * Kim, Tack and Hwang 2020; Jiang et al. 2020): every step, before the loss, the inner
 * objective's floating-point inputs (its views) are moved by L∞ PGD ({@link Pgd}) within ε to
 * maximise that objective's own loss, clamped to the valid input range; the model then trains on
 * the perturbed inputs, optionally mixed with the clean ones (weight w):
 *
 * <pre>
 *   min_θ  E[ w·L_inner(θ; x) + (1 − w)·max_{‖δ‖∞ ≤ ε} L_inner(θ; x + δ) ].
 * </pre>
 *
 * w = 0 trains on the perturbed inputs alone. A positive w is the dual-stream form of adversarial
 * contrastive learning (Jiang et al. 2020, ACL-DS: the clean and the adversarial loss together):
 * without it, a strong attack can make the constant representation the best answer, because
 * it gives a contrastive loss no perturbation can raise (e.g. log(2N − 1) for NT-Xent), and the
 * encoder collapses.
 *
 * <p>It composes through the SPI alone ({@link ForwardingObjective}): everything but the perturbation and
 * the loss's mix is the inner objective's, feature extraction, validation and artefacts included; the attack runs in {@link #perturb}, outside the loop's gradient collection,
 * and the loop zeroes the parameter gradients it leaves. Metrics {@code attackLossFirst} and
 * {@code attackLossLast} show the inner loss at the first and last ascent step, and
 * {@code cleanLoss} and {@code adversarialLoss} the two terms of the loss when w > 0.
 */
public final class AdversarialObjective extends ForwardingObjective {
    private final String innerName;
    private final Pgd.Settings attack;
    private final double cleanWeight;
    private NDList clean;
    private NDList perturbed;

    /**
     * @param inner the objective to pretrain adversarially
     * @param innerName its provider name, for messages
     * @param cleanWeight w in [0, 1], the weight of the loss on the clean inputs
     */
    public AdversarialObjective(Objective inner, String innerName, Pgd.Settings attack, double cleanWeight) {
        super(inner);
        if (!(cleanWeight >= 0 && cleanWeight <= 1)) {
            throw new IllegalArgumentException("clean weight must be in [0, 1], was " + cleanWeight);
        }
        this.innerName = innerName;
        this.attack = attack;
        this.cleanWeight = cleanWeight;
    }

    /** The wrapped objective. */
    public Objective inner() {
        return delegate();
    }

    /** Its provider name. */
    public String innerName() {
        return innerName;
    }

    /** The attack settings. */
    public Pgd.Settings attack() {
        return attack;
    }






    @Override
    public Map<String, String> metricCaptions() {
        Map<String, String> all = new java.util.LinkedHashMap<>(super.metricCaptions());
        all.put("cleanLoss", "The inner objective's loss on the clean views");
        all.put("adversarialLoss", "The inner objective's loss on the PGD-perturbed views");
        all.put("attackLossFirst", "The attack's loss at its first PGD step (logged steps only)");
        all.put("attackLossLast", "The attack's loss at its last PGD step: above the first when the attack works");
        return all;
    }

    /** The attack runs its own backward passes in {@code perturb}, on one device. */
    @Override
    public org.pretext.objective.Distribution distribution() {
        return org.pretext.objective.Distribution.SINGLE_DEVICE;
    }

    @Override
    public NDList perturb(StepContext ctx, NDList inputs) {
        NDList prepared = delegate().perturb(ctx, inputs);
        Pgd.Result r = Pgd.attack(prepared, in -> delegate().loss(ctx, in), attack);
        if (attack.steps() > 0) {
            ctx.metric("attackLossFirst", r.firstLoss());
            ctx.metric("attackLossLast", r.lastLoss());
        }
        clean = cleanWeight > 0 ? prepared : null;
        perturbed = r.inputs();
        return perturbed;
    }

    @Override
    public NDArray loss(StepContext ctx, NDList inputs) {
        NDList cleanInputs = inputs == perturbed ? clean : null;
        clean = null;
        perturbed = null;
        if (cleanInputs == null) {
            return delegate().loss(ctx, inputs);
        }
        NDArray cleanLoss = delegate().loss(ctx, cleanInputs);
        NDArray adversarialLoss = delegate().loss(ctx, inputs);
        ctx.metric("cleanLoss", cleanLoss.getFloat());
        ctx.metric("adversarialLoss", adversarialLoss.getFloat());
        return Scalars.mul(cleanLoss, cleanWeight).add(Scalars.mul(adversarialLoss, 1 - cleanWeight));
    }



}
