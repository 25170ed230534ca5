#!/usr/bin/env python3
"""Cross-validate the constants of `PoseModel` (Sources/WinnowCore/Analyze/Faces/FacePose.swift) on DEV.

Usage: scripts/eval-faces --binary .build/debug/winnow --save .build/faces-raw.jsonl
       scripts/fit_face_pose.py .build/faces-raw.jsonl [--data DIR]

Uses the faces whose pose comes from landmarks (found by HOG, not by the profile cascade alone) and that are
labelled frontal or 3/4 (profile landmarks are not trustworthy; profiles take their yaw from the cascade).
Leave-one-person-out: the constants are chosen by grid search on every other person (the `person` column;
mirrored copies share their original's person) and the held-out person is predicted with them. Prints that
cross-validated bin accuracy, and the constants the grid picks on all of DEV (compare with the Swift defaults).
"""
import argparse, csv, json, os
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
YAW = {"frontal": 0, "3q_left": 1, "3q_right": -1}


def yaw_model(f, gain, contour_weight):
    """PoseModel.pose: yaw in degrees from the 2-D features (keep in step with the Swift code)."""
    from_eyes = np.degrees(np.arctan(-f[:, 0] * gain))
    from_contour = np.degrees(np.arcsin(np.clip(-2 * f[:, 1], -1, 1)))
    return (1 - contour_weight) * from_eyes + contour_weight * from_contour


def pitch_model(f, level_share, gain):
    return (level_share - f[:, 2]) * gain


def yaw_bin(yaw):
    return np.sign(yaw) * (np.abs(yaw) > 20)


def pitch_bin(pitch):
    return np.sign(pitch) * (np.abs(pitch) > 15)


def cross_validate(features, truth, persons, model, binner, grid):
    pred = np.zeros(len(truth))
    for person in sorted(set(persons)):
        test = persons == person
        best = max(grid, key=lambda q: np.mean(binner(model(features[~test], *q)) == truth[~test]))
        pred[test] = binner(model(features[test], *best))
    best = max(grid, key=lambda q: np.mean(binner(model(features, *q)) == truth))
    return pred, best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "faces"))
    a = ap.parse_args()
    labels = {os.path.basename(r["file"]): r
              for r in csv.DictReader(open(os.path.join(a.data, "labels.csv"), newline=""))}
    rows = []
    for line in open(a.raw):
        l = json.loads(line)
        r = labels.get(os.path.basename(l["file"]))
        if not r or r["faces_count"] != "1" or not l.get("features") or l.get("profile_yaw") is not None:
            continue
        f = l["features"]
        rows.append((r, [f["nose_offset"], f["contour_offset"], f["nose_share"]]))
    persons = np.array([r["person"] for r, _ in rows])
    features = np.array([f for _, f in rows])

    keep = np.array([r["yaw_bin"] in YAW for r, _ in rows])
    truth = np.array([YAW.get(r["yaw_bin"], 9) for r, _ in rows])
    grid = [(g, w) for g in np.arange(0.6, 2.41, 0.1) for w in np.arange(0, 1.01, 0.05)]
    pred, best = cross_validate(features[keep], truth[keep], persons[keep], yaw_model, yaw_bin, grid)
    n = int(keep.sum())
    print(f"yaw: {n} landmark faces labelled frontal/3-4, {len(set(persons[keep]))} persons")
    print(f"  leave-one-person-out yaw-bin accuracy: {np.mean(pred == truth[keep]):.3f} "
          f"(left/right swaps {int(np.sum(pred * truth[keep] < 0))})")
    print(f"  constants on all DEV (first of the ties): yawGain {best[0]:.2f}, contourWeight {best[1]:.2f}; "
          f"the Swift defaults (1.2, 0.25) score {np.mean(yaw_bin(yaw_model(features[keep], 1.2, 0.25)) == truth[keep]):.3f} there")

    ptruth = np.array([{"level": 0, "up": 1, "down": -1}[r["pitch_bin"]] for r, _ in rows])
    grid = [(s, g) for s in np.arange(0.40, 0.55, 0.005) for g in np.arange(50, 181, 10)]
    pred, best = cross_validate(features, ptruth, persons, pitch_model, pitch_bin, grid)
    print(f"pitch: {len(rows)} landmark faces, leave-one-person-out pitch-bin accuracy: {np.mean(pred == ptruth):.3f}")
    print(f"  constants on all DEV (first of the ties): levelNoseShare {best[0]:.3f}, pitchGain {best[1]:.0f}; "
          f"the Swift defaults (0.475, 100) score {np.mean(pitch_bin(pitch_model(features, 0.475, 100)) == ptruth):.3f} there")


if __name__ == "__main__":
    main()
