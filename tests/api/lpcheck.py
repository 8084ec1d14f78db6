"""The independent checker of small-number protection (docs/reports.md,
"Small-number protection"), written from the rules, not from src/domain/sdc.c.

The attacker knows every published figure and every linear equation that
links the figures (a total is the sum of its parts), and that every figure
is a whole number >= 0; nothing else (not that a suppressed cell is 1..k-1).
For every suppressed cell, linear programming (SciPy's linprog, HiGHS) gives
the least and the greatest value it can take under those facts; a cell whose
range (max - min) is k or less is as good as disclosed.

    published: {cell: value, or None when suppressed}   (cell: any hashable)
    equations: [(total_cell, [part_cell, ...]), ...]
    ranges(published, equations) -> {cell: (lo, hi)}    (hi may be inf)
    exposed(published, equations, k) -> [(cell, lo, hi), ...] with hi - lo <= k
"""

import math

import numpy as np
from scipy.optimize import linprog


class Inconsistent(Exception):
    """The published figures break an equation by themselves."""


def _components(nvar, rows):
    parent = list(range(nvar))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for coefs, _ in rows:
        vs = list(coefs)
        for v in vs[1:]:
            a, b = find(vs[0]), find(v)
            if a != b:
                parent[a] = b
    comps = {}
    for i in range(nvar):
        comps.setdefault(find(i), []).append(i)
    return list(comps.values())


def _rows(published, equations):
    """The equations over the suppressed cells: ({var: coef}, rhs)."""
    cells = sorted((c for c, v in published.items() if v is None), key=repr)
    var = {c: i for i, c in enumerate(cells)}
    rows = []
    for total, parts in equations:
        coefs = {}
        rhs = 0
        for c, sign in [(total, -1)] + [(p, 1) for p in parts]:
            if c not in published:
                raise KeyError("equation names an unknown cell: %r" % (c,))
            v = published[c]
            if v is None:
                coefs[var[c]] = coefs.get(var[c], 0) + sign
            else:
                rhs -= sign * v
        coefs = {i: s for i, s in coefs.items() if s != 0}
        if not coefs:
            if rhs != 0:
                raise Inconsistent("%r != sum of %r" % (total, parts))
            continue
        rows.append((coefs, rhs))
    return cells, rows


def ranges(published, equations):
    cells, rows = _rows(published, equations)
    out = {}
    for comp in _components(len(cells), rows):
        local = {v: j for j, v in enumerate(comp)}
        crows = [r for r in rows if next(iter(r[0])) in local]
        n = len(comp)
        if crows:
            a = np.zeros((len(crows), n))
            b = np.zeros(len(crows))
            for i, (coefs, rhs) in enumerate(crows):
                for v, s in coefs.items():
                    a[i, local[v]] = s
                b[i] = rhs
        for v in comp:
            if not crows:
                out[cells[v]] = (0.0, math.inf)
                continue
            bounds = []
            for sense in (1, -1):
                c = np.zeros(n)
                c[local[v]] = sense
                # Without presolve: HiGHS's (SciPy 1.10) calls infeasible
                # some feasible systems of many dependent equations, and
                # aborts the process on others.
                r = linprog(c, A_eq=a, b_eq=b, bounds=[(0, None)] * n, method="highs",
                            options={"presolve": False})
                if r.status == 3:
                    bounds.append(math.inf)
                elif r.status == 2:
                    raise Inconsistent("no values satisfy the equations")
                elif r.status != 0:
                    raise RuntimeError("linprog: %s" % r.message)
                else:
                    bounds.append(sense * r.fun)
            out[cells[v]] = (bounds[0], bounds[1])
    return out


def exposed(published, equations, k):
    """Every suppressed cell whose range is k or less, with its range."""
    bad = []
    for cell, (lo, hi) in ranges(published, equations).items():
        if hi - lo <= k + 1e-6:
            bad.append((cell, lo, hi))
    return sorted(bad, key=repr)
