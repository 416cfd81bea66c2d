package org.pretext.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LbfgsTest {
    private static final Lbfgs TIGHT = new Lbfgs(new Lbfgs.Options(10, 1e-10, 0, 5000, 40));

    @Test
    void findsTheMinimumOfAnIllConditionedQuadratic() {
        // f(x) = ½ Σ_i a_i (x_i − c_i)² with curvatures from 1 to 10^4: minimum f = 0 at x = c.
        int n = 50;
        double[] a = new double[n];
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = Math.pow(10, 4.0 * i / (n - 1));
            c[i] = Math.sin(i + 1);
        }
        DifferentiableFunction f = (x, g) -> {
            double v = 0;
            for (int i = 0; i < n; i++) {
                double e = x[i] - c[i];
                v += 0.5 * a[i] * e * e;
                g[i] = a[i] * e;
            }
            return v;
        };
        Lbfgs.Result r = TIGHT.minimize(f, new double[n]);
        assertThat(r.x()).containsExactly(c, within(1e-9));
        assertThat(r.value()).isLessThan(1e-16);
        assertThat(r.stopReason()).isEqualTo("gradient");
    }

    @Test
    void findsTheMinimumOfRosenbrock() {
        // f(x, y) = (1 − x)² + 100 (y − x²)²: a curved valley, minimum 0 at (1, 1).
        DifferentiableFunction f = (x, g) -> {
            double a = 1 - x[0];
            double b = x[1] - x[0] * x[0];
            g[0] = -2 * a - 400 * x[0] * b;
            g[1] = 200 * b;
            return a * a + 100 * b * b;
        };
        Lbfgs.Result r = TIGHT.minimize(f, new double[] {-1.2, 1.0});
        assertThat(r.x()).containsExactly(new double[] {1, 1}, within(1e-7));
        assertThat(r.iterations()).isLessThan(100);
    }

    @Test
    void stopsOnTheRelativeReductionTestLikeScipy() {
        // Same quadratic with a loose tolerance: the relative-reduction rule ends the run early,
        // and the cap on iterations is honoured.
        DifferentiableFunction f = (x, g) -> {
            double v = 0;
            for (int i = 0; i < x.length; i++) {
                double w = i + 1;
                v += 0.5 * w * (x[i] - 1) * (x[i] - 1) + 1000;
                g[i] = w * (x[i] - 1);
            }
            return v;
        };
        Lbfgs.Result loose = new Lbfgs(new Lbfgs.Options(5, 0, 1e-6, 1000, 20)).minimize(f, new double[10]);
        assertThat(loose.stopReason()).isEqualTo("relative reduction");
        Lbfgs.Result capped = new Lbfgs(new Lbfgs.Options(5, 0, 0, 2, 20)).minimize(f, new double[10]);
        assertThat(capped.iterations()).isEqualTo(2);
        assertThat(capped.stopReason()).isEqualTo("max iterations");
    }

    @Test
    void badOptionsAreNamedWithTheirValues() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Lbfgs.Options(0, 1e-4, -1, 100, 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("history 0 (expected >= 1)")
                .hasMessageContaining("relative tolerance -1.0").hasMessageContaining("max iterations 100");
    }

    @Test
    void cubicInterpolationIsExactForACubic() {
        // φ(a) = a³ − 6a², φ'(a) = 3a² − 12a: local minimum at a = 4, recovered from a = 1 and a = 5.
        double m = LineSearch.cubicMinimizer(1, 1 - 6, 3 - 12, 5, 125 - 150, 75 - 60);
        assertThat(m).isCloseTo(4, within(1e-12));
    }
}
