"""Reference linear probes computed with scikit-learn, for clip4j's LogisticRegression and LinearProbe.

Usage: /usr/bin/python3 gen.py OUT_DIR      (writes cases.json and <problem>-*.npy into OUT_DIR)

Every problem is made of L2-normalised float32 feature rows, like CLIP's image_features: a direction shared by all
rows (CLIP features lie in a narrow cone), one direction per class, and Gaussian noise, normalised after summing.
The rows are dumped explicitly (<problem>-x.npy, float32, rows ordered train, validation, test, each split
shuffled), so no random generator has to be reproduced on the Java side.

For each problem and each C of FIT_CS, fitted on the training rows:

* "sklearn_paper": sklearn.linear_model.LogisticRegression(random_state=0, C=C, max_iter=1000), the CLIP paper's
  call (Appendix A.3: solver lbfgs, default tol 1e-4): its iteration count, its objective, its test accuracy and
  its predicted class for every test row ("test_predictions").
  In scikit-learn 1.2.1 (like the paper-era versions) the lbfgs solver minimises
  sum_i CE_i + ||W||^2 / (2 C) with scipy's L-BFGS-B (gtol = tol, scipy's default ftol = 2.2e-9, maxls = 20);
  1.4 and later minimise the mean-scaled objective (mean CE + ||W||^2 / (2 C n)) with gtol = tol, ftol = 64 eps,
  maxls = 50. gen.py runs with either (SKLEARN_MEAN_SCALED); the stored files were made with 1.2.1.
* "optimum": the exact minimiser, made by fitting sklearn's LogisticRegression with tol=1e-12 and max_iter=10000
  and then taking Newton steps with the exact Hessian (numpy, float64, backtracking) until the gradient stops
  shrinking. The objective is strictly convex in W and, for K > 2 classes, invariant only to adding one constant
  to all intercepts; every iterate (sklearn's too, from zero) keeps sum(intercepts) = 0, so the minimiser is
  unique. Its value is checked against sklearn's own LinearModelLoss. Stored: coefficients and intercepts in
  sklearn's layout (<problem>-coef.npy [len(FIT_CS), R, D], <problem>-intercept.npy [len(FIT_CS), R], R = K, or
  R = 1 for a binary problem), predict_proba of the test rows (<problem>-proba.npy [len(FIT_CS), n_test, K]), the
  objective (mean-scaled: mean CE + ||W||^2 / (2 C n), i.e. the sklearn value divided by n), max|gradient| of the
  mean-scaled objective, the smallest eigenvalue of its Hessian there (on sum(intercepts) = 0), and test accuracy.

Binary problems (K = 2): scikit-learn fits ONE weight vector w and intercept b (HalfBinomialLoss, decision value
w x + b, P(class 1) = sigmoid(w x + b)), penalised ||w||^2 / (2 C), not the two-row softmax parametrisation.

"grid": for every log10 C = -6, -5.875, ..., 6 (the 97 values the sweep can try), the exact optimum of the fit on
the training rows (objective, validation rows right, smallest top-1 margin of the validation rows, smallest Hessian
eigenvalue), the paper's sklearn call on the training rows ("paper_*": iteration count, objective, validation rows
right) and the exact optimum of the refit on training + validation rows (test rows right, smallest top-1 margin of
the test rows, smallest Hessian eigenvalue). The top-1 margin of a row is its largest decision value minus the second
largest (binary: |w x + b|). Objectives are mean-scaled, as everywhere in this file.

The C sweep (LinearProbe's protocol, clip4j's ParametricSearch): log10 C on the coarse grid -6, -4, ..., 6, then
step 1, 0.5, 0.25, 0.125 around the best so far, trying centre - step then centre + step, skipping exponents
outside [-6, 6] or already tried; a point replaces the best only with a strictly higher validation accuracy (ties
keep the earlier point). Score: top-1 accuracy on the validation rows of the fit on the training rows. Then the
classifier is refitted with the chosen C on training + validation rows (in that order) and scored on the test rows.
Run twice: on the grid's exact optima ("sweep_optimum"), and with the paper's sklearn call at tol 1e-4
("sweep_sklearn_paper").
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model._linear_loss import LinearModelLoss
from sklearn._loss.loss import HalfBinomialLoss, HalfMultinomialLoss

FIT_CS = [0.001, 0.316, 10.0, 1000.0]
SKLEARN_MEAN_SCALED = tuple(int(i) for i in sklearn.__version__.split(".")[:2]) >= (1, 4)

# name: classes, dim, per-class counts (train, validation, test), class separation, noise, shared offset, seed
PROBLEMS = {
    "multiclass": dict(k=10, d=64, train=[30] * 10, val=[10] * 10, test=[20] * 10, sep=0.3, noise=1.0,
                       offset=1.5, seed=1,
                       what="10 balanced classes, 64 dims, overlapping (test accuracy well below 1)"),
    "imbalanced": dict(k=5, d=48, train=[120, 50, 24, 12, 6], val=[30, 12, 6, 3, 2], test=[60, 25, 12, 6, 3],
                       sep=0.4, noise=1.0, offset=1.5, seed=2,
                       what="5 classes with 20:1 imbalance, 48 dims: the intercepts carry the class priors"),
    "separable": dict(k=4, d=32, train=[40] * 4, val=[10] * 4, test=[25] * 4, sep=0.4, noise=0.55, offset=1.5,
                      seed=3, what="4 classes, 32 dims, nearly separable: the weights grow with C"),
    "binary": dict(k=2, d=32, train=[90, 60], val=[25, 15], test=[60, 40], sep=0.35, noise=1.0, offset=1.5,
                   seed=4, what="2 classes, 32 dims: sklearn's binary parametrisation (one weight vector)"),
}

LOG10_LO, LOG10_HI, COARSE_STEP, FINAL_STEP = -6.0, 6.0, 2.0, 0.125
GRID_STEPS = round((LOG10_HI - LOG10_LO) / FINAL_STEP)  # 96 steps: every log10 C the sweep can try


def make_split(rng, centres, shared, counts, noise, dim):
    xs, ys = [], []
    for c, m in enumerate(counts):
        raw = shared + centres[c] + noise / math.sqrt(dim) * rng.standard_normal((m, dim))
        xs.append(raw)
        ys.append(np.full(m, c, dtype=np.int64))
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    order = rng.permutation(len(y))
    x = x[order]
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    return x, y[order]


def make_problem(p):
    rng = np.random.default_rng(p["seed"])
    d = p["d"]
    shared = rng.standard_normal(d)
    shared *= p["offset"] / np.linalg.norm(shared)
    centres = rng.standard_normal((p["k"], d))
    centres *= p["sep"] / np.linalg.norm(centres, axis=1, keepdims=True)
    return [make_split(rng, centres, shared, p[s], p["noise"], d) for s in ("train", "val", "test")]


class Objective:
    """The mean-scaled objective of sklearn's lbfgs fit, its gradient and its exact Hessian (numpy, float64).

    Parameters: multinomial V [K, D + 1] (last column the intercepts), binary v [D + 1] (last the intercept).
    """

    def __init__(self, x, y, k, c):
        self.n, self.d = x.shape
        self.xt = np.hstack([x.astype(np.float64), np.ones((self.n, 1))])
        self.y = y
        self.k = k
        self.binary = k == 2
        self.reg = 1.0 / (c * self.n)
        self.mask = np.ones(self.d + 1)
        self.mask[-1] = 0.0

    def value_grad_hess(self, v, hessian=True):
        n, reg, xt = self.n, self.reg, self.xt
        if self.binary:
            z = xt @ v
            s = np.where(self.y == 1, 1.0, -1.0)
            loss = np.logaddexp(0.0, -s * z).sum() / n + 0.5 * reg * np.sum((v * self.mask) ** 2)
            p = 0.5 * (1 + np.tanh(0.5 * z))  # sigmoid without overflow
            g = xt.T @ (p - (self.y == 1)) / n + reg * self.mask * v
            if not hessian:
                return loss, g, None
            h = (xt * (p * (1 - p))[:, None]).T @ xt / n + np.diag(reg * self.mask)
            return loss, g, h
        z = xt @ v.T
        zmax = z.max(axis=1, keepdims=True)
        lse = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
        p = np.exp(z - lse[:, None])
        onehot = np.eye(self.k)[self.y]
        loss = (lse - z[np.arange(n), self.y]).sum() / n + 0.5 * reg * np.sum((v * self.mask) ** 2)
        g = (p - onehot).T @ xt / n + reg * self.mask * v
        if not hessian:
            return loss, g, None
        q = self.d + 1
        zp = (p[:, :, None] * xt[:, None, :]).reshape(n, self.k * q)
        h = -zp.T @ zp / n
        for a in range(self.k):
            h[a * q:(a + 1) * q, a * q:(a + 1) * q] += (xt * p[:, a:a + 1]).T @ xt / n
        h += np.diag(np.tile(reg * self.mask, self.k))
        # The objective is flat along "add one constant to every intercept", and the gradient is orthogonal to
        # that direction: adding e e^T (e = that direction, normalised) makes H invertible and leaves the Newton
        # step orthogonal to it, so sum(intercepts) stays as it was (0).
        e = np.zeros(self.k * q)
        e[q - 1::q] = 1.0 / math.sqrt(self.k)
        h += np.outer(e, e)
        return loss, g, h

    def sklearn_value(self, v):
        """sklearn's own objective (its LinearModelLoss, as LogisticRegression's lbfgs solver calls it), mean-scaled.

        scikit-learn before 1.4 sums the pointwise losses and penalises ||W||^2 / (2 C); 1.4 and later take the mean
        and penalise ||W||^2 / (2 C n) (the same minimiser, n times smaller values and gradients).
        """
        base = HalfBinomialLoss() if self.binary else HalfMultinomialLoss(n_classes=self.k)
        loss = LinearModelLoss(base_loss=base, fit_intercept=True)
        coef = v if self.binary else np.asfortranarray(v)
        x, y = self.xt[:, :-1], self.y.astype(np.float64)
        if SKLEARN_MEAN_SCALED:
            return loss.loss(coef, x, y, None, self.reg, 1)
        return loss.loss(coef, x, y, None, self.reg * self.n, 1) / self.n


def params_of(model, k):
    if k == 2:
        return np.concatenate([model.coef_[0], model.intercept_])
    return np.hstack([model.coef_, model.intercept_[:, None]])


def newton(obj, v):
    """Newton steps with backtracking from v; returns the point of smallest max|gradient| seen, its value and that.

    A step is taken when it satisfies Armijo's condition or, near the optimum where the value no longer changes
    measurably, when it shrinks max|gradient| without raising the value by more than rounding.
    """
    f, g, h = obj.value_grad_hess(v)
    best = (float(np.abs(g).max()), v, f)
    for _ in range(100):
        gmax = float(np.abs(g).max())
        step = -np.linalg.solve(h, g.ravel()).reshape(v.shape)
        t = 1.0
        while True:
            fn, gn, _ = obj.value_grad_hess(v + t * step, hessian=False)
            if fn <= f + 1e-4 * t * np.sum(g * step) or (np.abs(gn).max() < gmax and fn <= f + 1e-14 * abs(f)):
                break
            t *= 0.5
            if t < 1e-12:
                return best[1], best[2], best[0]
        v = v + t * step
        f, g, h = obj.value_grad_hess(v)
        if np.abs(g).max() < best[0]:
            best = (float(np.abs(g).max()), v, f)
        elif t == 1.0 and gmax < 1e-15:
            break  # at rounding level: a full Newton step no longer shrinks the gradient
    return best[1], best[2], best[0]


def optimum(x, y, k, c):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m = LogisticRegression(C=c, max_iter=10000, tol=1e-12).fit(x.astype(np.float64), y)
    obj = Objective(x, y, k, c)
    v, f, gmax = newton(obj, params_of(m, k))
    f_skl = obj.sklearn_value(v)
    assert abs(f_skl - f) <= 1e-13 * abs(f), (f, f_skl)
    if k > 2:
        # Exact invariance; sklearn's long runs drift from sum 0 by rounding (up to 1e-8 at C = 1e6).
        assert abs(v[:, -1].sum()) <= 1e-9 * max(1.0, np.abs(v[:, -1]).max()), v[:, -1]
        v[:, -1] -= v[:, -1].mean()
    return v, f, gmax


def min_curvature(x, y, k, c, v):
    """Smallest eigenvalue of the objective's Hessian at v, on the subspace sum(intercepts) = 0 for K > 2."""
    lam = np.linalg.eigvalsh(Objective(x, y, k, c).value_grad_hess(v)[2])
    # For K > 2 value_grad_hess gives the flat direction (one constant added to every intercept) curvature 1, so
    # this is min(1, smallest eigenvalue on the subspace): a lower bound on the subspace either way.
    return float(lam.min())


