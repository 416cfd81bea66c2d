package org.pretext.probe;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.pretext.encoder.Features;
import org.pretext.engine.Engines;

/** Every probe frees what it creates: the long-lived manager holding the features gains nothing. */
class NoLeakTest {
    @Test
    void probesLeaveNoArraysBehind() {
        Engines.engine();
        Features.Matrix train = ProbeSuiteTest.gaussian(20, 4, 8, 1, 3);
        Features.Matrix test = ProbeSuiteTest.gaussian(20, 4, 8, 2, 3);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = m.create(train.values(), new Shape(train.rows(), train.cols()));
            NDArray tx = m.create(test.values(), new Shape(test.rows(), test.cols()));
            NDArray ty = m.create(test.labels());
            BaseNDManager base = (BaseNDManager) m;
            int before = base.getManagedArrays().size();
            LogisticProbe probe = new LogisticProbe(LogisticOptions.defaults());
            for (int i = 0; i < 3; i++) {
                probe.run(train, null, x, tx, ty, i, m);
                LogisticModel model = new LogisticRegression(Precision.FLOAT64, Lbfgs.Options.sklearnLike(50))
                        .fit(x, train.labels(), 4, 1.0, null);
                model.evaluate(tx, ty, Precision.FLOAT64);
                new KnnClassifier(5, 0.07, 7).predict(x, train.labels(), 4, tx);
                new MeanClassifier(7).predict(x, train.labels(), 4, tx);
                Standardizer.fit(x);
            }
            assertThat(base.getManagedArrays().size()).as("arrays left in the features' manager").isEqualTo(before);
        }
    }
}
