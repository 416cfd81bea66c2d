package org.pretext.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pretext.encoder.Features;
import org.pretext.engine.Engines;
import org.pretext.testing.SharedData;

/**
 * The logistic probe against scikit-learn 1.2.1 on the fixtures made by
 * {@code probe/src/test/python/make_sklearn_fixtures.py} (values stored beside this test in
 * {@code resources/org/pretext/probe/sklearn}):
 * <ul>
 *   <li>with scikit-learn's stopping rules (gtol 1e-4, ftol 2.2e-9), test accuracy within 0.3 points
 *       of {@code LogisticRegression(C, solver="lbfgs")} and every coefficient within 1e-3 × the
 *       largest coefficient of scikit-learn's (both solvers stop on the same relative-reduction
 *       test a little short of the optimum; measured: 2e-16 to 5e-5);
 *   <li>solved to the optimum (gtol 1e-8, ftol 0), coefficients and centred intercepts within
 *       1e-6 × the largest coefficient of scikit-learn's optimum (measured: ≤ 2e-7), the objective
 *       equal to 1e-9 relative and the same test accuracy;
 *   <li>with single-precision GEMMs ({@link Precision#FLOAT32}, the probe's default) and
 *       scikit-learn's stopping rules: accuracy within 0.3 points, coefficients within 1e-3 × the
 *       largest of the optimum's (measured: ≤ 3.5e-4), objective within 1e-6 relative of the
 *       optimum (measured: ≤ 2e-7).
 * </ul>
 * The synthetic fixture's inputs are stored too, so that part runs anywhere; the digits part reads
 * {@code ../shared/data/sklearn-digits} and skips when it is absent.
 */
class SklearnAgreementTest {
    private static final String DIR = "/org/pretext/probe/sklearn/";
    private static NDManager manager;

