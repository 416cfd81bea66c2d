package org.pretext.contrastive;

import org.pretext.registry.ProviderBase;
import org.pretext.adversarial.Pgd;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamException;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;

/**
 * {@code adversarial}: wraps any objective found by {@link java.util.ServiceLoader}, named by
 * {@code objective} with its parameters in {@code objective-params}, and pretrains it on inputs
 * perturbed by PGD to maximise its loss ({@link AdversarialObjective}). The attack defaults are
 * those of adversarial contrastive pretraining on [0, 1] images (Jiang et al. 2020: ε = 8/255,
 * step 2/255, 5 steps, random start), with the clean and the adversarial loss weighted equally
 * as in its dual-stream form. The inner objective's parameters are validated when the
 * wrapper is created, with messages naming the inner objective.
 */
public final class AdversarialObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** The inner objective's provider name. */
    public static final Param<String> OBJECTIVE = Param.ofString("objective", "simclr",
            "name of the objective to pretrain adversarially (any installed objective provider)");
    /** The inner objective's parameters, a nested section. */
    public static final Param<Map<String, Object>> OBJECTIVE_PARAMS = Param.ofSection("objective-params",
            "the inner objective's own parameters, as a section (YAML: objective-params: {temperature: 0.2};"
                    + " command line: --set objective.params.objective-params.temperature=0.2); the older"
                    + " 'temperature=0.2,projection-dim=64' text is still read");
    /** ε. */
    public static final Param<Double> EPSILON = Param.ofDouble("epsilon", 8.0 / 255,
            "ε, the L∞ radius of the perturbation, in input units (8/255 on [0, 1] images)").atLeast(0);
    /** α. */
    public static final Param<Double> STEP_SIZE = Param.ofDouble("step-size", 2.0 / 255,
            "α, the size of each signed-gradient ascent step (2/255)").atLeast(0);
    /** PGD steps. */
    public static final Param<Integer> STEPS = Param.ofInt("steps", 5,
            "PGD ascent steps per training step (each costs a forward and backward pass)").atLeast(0);
    /** Random start. */
    public static final Param<Boolean> RANDOM_START = Param.ofBoolean("random-start", true,
            "start the attack from a uniform random point of the ε-ball");
    /** w, the weight of the clean loss. */
    public static final Param<Double> CLEAN_WEIGHT = Param.ofDouble("clean-weight", 0.5,
            "w: the loss is w·L(clean) + (1-w)·L(perturbed); 0 trains on perturbed inputs alone (which a strong attack"
                    + " can drive to a collapsed encoder), 0.5 is ACL's dual-stream sum of both, halved")
            .atLeast(0).atMost(1);
    /** Lowest valid input. */
    public static final Param<Double> MIN_VALUE = Param.ofDouble("min-value", 0,
            "lowest valid input value; perturbed inputs are clamped to [min-value, max-value]");
    /** Highest valid input. */
    public static final Param<Double> MAX_VALUE = Param.ofDouble("max-value", 1, "highest valid input value");

    public AdversarialObjectiveProvider() {
        super(Versions.SPI_VERSION, "adversarial", "Adversarial pretraining of any objective: PGD perturbs its inputs to maximise its loss",
                List.of(OBJECTIVE, OBJECTIVE_PARAMS, EPSILON, STEP_SIZE, STEPS, RANDOM_START, CLEAN_WEIGHT, MIN_VALUE,
                MAX_VALUE));
    }

    @Override
    public Objective create(ParamValues p) {
        p.require(p.get(MAX_VALUE) > p.get(MIN_VALUE), MAX_VALUE.name(), "a number > min-value (" + p.get(MIN_VALUE)
                + ")");
        String innerName = p.get(OBJECTIVE);
        if (innerName == null || innerName.isBlank()) {
            throw new ParamException(p.owner(), OBJECTIVE.name(), String.valueOf(innerName),
                    "the name of an installed objective, e.g. simclr");
        }
        innerName = innerName.trim();
        ObjectiveProvider provider = ProviderRegistry.load(ObjectiveProvider.class, "objective").get(innerName);
        Map<String, Object> raw = p.get(OBJECTIVE_PARAMS);
        ParamValues innerParams = ParamValues.resolve(
                "objective '" + innerName + "' (wrapped by '" + name() + "')", provider.parameters(), raw);
        Objective inner = provider.create(innerParams);
        return new AdversarialObjective(inner, innerName, new Pgd.Settings(p.get(EPSILON), p.get(STEP_SIZE),
                p.get(STEPS), p.get(RANDOM_START), p.get(MIN_VALUE), p.get(MAX_VALUE)), p.get(CLEAN_WEIGHT));
    }
}