def scores_of(v, x, k):
    xt = np.hstack([x.astype(np.float64), np.ones((len(x), 1))])
    if k == 2:
        z = xt @ v
        return np.stack([np.zeros_like(z), z], axis=1)
    return xt @ v.T


def proba_of(v, x, k):
    s = scores_of(v, x, k)
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


def min_margin(v, x, k):
    s = np.sort(scores_of(v, x, k), axis=1)
    return float((s[:, -1] - s[:, -2]).min())


def paper_fit(x, y, c):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always", ConvergenceWarning)
        m = LogisticRegression(random_state=0, C=c, max_iter=1000).fit(x.astype(np.float64), y)
    return m, any(issubclass(i.category, ConvergenceWarning) for i in w)


def sweep(score):
    """clip4j's ParametricSearch: returns the evaluated (log10 C, score) pairs in order and the best one."""
    seen = []
    best = None
    e = LOG10_LO
    while e <= LOG10_HI:
        p = (e, score(e))
        seen.append(p)
        if best is None or p[1] > best[1]:
            best = p
        e += COARSE_STEP
    step = COARSE_STEP / 2
    while step >= FINAL_STEP:
        centre = best[0]
        for e in (centre - step, centre + step):
            if e < LOG10_LO or e > LOG10_HI or any(s[0] == e for s in seen):
                continue
            p = (e, score(e))
            seen.append(p)
            if p[1] > best[1]:
                best = p
        step /= 2
    return seen, best


