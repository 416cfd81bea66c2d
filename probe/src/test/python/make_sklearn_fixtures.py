#!/usr/bin/python3
"""Makes the scikit-learn reference values the logistic probe is tested against.

Run once from the project root with Debian's scikit-learn (apt-get install python3-sklearn):

    /usr/bin/python3 probe/src/test/python/make_sklearn_fixtures.py [../shared/data/sklearn-digits/digits.csv.gz]

Writes into probe/src/test/resources/org/pretext/probe/sklearn/:
  synthetic-{train,test}-{features,labels}.npy  a seeded 4-class Gaussian problem (inputs of the
                                                 data-independent test; float32 features, int64 labels)
  synthetic-expected.json                        scikit-learn's fits on it
  digits-expected.json                           scikit-learn's fits on the UCI digits of
                                                 ../shared/data/sklearn-digits (not copied: the test
                                                 reads the shared file and skips when it is absent)

Each fit is make_pipeline(StandardScaler(), LogisticRegression(C=C, solver="lbfgs")) with the
scaler fitted on the training rows:
  "sklearn_defaults": LogisticRegression's lbfgs as users run it (tol=1e-4, max_iter=100); SciPy's
                      L-BFGS-B then usually stops on its relative-reduction test (ftol 2.2e-9),
                      a little short of the optimum;
  "optimum":          the same solver on scikit-learn's own objective (its LinearModelLoss with
                      HalfMultinomialLoss, exactly what LogisticRegression minimises) run by
                      SciPy's L-BFGS-B with ftol=0 and gtol=1e-10, i.e. to the optimum within
                      rounding; its largest gradient component is recorded.
"""
import gzip
import json
import os
import platform
import sys

import numpy as np
import scipy
import scipy.optimize
import sklearn
from sklearn._loss.loss import HalfMultinomialLoss
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model._linear_loss import LinearModelLoss
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "org", "pretext", "probe", "sklearn")


def describe(c, w, b, a, ytr, bte, yte, n_iter, how):
    z = a @ w.T + b
    zte = bte @ w.T + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    objective = log_loss(ytr, p, normalize=False, labels=np.arange(w.shape[0])) + 0.5 / c * float((w * w).sum())
    g = p.copy()
    g[np.arange(len(ytr)), ytr] -= 1
    grad = np.concatenate([(g.T @ a + w / c).ravel(), g.sum(axis=0)])
    return {"C": c, "solver": how, "n_iter": int(n_iter), "train_objective": objective,
            "gradient_max_abs": float(np.abs(grad).max()),
            "test_accuracy": float((zte.argmax(axis=1) == yte).mean()),
            "coef": w.tolist(), "intercept": b.tolist()}


def fit(xtr, ytr, xte, yte, c):
    scaler = StandardScaler().fit(xtr)
    a, bte = scaler.transform(xtr), scaler.transform(xte)
    m = LogisticRegression(C=c, solver="lbfgs").fit(a, ytr)
    default = describe(c, m.coef_, m.intercept_, a, ytr, bte, yte, m.n_iter_[0],
                       "LogisticRegression(C=%g, solver='lbfgs') defaults: tol=1e-4, max_iter=100" % c)
    k, d = m.coef_.shape
    loss = LinearModelLoss(base_loss=HalfMultinomialLoss(n_classes=k), fit_intercept=True)
    w0 = np.zeros((k, d + 1), order="F").ravel(order="F")
    res = scipy.optimize.minimize(loss.loss_gradient, w0, method="L-BFGS-B", jac=True,
                                  args=(a, ytr.astype(np.float64), np.ones(len(ytr)), 1.0 / c, 1),
                                  options={"gtol": 1e-10, "ftol": 0.0, "maxiter": 100000, "maxls": 50})
    coef = res.x.reshape(k, d + 1, order="F")
    optimum = describe(c, coef[:, :-1], coef[:, -1], a, ytr, bte, yte, res.nit,
                       "scipy L-BFGS-B on sklearn's LinearModelLoss, gtol=1e-10, ftol=0 (%s)" % res.message)
    return {"scaler_mean": scaler.mean_.tolist(), "scaler_scale": scaler.scale_.tolist(),
            "sklearn_defaults": default, "optimum": optimum}


def fits(xtr, ytr, xte, yte, cs):
    return [fit(xtr, ytr, xte, yte, c) for c in cs]


def versions():
    return {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "python": platform.python_version(), "script": "probe/src/test/python/make_sklearn_fixtures.py"}


def synthetic():
    rng = np.random.default_rng(20261121)
    classes, dim, per_class = 4, 6, 60
    means = rng.normal(0.0, 1.2, size=(classes, dim))
    scales = rng.uniform(0.5, 3.0, size=dim)

    def sample(n):
        y = np.repeat(np.arange(classes), n)
        x = (means[y] + rng.normal(size=(len(y), dim))) * scales
        x[:, 2] = 7.0  # a constant feature: StandardScaler leaves it with scale 1
        p = rng.permutation(len(y))
        return x[p].astype(np.float32), y[p].astype(np.int64)

    xtr, ytr = sample(per_class)
    xte, yte = sample(per_class)
    for name, arr in [("train-features", xtr), ("train-labels", ytr), ("test-features", xte), ("test-labels", yte)]:
        np.save(os.path.join(OUT, "synthetic-%s.npy" % name), arr)
    result = {"versions": versions(), "data": "seeded 4-class Gaussian problem, 240 train / 240 test, 6 features",
              "fits": fits(xtr.astype(np.float64), ytr, xte.astype(np.float64), yte, [0.1, 10.0])}
    with open(os.path.join(OUT, "synthetic-expected.json"), "w") as f:
        json.dump(result, f, indent=1)


def digits(path):
    with gzip.open(path, "rt") as f:
        data = np.loadtxt(f, delimiter=",")
    x, y = data[:, :64], data[:, 64].astype(np.int64)
    rows = np.arange(len(y))
    train_rows, test_rows = train_test_split(rows, test_size=0.3, random_state=0, stratify=y)
    train_rows, test_rows = np.sort(train_rows), np.sort(test_rows)
    result = {"versions": versions(),
              "data": "UCI optical digits as shipped by scikit-learn (%s), stratified 70/30 split" % os.path.basename(path),
              "train_rows": train_rows.tolist(), "test_rows": test_rows.tolist(),
              "fits": fits(x[train_rows], y[train_rows], x[test_rows], y[test_rows], [0.01, 1.0])}
    with open(os.path.join(OUT, "digits-expected.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    synthetic()
    digits_path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/sklearn-digits/digits.csv.gz"
    if os.path.exists(digits_path):
        digits(digits_path)
    else:
        print("digits not found at %s: digits-expected.json not regenerated" % digits_path)
    print("scikit-learn", sklearn.__version__, "->", os.path.normpath(OUT))
    for name in ["synthetic", "digits"]:
        path = os.path.join(OUT, name + "-expected.json")
        if os.path.exists(path):
            with open(path) as f:
                for fitted in json.load(f)["fits"]:
                    for key in ["sklearn_defaults", "optimum"]:
                        r = fitted[key]
                        print("%-9s C=%-5g %-16s iter %4d  objective %.10f  |grad| %.2e  test accuracy %.4f"
                              % (name, r["C"], key, r["n_iter"], r["train_objective"], r["gradient_max_abs"],
                                 r["test_accuracy"]))
