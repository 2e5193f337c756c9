"""Edge-list reading shared by the peer scripts of `ringlens bench leiden`.

A file holds "u v [w]" lines (.gz allowed; '#' starts a comment, '%' lines
are skipped). Node ids are mapped densely in order of first appearance and
every line is one edge (duplicates kept as parallel edges).
"""
import gzip


def read_edges(path):
    opener = gzip.open if path.endswith(".gz") else open
    index = {}
    edges = []
    weights = []
    weighted = False
    with opener(path, "rt") as f:
        for line in f:
            line = line.split("#", 1)[0]
            fields = line.split()
            if not fields or fields[0].startswith("%"):
                continue
            if len(fields) < 2:
                raise SystemExit(f"{path}: bad line {line!r}")
            u = index.setdefault(int(fields[0]), len(index))
            v = index.setdefault(int(fields[1]), len(index))
            edges.append((u, v))
            if len(fields) > 2:
                weighted = True
                weights.append(float(fields[2]))
            else:
                weights.append(1.0)
    return len(index), edges, (weights if weighted else None)