    @BeforeAll
    static void start() {
        Engines.engine();
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void syntheticFixtureMatchesSklearn() throws Exception {
        Features.Matrix train = FeatureFiles.readFeatures(resource("synthetic-train-features.npy"));
        int[] trainLabels = FeatureFiles.readLabels(resource("synthetic-train-labels.npy"));
        Features.Matrix test = FeatureFiles.readFeatures(resource("synthetic-test-features.npy"));
        int[] testLabels = FeatureFiles.readLabels(resource("synthetic-test-labels.npy"));
        assertThat(train.rows()).isEqualTo(240);
        assertThat(train.cols()).isEqualTo(6);
        compare("synthetic", json("synthetic-expected.json"), train.values(), trainLabels, test.values(), testLabels,
                6, 4);
    }

    @Test
    void digitsMatchSklearn() throws Exception {
        Path digits = SharedData.require("sklearn-digits").resolve("digits.csv.gz");
        List<float[]> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(digits)), StandardCharsets.US_ASCII))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] parts = line.split(",");
                float[] v = new float[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    v[i] = Float.parseFloat(parts[i]);
                }
                rows.add(v);
            }
        }
        assertThat(rows).hasSize(1797);
        JsonObject expected = json("digits-expected.json");
        int[] trainRows = ints(expected.getAsJsonArray("train_rows"));
        int[] testRows = ints(expected.getAsJsonArray("test_rows"));
        float[] xtr = new float[trainRows.length * 64];
        int[] ytr = new int[trainRows.length];
        float[] xte = new float[testRows.length * 64];
        int[] yte = new int[testRows.length];
        for (int i = 0; i < trainRows.length; i++) {
            float[] r = rows.get(trainRows[i]);
            System.arraycopy(r, 0, xtr, i * 64, 64);
            ytr[i] = (int) r[64];
        }
        for (int i = 0; i < testRows.length; i++) {
            float[] r = rows.get(testRows[i]);
            System.arraycopy(r, 0, xte, i * 64, 64);
            yte[i] = (int) r[64];
        }
        compare("digits", expected, xtr, ytr, xte, yte, 64, 10);
    }

    private static void compare(String name, JsonObject expected, float[] xtr, int[] ytr, float[] xte, int[] yte,
            int d, int classes) {
        assertThat(expected.getAsJsonObject("versions").get("sklearn").getAsString()).isEqualTo("1.2.1");
        try (NDManager m = manager.newSubManager()) {
            NDArray train = m.create(xtr, new Shape(ytr.length, d));
            NDArray test = m.create(xte, new Shape(yte.length, d));
            NDArray testLabels = m.create(yte);
            for (var fitElement : expected.getAsJsonArray("fits")) {
                JsonObject fit = fitElement.getAsJsonObject();
                JsonObject sk = fit.getAsJsonObject("sklearn_defaults");
                JsonObject opt = fit.getAsJsonObject("optimum");
                double c = sk.get("C").getAsDouble();

                LogisticModel defaults = new LogisticRegression(Precision.FLOAT64, Lbfgs.Options.sklearnLike(100))
                        .fit(train, ytr, classes, c, null);
                assertThat(defaults.standardizer().mean()).containsExactly(doubles(fit.getAsJsonArray("scaler_mean")),
                        within(1e-9));
                assertThat(defaults.standardizer().scale()).containsExactly(
                        doubles(fit.getAsJsonArray("scaler_scale")), within(1e-9));
                double accuracy = defaults.evaluate(test, testLabels, Precision.FLOAT64)[0];
                double skAccuracy = sk.get("test_accuracy").getAsDouble();
                double[] skCoef = flatten(sk.getAsJsonArray("coef"));
                double scale = maxAbs(doubles(flattenArray(opt.getAsJsonArray("coef"))));
                double defaultCoefGap = maxAbsDiff(defaults.coefficients(), skCoef) / scale;

                LogisticModel optimum = new LogisticRegression(Precision.FLOAT64,
                        new Lbfgs.Options(10, 1e-8, 0, 10000, 50)).fit(train, ytr, classes, c, null);
                double[] optCoef = flatten(opt.getAsJsonArray("coef"));
                double optCoefGap = maxAbsDiff(optimum.coefficients(), optCoef) / scale;
                double optInterceptGap = maxAbsDiff(centered(optimum.intercepts()),
                        centered(doubles(opt.getAsJsonArray("intercept")))) / scale;
                double optObjective = opt.get("train_objective").getAsDouble();
                System.out.printf(Locale.ROOT, "%s C=%g: accuracy %.4f (sklearn %.4f), default-stop coef gap %.2e"
                        + " (%s); optimum coef gap %.2e, intercept gap %.2e, objective %.10f (sklearn %.10f, %s)%n",
                        name, c, accuracy, skAccuracy, defaultCoefGap, defaults.optimization(), optCoefGap,
                        optInterceptGap, optimum.optimization().value(), optObjective, optimum.optimization());

                assertThat(Math.abs(accuracy - skAccuracy)).as("%s C=%g accuracy gap", name, c).isLessThanOrEqualTo(0.003);
                assertThat(defaultCoefGap).as("%s C=%g coefficients at sklearn's stopping rule", name, c)
                        .isLessThan(1e-3);
                assertThat(optCoefGap).as("%s C=%g coefficients at the optimum", name, c).isLessThan(1e-6);
                assertThat(optInterceptGap).as("%s C=%g intercepts at the optimum", name, c).isLessThan(1e-6);
                assertThat(optimum.optimization().value()).isCloseTo(optObjective, within(1e-9 * optObjective));
                assertThat(optimum.evaluate(test, testLabels, Precision.FLOAT64)[0])
                        .isCloseTo(opt.get("test_accuracy").getAsDouble(), within(1e-12));

                // Single-precision GEMMs (the probe's fast mode): same stopping rule, same accuracy.
                LogisticModel single = new LogisticRegression(Precision.FLOAT32, Lbfgs.Options.sklearnLike(100))
                        .fit(train, ytr, classes, c, null);
                double singleAccuracy = single.evaluate(test, testLabels, Precision.FLOAT32)[0];
                double singleGap = maxAbsDiff(single.coefficients(), optCoef) / scale;
                double singleObjectiveGap = (objective(train, ytr, classes, c, single) - optObjective) / optObjective;
                System.out.printf(Locale.ROOT, "%s C=%g float32: accuracy %.4f, coef gap to optimum %.2e, objective"
                        + " gap %.2e (%s)%n", name, c, singleAccuracy, singleGap, singleObjectiveGap,
                        single.optimization());
                assertThat(Math.abs(singleAccuracy - skAccuracy)).as("%s C=%g float32 accuracy gap", name, c)
                        .isLessThanOrEqualTo(0.003);
                assertThat(singleGap).as("%s C=%g float32 coefficients", name, c).isLessThan(1e-3);
                assertThat(singleObjectiveGap).as("%s C=%g float32 objective", name, c).isBetween(-1e-12, 1e-6);
            }
        }
    }

    /** The float64 objective of a model's parameters on the rows it was fitted on. */
    private static double objective(NDArray train, int[] labels, int classes, double c, LogisticModel model) {
        try (NDManager m = train.getManager().newSubManager()) {
            NDArray x = model.standardizer().apply(m, train, Precision.FLOAT64.dataType());
            NDArray oneHot = m.create(labels).oneHot(classes, ai.djl.ndarray.types.DataType.FLOAT64);
            SoftmaxRegressionLoss loss = new SoftmaxRegressionLoss(x, oneHot, 1 / c, Precision.FLOAT64);
            return loss.evaluate(model.theta(), new double[loss.parameterCount()]);
        }
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(SklearnAgreementTest.class.getResource(DIR + name).toURI());
    }

    static JsonObject json(String name) throws IOException {
        try (InputStream in = SklearnAgreementTest.class.getResourceAsStream(DIR + name)) {
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    private static int[] ints(JsonArray a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).getAsInt();
        }
        return r;
    }

    private static double[] doubles(JsonArray a) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).getAsDouble();
        }
        return r;
    }

    private static JsonArray flattenArray(JsonArray rows) {
        JsonArray out = new JsonArray();
        for (var row : rows) {
            out.addAll(row.getAsJsonArray());
        }
        return out;
    }

    private static double[] flatten(JsonArray rows) {
        return doubles(flattenArray(rows));
    }

    private static double[] centered(double[] v) {
        double mean = 0;
        for (double x : v) {
            mean += x / v.length;
        }
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i] - mean;
        }
        return r;
    }

    private static double maxAbs(double[] v) {
        return Lbfgs.maxAbs(v);
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        assertThat(a).hasSameSizeAs(b);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
