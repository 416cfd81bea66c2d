package org.pretext.probe;

/** A smooth function of a parameter vector that returns its value and writes its gradient. */
@FunctionalInterface
public interface DifferentiableFunction {
    /**
     * @param x the point (not modified)
     * @param gradient receives ∇f(x); same length as {@code x}
     * @return f(x)
     */
    double evaluate(double[] x, double[] gradient);
}
