#!/usr/bin/env python3
"""Leave-sources-out cross-validation of the near-duplicate second look.

usage: cv_near_duplicates.py LABELS.jsonl PAIRS.jsonl [--folds K] [--rule NAME]

PAIRS.jsonl is the per-candidate-pair output of `winnow-bench group FACTS --pairs PAIRS` (or
`winnow scan --pairs`): every pair the hash lookup proposed, with the second look's measurements.
Sources are split into K folds by source (hard negatives by their similar_group, so look-alike shots
of one person never sit on both sides). Per fold, thresholds of the rule are chosen on the other
folds (most true pairs accepted with no false one) and applied to the held-out fold; held-out
clusters are then scored as eval_quality.py scores a scan. The pooled figures estimate unseen photos.
Standard library only.
"""
import argparse, collections, hashlib, itertools, json, os

FEATURES = ["median_block", "inner_worst_block"]


def load(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def unit(label):
    return label.get("similar_group") or label["source_id"]


def fold_of(u, k):
    return int(hashlib.sha256(u.encode()).hexdigest(), 16) % k


class UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        self.parent[self.find(a)] = self.find(b)


def excluded(la, lb):
    if la["transform"] == "hflip" or lb["transform"] == "hflip":
        return True
    if la.get("related_group") and la["related_group"] == lb["group_id"]:
        return True
    if lb.get("related_group") and lb["related_group"] == la["group_id"]:
        return True
    return False


def accepts(c, t):
    return (c["coverage"] >= 0.75 and c["median_block"] <= t["median_block"]
            and c["inner_worst_block"] <= t["inner_worst_block"])


def fit(train):
    """Grid search over the two thresholds: the most true pairs accepted with no false one; then each
    threshold backs off halfway toward the nearest false pair it keeps out (a margin for unseen photos)."""
    pos = [c for c, y in train if y and c["coverage"] >= 0.75]
    neg = [c for c, y in train if not y and c["coverage"] >= 0.75]
    medians = [x / 200 for x in range(2, 61)]
    inners = [x / 100 for x in range(10, 121, 2)]
    best, best_tp = None, -1
    for m, i in itertools.product(medians, inners):
        if any(c["median_block"] <= m and c["inner_worst_block"] <= i for c in neg):
            continue
        # Files linked to their group at all (clusters need one link per file, not every pair).
        tp = len({f for c in pos if c["median_block"] <= m and c["inner_worst_block"] <= i for f in (c["_a"], c["_b"])})
        if tp > best_tp:
            best, best_tp = {"median_block": m, "inner_worst_block": i}, tp
    # Margin: halfway between the loosest accepted positive and the nearest rejected negative.
    for f in ("median_block", "inner_worst_block"):
        accepted = [c[f] for c in pos if accepts(c, best)]
        other = "inner_worst_block" if f == "median_block" else "median_block"
        blockers = [c[f] for c in neg if c[other] <= best[other] and c[f] > best[f]]
        if accepted and blockers:
            best[f] = (max(accepted) + min(blockers)) / 2
    return best


def score_clusters(files, labels, edges):
    uf = UnionFind()
    for f in files:
        uf.find(f)
    for a, b in edges:
        uf.union(a, b)
    by_pred, by_truth = collections.defaultdict(list), collections.defaultdict(list)
    for f in files:
        by_pred[uf.find(f)].append(f)
        by_truth[labels[f]["group_id"]].append(f)
    truth, pred = set(), set()
    for members in by_truth.values():
        for a, b in itertools.combinations(sorted(members), 2):
            if not excluded(labels[a], labels[b]):
                truth.add((a, b))
    for members in by_pred.values():
        for a, b in itertools.combinations(sorted(members), 2):
            if not excluded(labels[a], labels[b]):
                pred.add((a, b))
    false_merges = [(a, b) for a, b in pred if labels[a].get("similar_group") and labels[b].get("similar_group")
                    and labels[a]["group_id"] != labels[b]["group_id"]]
    return len(truth & pred), len(pred - truth), len(truth - pred), len(false_merges), pred - truth, truth - pred


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("labels")
    parser.add_argument("pairs")
    parser.add_argument("--folds", type=int, default=6)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    root = os.path.dirname(os.path.abspath(args.labels))
    labels = {os.path.basename(l["file"]): l for l in load(args.labels)}
    pairs = []
    for p in load(args.pairs):
        a, b = os.path.basename(p["a"]), os.path.basename(p["b"])
        if a not in labels or b not in labels or p["pair"]["mirrored"]:
            continue
        la, lb = labels[a], labels[b]
        if la["sha256"] == lb["sha256"] or excluded(la, lb):
            continue
        comparison = dict(p["pair"]["comparison"], _a=a, _b=b)
        pairs.append((a, b, comparison, la["group_id"] == lb["group_id"]))
    # Files that are exact copies ride with their first copy (the scan groups them by sha256).
    first_by_sha = {}
    for name in sorted(labels):
        first_by_sha.setdefault(labels[name]["sha256"], name)

    totals = [0, 0, 0, 0]
    all_fp, all_fn = set(), set()
    print(f"{len(pairs)} candidate pairs ({sum(y for *_, y in pairs)} true), {args.folds} folds by source")
    for k in range(args.folds):
        train = [(c, y) for a, b, c, y in pairs if fold_of(unit(labels[a]), args.folds) != k
                 and fold_of(unit(labels[b]), args.folds) != k]
        t = fit(train)
        files = [n for n in labels if fold_of(unit(labels[n]), args.folds) == k]
        edges = [(a, b) for a, b, c, y in pairs if a in files and b in files and accepts(c, t)]
        names = set(files)
        edges = [(a, b) for a, b in edges if a in names and b in names]
        edges += [(n, first_by_sha[labels[n]["sha256"]]) for n in files]
        tp, fp, fn, fm, fps, fns = score_clusters(files, labels, edges)
        all_fp |= fps
        all_fn |= fns
        for i, v in enumerate((tp, fp, fn, fm)):
            totals[i] += v
        print(f"fold {k}: {len(files)} files  tp {tp} fp {fp} fn {fn} false-merges {fm}  rule "
              + " ".join(f"{f}≤{t[f]:.3f}" for f in FEATURES))
    tp, fp, fn, fm = totals
    print(f"cross-validated near-duplicate pairs: precision {tp / max(1, tp + fp):.4f} recall {tp / max(1, tp + fn):.4f}"
          f"  (tp {tp} fp {fp} fn {fn}; false merges of distinct shots {fm} pairs)")
    final = fit([(c, y) for a, b, c, y in pairs])
    print("rule fitted on all of DEV: " + " ".join(f"{f}≤{final[f]:.3f}" for f in FEATURES))
    if args.verbose:
        missed = collections.Counter()
        for a, b in all_fn:
            for n in (a, b):
                if labels[n]["transform"] != "original":
                    missed[labels[n]["transform"]] += 1
        print("missed pairs by transform (held out):", dict(missed))
        fm_groups = collections.Counter((labels[a]["group_id"], labels[b]["group_id"]) for a, b in all_fp)
        print("false pairs by group pair:", dict(fm_groups))


if __name__ == "__main__":
    main()
