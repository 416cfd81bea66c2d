package org.pretext.probe;

/** Classification accuracy and the mean ± standard deviation of repeated measurements. */
public final class Accuracy {
    private Accuracy() {}

    /** Fraction of positions where the prediction equals the label. */
    public static double of(int[] predicted, int[] labels) {
        if (predicted.length != labels.length || labels.length == 0) {
            throw new IllegalArgumentException(predicted.length + " predictions for " + labels.length + " labels");
        }
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (predicted[i] == labels[i]) {
                correct++;
            }
        }
        return correct / (double) labels.length;
    }

    /** Arithmetic mean. */
    public static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Sample standard deviation (n − 1 in the denominator); 0 for a single value. */
    public static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
