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
 * @param probes which evaluations to run, in report order
 * @param logistic the logistic probe's settings
 * @param knnK neighbours of the kNN probe (20)
 * @param knnTemperature temperature of its vote weights (0.07)
 * @param batchSize queries per similarity GEMM of kNN and the mean classifier
 */
public record ProbeOptions(List<LabelBudget> budgets, int draws, long seed, Device device, List<ProbeKind> probes,
        LogisticOptions logistic, int knnK, double knnTemperature, int batchSize) {
    public ProbeOptions {
        if (budgets == null || budgets.isEmpty()) {
            throw new PretextException("No label budgets given: expected at least one, e.g. 10,all");
        }
        if (draws < 1) {
            throw new PretextException("Invalid number of draws " + draws + ": expected at least 1");
        }
        if (probes == null || probes.isEmpty()) {
            throw new PretextException("No probes given: expected at least one of logistic, knn, mean");
        }
        if (knnK < 1) {
            throw new PretextException("Invalid kNN k " + knnK + ": expected at least 1");
        }
        if (!(knnTemperature > 0)) {
            throw new PretextException("Invalid kNN temperature " + knnTemperature + ": expected a value > 0");
        }
        if (batchSize < 1) {
            throw new PretextException("Invalid probe batch size " + batchSize + ": expected at least 1");
        }
        if (device == null || logistic == null) {
            throw new PretextException("Probe options need a device and logistic settings");
        }
        budgets = List.copyOf(budgets);
        probes = List.copyOf(probes);
    }

    /**
     * The defaults: budgets 10 per class and all, 5 draws, seed 0, all three probes, default
     * logistic settings, kNN k = 20 and T = 0.07, batches of 1,024 queries.
     */
    public static ProbeOptions defaults(Device device) {
        return new ProbeOptions(List.of(LabelBudget.of(10), LabelBudget.all()), 5, 0, device,
                List.of(ProbeKind.LOGISTIC, ProbeKind.KNN, ProbeKind.MEAN), LogisticOptions.defaults(),
                KnnClassifier.DEFAULT_K, KnnClassifier.DEFAULT_TEMPERATURE, 1024);
    }

    public ProbeOptions withBudgets(List<LabelBudget> b) {
        return new ProbeOptions(b, draws, seed, device, probes, logistic, knnK, knnTemperature, batchSize);
    }

    public ProbeOptions withDraws(int d) {
        return new ProbeOptions(budgets, d, seed, device, probes, logistic, knnK, knnTemperature, batchSize);
    }

    public ProbeOptions withSeed(long s) {
        return new ProbeOptions(budgets, draws, s, device, probes, logistic, knnK, knnTemperature, batchSize);
    }

    public ProbeOptions withDevice(Device d) {
        return new ProbeOptions(budgets, draws, seed, d, probes, logistic, knnK, knnTemperature, batchSize);
    }

    public ProbeOptions withProbes(List<ProbeKind> p) {
        return new ProbeOptions(budgets, draws, seed, device, p, logistic, knnK, knnTemperature, batchSize);
    }

    public ProbeOptions withLogistic(LogisticOptions l) {
        return new ProbeOptions(budgets, draws, seed, device, probes, l, knnK, knnTemperature, batchSize);
    }

    public ProbeOptions withKnn(int k, double temperature) {
        return new ProbeOptions(budgets, draws, seed, device, probes, logistic, k, temperature, batchSize);
    }
}
