#!/usr/bin/env python3
"""Scores `winnow scan --json` output against the generator's labels.jsonl (metrics of the data README).

usage: eval_quality.py LABELS.jsonl SCAN.jsonl [--verbose] [--json FILE]
--json FILE also writes the figures as one JSON object (what the DEV regression test reads).
Standard library only.
"""
import itertools
import json
import os
import sys
from collections import defaultdict


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def pr(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r


def main():
    labels_path, scan_path = sys.argv[1], sys.argv[2]
    verbose = "--verbose" in sys.argv
    json_out = sys.argv[sys.argv.index("--json") + 1] if "--json" in sys.argv else None
    metrics = {}
    root = os.path.dirname(os.path.abspath(labels_path))
    labels = {os.path.join(root, l["file"]): l for l in load(labels_path)}
    scan = {r["path"]: r for r in load(scan_path)}
    missing = [p for p in labels if p not in scan]
    if missing:
        print(f"warning: {len(missing)} labelled files missing from the scan", file=sys.stderr)
    files = [p for p in labels if p in scan]
    errors = [p for p in files if scan[p].get("error")]

    # Predicted groups: near-duplicate cluster, else exact original, else itself.
    def key(p):
        r = scan[p]
        return r.get("cluster") or r.get("exact_duplicate_of") or p
    pred_group = {p: key(p) for p in files}
    # exact originals inside a cluster share that cluster
    for p in files:
        e = scan[p].get("exact_duplicate_of")
        if e and e in pred_group:
            pred_group[p] = pred_group[e]

    def excluded(a, b):
        la, lb = labels[a], labels[b]
        if la["transform"] == "hflip" or lb["transform"] == "hflip":
            return True
        if la.get("related_group") and la["related_group"] == lb["group_id"]:
            return True
        if lb.get("related_group") and lb["related_group"] == la["group_id"]:
            return True
        return False

    truth, pred = set(), set()
    by_truth, by_pred = defaultdict(list), defaultdict(list)
    for p in files:
        by_truth[labels[p]["group_id"]].append(p)
        by_pred[pred_group[p]].append(p)
    for members in by_truth.values():
        for a, b in itertools.combinations(sorted(members), 2):
            if not excluded(a, b):
                truth.add((a, b))
    for members in by_pred.values():
        for a, b in itertools.combinations(sorted(members), 2):
            if not excluded(a, b):
                pred.add((a, b))
    tp, fp, fn = len(truth & pred), len(pred - truth), len(truth - pred)
    p, r = pr(tp, fp, fn)
    print(f"files {len(files)}  errors {len(errors)}")
    print(f"near-duplicate pairs: precision {p:.4f} recall {r:.4f}  (tp {tp} fp {fp} fn {fn})")
    metrics.update(labelled=len(labels), files=len(files), errors=len(errors), near_duplicate_precision=p, near_duplicate_recall=r)

    # Recall per transform: linked to its duplicate_of?
    per = defaultdict(lambda: [0, 0])
    missed = []
    for q in files:
        l = labels[q]
        d = l.get("duplicate_of")
        if not d or l["transform"] == "hflip":
            continue
        dp = os.path.join(root, d)
        if dp not in pred_group:
            continue
        per[l["transform"]][1] += 1
        if pred_group[q] == pred_group[dp]:
            per[l["transform"]][0] += 1
        else:
            missed.append((l["transform"], q, dp))
    print("recall per transform: " + ", ".join(f"{t} {a}/{n}" for t, (a, n) in sorted(per.items())))

    # False merges of distinct shots.
    false_merges = [(a, b) for a, b in pred
                    if labels[a].get("similar_group") and labels[b].get("similar_group")
                    and labels[a]["group_id"] != labels[b]["group_id"]]
    hn_originals = [q for q in files if labels[q].get("similar_group") and labels[q]["transform"] == "original"]
    merged = {q for pair in false_merges for q in pair}
    merged_orig = [q for q in hn_originals
                   if any(labels[o].get("similar_group") and labels[o]["group_id"] != labels[q]["group_id"]
                          for o in by_pred[pred_group[q]])]
    print(f"false merges of distinct shots: {len(false_merges)} pairs; hard-negative originals merged "
          f"{len(merged_orig)}/{len(hn_originals)}")
    metrics.update(false_merge_pairs=len(false_merges), hard_negatives_merged=len(merged_orig))

    # Exact duplicates.
    sha_truth = set()
    by_sha = defaultdict(list)
    for q in files:
        by_sha[labels[q]["sha256"]].append(q)
    for m in by_sha.values():
        sha_truth |= set(itertools.combinations(sorted(m), 2))
    exact_key = {q: scan[q].get("exact_duplicate_of") or q for q in files}
    by_exact = defaultdict(list)
    for q in files:
        by_exact[exact_key[q]].append(q)
    sha_pred = set()
    for m in by_exact.values():
        sha_pred |= set(itertools.combinations(sorted(m), 2))
    ep, er = pr(len(sha_truth & sha_pred), len(sha_pred - sha_truth), len(sha_truth - sha_pred))
    print(f"exact pairs: precision {ep:.4f} recall {er:.4f}  ({len(sha_truth)} true pairs)")
    metrics.update(exact_precision=ep, exact_recall=er)

    # Flags.
    def flag(name, predicted, actual):
        tp = sum(1 for q in files if predicted(q) and actual(q))
        fp = sum(1 for q in files if predicted(q) and not actual(q))
        fn = sum(1 for q in files if not predicted(q) and actual(q))
        p, r = pr(tp, fp, fn)
        print(f"{name}: precision {p:.4f} recall {r:.4f}  (tp {tp} fp {fp} fn {fn})")
        metrics.update({f"{name}_precision": p, f"{name}_recall": r})
        return [q for q in files if predicted(q) != actual(q)]
    ok = [q for q in files if not scan[q].get("error")]
    files_all = files
    files = ok
    blurry_wrong = flag("blurry", lambda q: scan[q].get("blurry"), lambda q: labels[q].get("blurry"))
    up_wrong = flag("upscaled", lambda q: scan[q].get("upscaled"), lambda q: labels[q].get("upscaled"))
    union_wrong = flag("upscale-blurry", lambda q: scan[q].get("blurry") or scan[q].get("upscaled"),
                       lambda q: labels[q].get("blurry") or labels[q].get("upscaled"))
    sharp = [q for q in files if labels[q].get("sharp")]
    flagged = [q for q in sharp if scan[q].get("blurry") or scan[q].get("upscaled")]
    print(f"sharp files flagged: {len(flagged)}/{len(sharp)} = {len(flagged) / max(1, len(sharp)):.4f}")
    metrics["sharp_flagged"] = len(flagged) / max(1, len(sharp))
    files = files_all

    # Keep-best.
    groups = [m for m in by_truth.values() if len(m) > 1]
    correct = 0
    wrong = []
    for m in groups:
        best = [q for q in m if labels[q].get("is_best")]
        if not best:
            continue
        b = best[0]
        # Right when the group's kept file is the best copy or a byte-identical copy of it (the data README's rule).
        kept = [q for q in m if not scan[q].get("near_duplicate_of") and not scan[q].get("exact_duplicate_of")]
        kept_ok = any(labels[q]["sha256"] == labels[b]["sha256"] for q in kept)
        if kept_ok:
            correct += 1
        else:
            wrong.append((b, kept[0] if kept else scan[b].get("near_duplicate_of")))
    print(f"keep-best: {correct}/{len(groups)} = {correct / max(1, len(groups)):.4f}")
    metrics["keep_best"] = correct / max(1, len(groups))
    if json_out:
        with open(json_out, "w") as f:
            json.dump(metrics, f, indent=1, sort_keys=True)

    if verbose:
        for t, q, d in missed:
            print("MISSED", t, os.path.basename(q), os.path.basename(d))
        for a, b in false_merges:
            print("FALSE-MERGE", os.path.basename(a), labels[a]["group_id"], os.path.basename(b), labels[b]["group_id"])
        for q in union_wrong:
            l = labels[q]
            print("FLAG", os.path.basename(q), l["transform"], "label b/u", l.get("blurry"), l.get("upscaled"),
                  "pred", scan[q].get("blurry"), scan[q].get("upscaled"), scan[q].get("detail_px"), l["width"], l["height"])
        for b, k in wrong:
            print("KEEP", os.path.basename(b), "->", os.path.basename(k) if k else "-", labels[os.path.join(root, os.path.relpath(k, root))]["transform"] if k else "")
    for q in errors:
        print("ERROR", q, scan[q]["error"])


if __name__ == "__main__":
    main()
