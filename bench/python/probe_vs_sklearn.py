#!/usr/bin/python3
"""scikit-learn's side of the probe benchmark (run by org.pretext.bench.ProbeBenchmark).

Run with Debian's scikit-learn: /usr/bin/python3 (apt-get install python3-sklearn). It reads the
features and splits the Java side wrote into DIR and times, on the same data and with the same
thread count:

  single    make_pipeline(StandardScaler(), LogisticRegression(C, solver="lbfgs", max_iter))
            fitted on all training rows: seconds (scaler + fit), iterations, test accuracy, and
            the float64 objective of its solution and of the Java probe's (DIR/java-float32-coef.npy,
            java-float64-coef.npy and their -intercept.npy, when present);
  protocol  the probe's protocol with the same held-out rows (DIR/fit-rows.npy, DIR/val-rows.npy):
            scaler fitted on the fitting rows, the C grid walked from strong to weak regularisation
            with warm starts (warm_start=True), stop after `patience` candidates without a better
            validation accuracy (ties: lower validation log-loss), refit on all training rows at the
            chosen C warm-started from its path fit (scaler refitted), test accuracy.

Prints one JSON object on stdout.
"""
import argparse
import json
import os
import platform
import time
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def objective(a, y, coef, intercept, c):
    z = a @ coef.T + intercept
    z -= z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].sum() + 0.5 / c * (coef * coef).sum())


def single(xtr, ytr, xte, yte, c, max_iter, d):
    t0 = time.perf_counter()
    scaler = StandardScaler().fit(xtr)
    a = scaler.transform(xtr)
    m = LogisticRegression(C=c, solver="lbfgs", max_iter=max_iter).fit(a, ytr)
    seconds = time.perf_counter() - t0
    b = scaler.transform(xte)
    out = {"C": c, "seconds": seconds, "iterations": int(m.n_iter_[0]),
           "test_accuracy": float(m.score(b, yte)),
           "objective": objective(a, ytr, m.coef_, m.intercept_, c)}
    out["java"] = {}
    for tag in ["float32", "float64"]:
        java = os.path.join(d, "java-%s-coef.npy" % tag)
        if os.path.exists(java):
            # The Java probe's solution in its own standardised space (saved as float32); its scaler
            # is the population mean/sd of the same rows, recomputed here in float64.
            coef = np.load(java).astype(np.float64)
            intercept = np.load(os.path.join(d, "java-%s-intercept.npy" % tag)).astype(np.float64).reshape(-1)
            out["java"][tag] = {"objective": objective(a, ytr, coef, intercept, c),
                                "test_accuracy": float(((b @ coef.T + intercept).argmax(axis=1) == yte).mean())}
    return out


def protocol(xtr, ytr, xte, yte, fit_rows, val_rows, grid, patience, max_iter):
    t0 = time.perf_counter()
    scaler = StandardScaler().fit(xtr[fit_rows])
    a, v = scaler.transform(xtr[fit_rows]), scaler.transform(xtr[val_rows])
    yf, yv = ytr[fit_rows], ytr[val_rows]
    est = LogisticRegression(solver="lbfgs", max_iter=max_iter, warm_start=True)
    best = None
    misses = 0
    path = []
    for c in sorted(grid):
        est.set_params(C=c)
        est.fit(a, yf)
        p = est.predict_proba(v)
        acc = float((p.argmax(axis=1) == yv).mean())
        nll = float(-np.log(np.maximum(p[np.arange(len(yv)), yv], 1e-300)).mean())
        path.append({"C": c, "val_accuracy": acc, "val_logloss": nll, "iterations": int(est.n_iter_[0])})
        if best is None or acc > best[1] or (acc == best[1] and nll < best[2]):
            best = (c, acc, nll, est.coef_.copy(), est.intercept_.copy())
            misses = 0
        else:
            misses += 1
            if patience > 0 and misses >= patience:
                break
    c, _, _, coef, intercept = best
    scaler = StandardScaler().fit(xtr)
    final = LogisticRegression(C=c, solver="lbfgs", max_iter=max_iter, warm_start=True)
    final.coef_, final.intercept_ = coef, intercept
    final.fit(scaler.transform(xtr), ytr)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "chosen_C": c, "path": path, "final_iterations": int(final.n_iter_[0]),
            "test_accuracy": float(final.score(scaler.transform(xte), yte))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--c", type=float, required=True)
    ap.add_argument("--grid", required=True, help="comma-separated C values")
    ap.add_argument("--patience", type=int, default=1)
    ap.add_argument("--max-iter", type=int, default=1000)
    ap.add_argument("--parts", default="protocol,single")
    args = ap.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    d = args.dir
    # float32 on disk, as the Java side has them; scikit-learn's lbfgs works in float64.
    xtr = np.load(os.path.join(d, "train-features.npy")).astype(np.float64)
    ytr = np.load(os.path.join(d, "train-labels.npy")).astype(np.int64)
    xte = np.load(os.path.join(d, "test-features.npy")).astype(np.float64)
    yte = np.load(os.path.join(d, "test-labels.npy")).astype(np.int64)
    out = {"versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
                        "python": platform.python_version()},
           "blas": {k: os.environ.get(k) for k in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_CORETYPE"]},
           "shape": list(xtr.shape)}
    parts = args.parts.split(",")
    if "protocol" in parts:
        out["protocol"] = protocol(xtr, ytr, xte, yte, np.load(os.path.join(d, "fit-rows.npy")),
                                   np.load(os.path.join(d, "val-rows.npy")),
                                   [float(c) for c in args.grid.split(",")], args.patience, args.max_iter)
    if "single" in parts:
        out["single"] = single(xtr, ytr, xte, yte, args.c, args.max_iter, d)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
