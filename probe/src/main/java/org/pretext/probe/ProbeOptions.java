package org.pretext.probe;

import ai.djl.Device;
import java.util.List;
import org.pretext.PretextException;

/**
 * What {@link ProbeSuite} evaluates and how.
 *
 * @param budgets label budgets, e.g. {@code [10, all]} or {@link LabelBudget#EFFICIENCY_CURVE}
 * @param draws random draws of the labelled subset per k-per-class budget ("all" has one)
 * @param seed run seed; every draw's seed is derived from it ({@link LabelDraws#drawSeed})
 * @param device where features, GEMMs and the solver's evaluations run
 * @param probes which evaluations to run, in report order: built-in ({@link NamedProbe#builtIn})
 *     or from any {@link org.pretext.evaluation.ProbeProvider}
 */
public record ProbeOptions(List<LabelBudget> budgets, int draws, long seed, Device device, List<NamedProbe> probes) {
    public ProbeOptions {
        if (budgets == null || budgets.isEmpty()) {
            throw new PretextException("No label budgets given: expected at least one, e.g. 10,all");
        }
        if (draws < 1) {
            throw new PretextException("Invalid number of draws " + draws + ": expected at least 1");
        }
        if (probes == null || probes.isEmpty()) {
            throw new PretextException("No probes given: expected at least one, e.g. logistic, knn, mean");
        }
        if (probes.stream().map(NamedProbe::name).distinct().count() != probes.size()) {
            throw new PretextException("A probe is named twice in " + probes.stream().map(NamedProbe::name).toList()
                    + ": expected each probe once");
        }
        if (device == null) {
            throw new PretextException("Probe options need a device");
        }
        budgets = List.copyOf(budgets);
        probes = List.copyOf(probes);
    }

    /**
     * The defaults: budgets 10 per class and all, 5 draws, seed 0, the three built-in probes
     * (logistic, knn, mean) with their defaults.
     */
    public static ProbeOptions defaults(Device device) {
        return new ProbeOptions(List.of(LabelBudget.of(10), LabelBudget.all()), 5, 0, device, NamedProbe.builtIns());
    }

    public ProbeOptions withBudgets(List<LabelBudget> b) {
        return new ProbeOptions(b, draws, seed, device, probes);
    }

    public ProbeOptions withDraws(int d) {
        return new ProbeOptions(budgets, d, seed, device, probes);
    }

    public ProbeOptions withSeed(long s) {
        return new ProbeOptions(budgets, draws, s, device, probes);
    }

    public ProbeOptions withDevice(Device d) {
        return new ProbeOptions(budgets, draws, seed, d, probes);
    }

    public ProbeOptions withProbes(List<NamedProbe> p) {
        return new ProbeOptions(budgets, draws, seed, device, p);
    }

    /** {@link #withProbes} of built-in probes by name, e.g. {@code withProbes("logistic", "knn")}. */
    public ProbeOptions withProbes(String... builtIns) {
        return withProbes(java.util.Arrays.stream(builtIns).map(NamedProbe::builtIn).toList());
    }
}
