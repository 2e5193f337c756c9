#!/usr/bin/env python3
"""Summarise `ringlens eval --json` over the cities of make_cities.sh.

usage: summary.py CITIES_ROOT OUT_ROOT

CITIES_ROOT holds city-NN/ (with truth.json); OUT_ROOT holds, per city,
city-NN.eval.json (from `ringlens eval --truth ... --out OUT_ROOT/city-NN
--json`). Prints per city the rings found in the top K, precision in the top
K, merged rings, hard-negative groups reported and the entity ROC-AUCs, then
every planted ring's outcome, then the totals (the planted share of the top K
counts the fragments of planted rings beside the matching rings).
"""
import glob
import json
import os
import sys


def main(root, out):
    found = planted = top = matched = frags = hn = 0
    for f in sorted(glob.glob(os.path.join(out, "city-*.eval.json"))):
        name = os.path.basename(f)[: -len(".eval.json")]
        d = json.load(open(f))
        t = json.load(open(os.path.join(root, name, "truth.json")))
        neg = sum(h.get("reported", 0) for h in d["hard_negatives"])
        auc = " ".join(f"{a['kind']} " + ("n/a" if a["auc"] is None else f"{a['auc']:.3f}") for a in d["auc"])
        print(f"{name} dropped={','.join(t.get('dropped', [])) or '-'}: found {d['found_at_k']}/{d['planted']}, "
              f"precision@K {d['precision_at_k']:.2f}, merged {d['merged']}, hard-negative groups {neg}, AUC {auc}")
        for r in d["rings"]:
            state = "found" if r["found_at_k"] else "missed"
            print(f"  {r['id']} {r['typology']:22s} {r['size_band']:6s} people {r['patients']:3d} {state:6s} "
                  f"best {r.get('best') or '-'} rank {r.get('best_rank') or '-'} "
                  f"coverage {r.get('coverage', 0):.2f} purity {r.get('purity', 0):.2f}")
        found += d["found_at_k"]
        planted += d["planted"]
        top += d["top_k"]
        matched += d["top_k_matched"]
        frags += d.get("fragments", 0)
        hn += neg
    if planted == 0:
        sys.exit("summary: no evaluated city in " + out)
    print(f"all: found {found}/{planted} ({100 * found / planted:.1f}%), precision@K {100 * matched / max(top, 1):.1f}%, "
          f"planted share of the top K {100 * (matched + frags) / max(top, 1):.1f}% ({frags} fragments), "
          f"hard-negative groups {hn}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