def main(out):
    os.makedirs(out, exist_ok=True)
    cases = {
        "generator": "testdata/linear-probe/gen.py",
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                     "sklearn": sklearn.__version__},
        "fit_cs": FIT_CS,
        "problems": [],
    }
    for name, p in PROBLEMS.items():
        (xtr, ytr), (xva, yva), (xte, yte) = make_problem(p)
        k = p["k"]
        np.save(os.path.join(out, name + "-x.npy"), np.concatenate([xtr, xva, xte]))
        np.save(os.path.join(out, name + "-y.npy"), np.concatenate([ytr, yva, yte]))
        coefs, intercepts, probas, fits = [], [], [], []
        for c in FIT_CS:
            v, f, gmax = optimum(xtr, ytr, k, c)
            m, warned = paper_fit(xtr, ytr, c)
            obj = Objective(xtr, ytr, k, c)
            f_paper, g_paper, _ = obj.value_grad_hess(params_of(m, k), hessian=False)
            coefs.append(v[None, :-1] if k == 2 else v[:, :-1])
            intercepts.append(v[-1:] if k == 2 else v[:, -1])
            probas.append(proba_of(v, xte, k))
            pred = scores_of(v, xte, k).argmax(axis=1)
            assert np.array_equal(pred, np.argmax(probas[-1], axis=1))
            paper_pred = m.predict(xte.astype(np.float64))
            fits.append({
                "c": c,
                "optimum": {"objective": f, "gradient_max": gmax,
                            "hessian_min_eigenvalue": min_curvature(xtr, ytr, k, c, v), "train_top1": float(np.mean(
                    scores_of(v, xtr, k).argmax(axis=1) == ytr)), "test_top1": float(np.mean(pred == yte)),
                    "test_min_margin": min_margin(v, xte, k), "max_abs_coef": float(np.abs(v[..., :-1]).max())},
                "sklearn_paper": {"n_iter": int(m.n_iter_[0]), "convergence_warning": warned, "objective": f_paper,
                                  "objective_excess": f_paper - f, "gradient_max": float(np.abs(g_paper).max()),
                                  "test_top1": float(np.mean(paper_pred == yte)),
                                  "test_predictions_differing_from_optimum": int(np.sum(paper_pred != pred)),
                                  "test_predictions": [int(i) for i in paper_pred]},
            })
        np.save(os.path.join(out, name + "-coef.npy"), np.stack(coefs))
        np.save(os.path.join(out, name + "-intercept.npy"), np.stack(intercepts))
        np.save(os.path.join(out, name + "-proba.npy"), np.stack(probas))
        xfull, yfull = np.concatenate([xtr, xva]), np.concatenate([ytr, yva])
        grid = {key: [] for key in ("log10_c", "objective", "validation_correct", "validation_min_margin",
                                    "hessian_min_eigenvalue", "paper_n_iter", "paper_objective",
                                    "paper_validation_correct", "test_correct", "test_min_margin",
                                    "refit_hessian_min_eigenvalue")}
        for j in range(GRID_STEPS + 1):
            e = LOG10_LO + j * FINAL_STEP
            c = 10.0 ** e
            v, f = optimum(xtr, ytr, k, c)[:2]
            vf = optimum(xfull, yfull, k, c)[0]
            mp = paper_fit(xtr, ytr, c)[0]
            for key, value in (("log10_c", e),
                               ("objective", f),
                               ("validation_correct", int(np.sum(scores_of(v, xva, k).argmax(axis=1) == yva))),
                               ("validation_min_margin", min_margin(v, xva, k)),
                               ("hessian_min_eigenvalue", min_curvature(xtr, ytr, k, c, v)),
                               ("paper_n_iter", int(mp.n_iter_[0])),
                               ("paper_objective", Objective(xtr, ytr, k, c).value_grad_hess(
                                   params_of(mp, k), hessian=False)[0]),
                               ("paper_validation_correct", int(np.sum(mp.predict(xva.astype(np.float64)) == yva))),
                               ("test_correct", int(np.sum(scores_of(vf, xte, k).argmax(axis=1) == yte))),
                               ("test_min_margin", min_margin(vf, xte, k)),
                               ("refit_hessian_min_eigenvalue", min_curvature(xfull, yfull, k, c, vf))):
                grid[key].append(value)

        def opt_score(e):
            return grid["validation_correct"][round((e - LOG10_LO) / FINAL_STEP)]

        def paper_score(e):
            return grid["paper_validation_correct"][round((e - LOG10_LO) / FINAL_STEP)]

        seen, best = sweep(opt_score)
        opt = {"points": [{"log10_c": e, "validation_correct": s} for e, s in seen], "chosen_log10_c": best[0],
               "test_correct": grid["test_correct"][round((best[0] - LOG10_LO) / FINAL_STEP)]}
        seen_p, best_p = sweep(paper_score)
        mp = paper_fit(xfull, yfull, 10.0 ** best_p[0])[0]
        paper = {"points": [{"log10_c": e, "validation_correct": s} for e, s in seen_p],
                 "chosen_log10_c": best_p[0],
                 "test_correct": int(np.sum(mp.predict(xte.astype(np.float64)) == yte))}
        cases["problems"].append({
            "name": name, "what": p["what"], "classes": k, "dim": p["d"],
            "train": len(ytr), "validation": len(yva), "test": len(yte),
            "train_per_class": p["train"], "validation_per_class": p["val"], "test_per_class": p["test"],
            "fits": fits, "grid": grid, "sweep_optimum": opt, "sweep_sklearn_paper": paper,
        })
        print(name, "fits:", [(f["c"], round(f["optimum"]["test_top1"], 4), f["sklearn_paper"]["n_iter"],
                               f["sklearn_paper"]["test_predictions_differing_from_optimum"]) for f in fits])
        print("  sweep optimum:", opt["chosen_log10_c"], opt["test_correct"], [(e, s) for e, s in seen])
        print("  sweep paper:  ", paper["chosen_log10_c"], paper["test_correct"], [(e, s) for e, s in seen_p])
    with open(os.path.join(out, "cases.json"), "w", encoding="utf-8") as fh:
        json.dump(cases, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
