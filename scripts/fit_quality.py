#!/usr/bin/env python3
"""Fits DetailModel (blur/upscale decision and detail_px) on the DEV corpus, honestly.

usage: fit_quality.py LABELS.jsonl SCAN.jsonl [--sharp-rate R] [--features DETECTOR=f1,f2,...]
       (R: share of DEV's sharp training files allowed flagged, 0.008; --features tries another feature
       set for one detector, soft / motion / doubled, or for the upscale-vs-blur score, kind)

SCAN.jsonl is `winnow scan --json --no-faces` output (each record carries `detail_features` and the
whitened `spectrum`). Prints leave-sources-out cross-validated figures (folds group whole source photos,
and hard negatives by their look-alike group, so every figure is measured on photos the fit never saw),
then the constants for Sources/WinnowCore/Analyze/Quality/DetailModel.swift fitted on all of DEV.
Needs numpy.
"""
import json
import math
import os
import sys

import numpy as np

# The order of DetailFeatures.names in Swift.
NAMES = ["hf90", "hf50", "mid90", "mid50", "cliff", "aniso", "a12", "a16", "a20", "a24", "a28",
         "gain_median", "gain_spread", "square_cliff"]
# The damage each detector learns (against the sharp files) and the few features it reads: few, chosen for
# what the damage does to the spectrum, because DEV has only 36 source photos to learn from. Upscales by a
# whole factor are found by their period (ResamplingPeriods), so `soft` learns the gaussian blurs only.
DETECTORS = [
    ("soft", ["mid50", "hf90", "cliff", "gain_median"],
     lambda l: l["transform"] == "gaussian_blur" or l["params"].get("blur") == "gaussian"),
    ("motion", ["gain_median", "gain_spread"],
     lambda l: l["transform"] == "motion_blur" or l["params"].get("blur") == "motion"),
    ("doubled", ["square_cliff"], lambda l: l["upscaled"] and l["upscale_factor"] == 2),
]
# Upscale vs blur among what `soft` flags: the spectrum's shape (learnt from the gaussian blurs against every
# upscale: an upscale by another ratio than 2, 3 or 4 has no period to find, only its cliff).
KIND = ["hf90", "hf50", "mid90", "mid50", "cliff", "a12", "a16", "a20", "a24", "a28"]
FOLDS = 8
LAMBDA = 1.0


PERIODS = [2, 3, 4]                 # ResamplingPeriods.periods
PERIOD_COHERENCE = [0.25, 0.12, 0.25]   # DetailModel.Fitted.periodCoherence


def upscale_factor(c):
    """DetailModel.upscaleFactor: the largest p whose coherence reaches its threshold and is at least twice
    the coherence at each tested period that does not divide p; None for none."""
    if not c or len(c) != len(PERIODS):
        return None
    found = [p for i, p in enumerate(PERIODS) if c[i] >= PERIOD_COHERENCE[i]
             and all(p % q == 0 or c[i] >= 2 * c[j] for j, q in enumerate(PERIODS))]
    return max(found) if found else None


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def train(X, y, weights):
    """L2-regularised logistic regression by Newton steps on standardised features; returns raw weights."""
    mu, sd = X.mean(0), X.std(0) + 1e-9
    Z = np.hstack([(X - mu) / sd, np.ones((len(X), 1))])
    w = np.zeros(Z.shape[1])
    reg = LAMBDA * np.r_[np.ones(Z.shape[1] - 1), 0]
    for _ in range(40):
        p = 1 / (1 + np.exp(-Z @ w))
        g = Z.T @ (weights * (p - y)) + reg * w
        H = (Z * (weights * p * (1 - p))[:, None]).T @ Z + np.diag(reg)
        w -= np.linalg.solve(H, g)
    raw = w[:-1] / sd
    return raw, w[-1] - float(raw @ mu)


def score(model, X):
    raw, bias = model
    return X @ raw + bias


def detail_share(profile, floor):
    """Same as DetailFeatures.detailShare in Swift."""
    for r in range(8, 32):
        if profile[r] < floor:
            above, below = profile[r - 1], profile[r]
            t = min(1, max(0, (above - floor) / (above - below))) if above > below else 0
            return (r - 1 + 0.5 + t) / 32
    return 1.0


def main():
    labels_path, scan_path = sys.argv[1], sys.argv[2]
    sharp_rate = float(sys.argv[sys.argv.index("--sharp-rate") + 1]) if "--sharp-rate" in sys.argv else 0.008
    # --features DETECTOR=f1,f2,... tries another feature set for one detector (KIND for the kind score).
    global KIND
    for i, arg in enumerate(sys.argv):
        if arg == "--features":
            name, feats = sys.argv[i + 1].split("=")
            feats = feats.split(",")
            if name == "kind":
                KIND = feats
            else:
                DETECTORS[:] = [(n, feats if n == name else f, p) for n, f, p in DETECTORS]
    root = os.path.dirname(os.path.abspath(labels_path))
    labels = {os.path.join(root, l["file"]): l for l in load(labels_path)}
    scan = {r["path"]: r for r in load(scan_path)}
    rows = [(labels[p], scan[p]) for p in labels if p in scan and scan[p].get("detail_features")]
    print(f"files with features: {len(rows)} of {len(labels)}")
    X = np.array([[r["detail_features"][n] for n in NAMES] for _, r in rows])
    soft = np.array([1.0 if (l["blurry"] or l["upscaled"]) else 0.0 for l, _ in rows])
    up = np.array([1.0 if l["upscaled"] else 0.0 for l, _ in rows])
    group = [l.get("similar_group") or l["source_id"] for l, _ in rows]
    groups = sorted(set(group))
    order = np.random.default_rng(1).permutation(len(groups))
    fold_of = {g: int(order[i]) % FOLDS for i, g in enumerate(groups)}
    fold = np.array([fold_of[g] for g in group])

    sharp = np.array([bool(l["sharp"]) for l, _ in rows])
    positives = {name: np.array([bool(f(l)) for l, _ in rows]) for name, _, f in DETECTORS}
    columns = {name: [NAMES.index(n) for n in feats] for name, feats, _ in DETECTORS}
    kind_columns = [NAMES.index(n) for n in KIND]

    def full(raw, cols):
        w = np.zeros(len(NAMES)); w[cols] = raw; return w

    def fit_all(sel):
        """Each detector: logistic, its damage against the sharp files, its bias then shifted so that only a
        third of `sharp_rate` of the sharp training files score above 0 (a Neyman-Pearson rule: the
        sharp-flag budget comes first, shared by the three). Kind: logistic upscale vs blur on the soft
        detector's blurs and every upscale."""
        scores = {}
        for name, _, _ in DETECTORS:
            m = sel & (positives[name] | sharp)
            raw, bias = train(X[m][:, columns[name]], positives[name][m].astype(float), np.ones(m.sum()))
            w = full(raw, columns[name])
            shift = float(np.quantile(X[sel & sharp] @ w + bias, 1 - sharp_rate / len(DETECTORS)))
            scores[name] = (w, bias - shift)
        m = sel & (positives["soft"] | (up == 1))
        raw, bias = train(X[m][:, kind_columns], up[m], np.ones(m.sum()))
        return scores, (full(raw, kind_columns), bias)

    # A picture interpolated by a whole factor (DetailModel.periodCoherence, set by hand in the gaps DEV
    # leaves, not fitted here): upscaled whatever the detectors say.
    periodic = np.array([upscale_factor(r["detail_features"].get("period_coherence")) is not None for _, r in rows])

    def predict(model, sel):
        scores, kind = model
        s = np.array([X[sel] @ w + b for w, b in scores.values()])
        interpolated = periodic[sel]
        flagged = (s.max(0) > 0) | interpolated
        strongest = s.argmax(0)
        is_up = interpolated | (strongest == 2) | ((strongest == 0) & (X[sel] @ kind[0] + kind[1] > 0))
        return flagged, flagged & is_up

    pred_soft = np.zeros(len(rows), bool)
    pred_up = np.zeros(len(rows), bool)
    for k in range(FOLDS):
        test_rows = fold == k
        pred_soft[test_rows], pred_up[test_rows] = predict(fit_all(fold != k), test_rows)

    def pr(pred, truth):
        tp = int((pred & truth).sum()); fp = int((pred & ~truth).sum()); fn = int((~pred & truth).sum())
        return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0), tp, fp, fn

    truth_soft, truth_up = soft == 1, up == 1
    truth_blur = truth_soft & ~truth_up
    pred_blur = pred_soft & ~pred_up
    print(f"cross-validated ({FOLDS} folds, leave sources out; sharp-flag budget {sharp_rate}):")
    for name, p, t in (("upscale-blurry", pred_soft, truth_soft), ("blurry", pred_blur, truth_blur),
                       ("upscaled", pred_up, truth_up)):
        pp, rr, tp, fp, fn = pr(p, t)
        print(f"  {name}: precision {pp:.4f} recall {rr:.4f}  (tp {tp} fp {fp} fn {fn})")
    print(f"  sharp files flagged: {int((pred_soft & sharp).sum())}/{int(sharp.sum())} = "
          f"{(pred_soft & sharp).sum() / max(1, sharp.sum()):.4f}")
    per = {}
    for (l, _), p, t in zip(rows, pred_soft, truth_soft):
        key = l["transform"] + (f"x{l['upscale_factor']}" if l["upscaled"] else "")
        a = per.setdefault(key, [0, 0]); a[0] += int(p == t); a[1] += 1
    print("  correct per transform: " + ", ".join(f"{k} {a}/{n}" for k, (a, n) in sorted(per.items())))

    # detail_px floor: the level that best recovers long side / factor on the upscales (leave-sources-out).
    floors = [-0.6, -0.8, -1.0, -1.2, -1.4, -1.6, -1.8, -2.0]
    ups = [(i, l, r) for i, (l, r) in enumerate(rows) if l["upscaled"] and r.get("spectrum")]

    def err(f, subset):
        return float(np.median([abs(math.log2(detail_share(r["spectrum"][:32], f) * l["upscale_factor"]))
                                for _, l, r in subset]))
    cv_err = []
    for k in range(FOLDS):
        tr = [u for u in ups if fold[u[0]] != k]; te = [u for u in ups if fold[u[0]] == k]
        if not te:
            continue
        best = min(floors, key=lambda f: err(f, tr))
        cv_err += [abs(math.log2(detail_share(r["spectrum"][:32], best) * l["upscale_factor"])) for _, l, r in te]
    floor = min(floors, key=lambda f: err(f, ups))
    print(f"  detail_px on upscales: median |log2(estimate / (long side / factor))| = {np.median(cv_err):.3f}"
          f" (cross-validated; 0.585 = off by a factor 1.5)")

    model = fit_all(np.ones(len(rows), bool))
    ins_soft, ins_up = predict(model, np.ones(len(rows), bool))
    print("in-sample (fitted on all of DEV):")
    for name, p, t in (("upscale-blurry", ins_soft, truth_soft), ("blurry", ins_soft & ~ins_up, truth_blur),
                       ("upscaled", ins_up, truth_up)):
        pp, rr, tp, fp, fn = pr(p, t)
        print(f"  {name}: precision {pp:.4f} recall {rr:.4f}  (tp {tp} fp {fp} fn {fn})")
    print(f"  sharp files flagged: {int((ins_soft & sharp).sum())}/{int(sharp.sum())} = "
          f"{(ins_soft & sharp).sum() / max(1, sharp.sum()):.4f}")
    fmt = lambda v: ", ".join(f"{x:.5g}" for x in v)
    print("\nDetailModel.Fitted (all of DEV):")
    for name, (w, b) in list(model[0].items()) + [("upscale", model[1])]:
        print(f"        public static let {name} = Score(bias: {b:.5g}, weights: [{fmt(w)}])")
    print(f"        public static let detailFloor = {floor}")


if __name__ == "__main__":
    main()
