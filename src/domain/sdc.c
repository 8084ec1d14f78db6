/* Small-number protection of linked tables (domain/sdc.h, docs/reports.md
 * "Small-number protection").
 *
 * A table is a three-dimensional array (area, period, category); a dimension
 * that is additive is a forest whose every internal node is the sum of its
 * children, which gives one equation per internal node and per position in
 * the other two dimensions (a cell is in up to three families, as a part and
 * as a total in each). The rule, in three steps:
 *
 *  1. Primary: every count 1..k-1 is suppressed, and every preset cell.
 *  2. Equations (the rule of docs/reports.md), to a fixed point, in sweeps
 *     over the cells marked as totals of equations to check: an equation holding a suppressed cell
 * and a published total holds at least two suppressed parts summing to more than k (the smallest
 * nonzero published part is added first, ties by index; when the parts cannot, the total goes too);
 * an equation whose total is suppressed holds a suppressed part and its suppressed cells sum to
 * more than k.
 *  3. Linked tables: each equation alone can look safe while their
 *     intersection pins a cell. So every suppressed cell must lie in a
 *     "cube" of suppressed cells: the product, over the three dimensions, of
 *     a vector v with v(node) = sum of v(children) at every internal node
 *     (in an additive dimension: a path from a node down to a leaf, minus
 *     the same from a sibling of it or of its parent; or a
 *     vertical path from the root to a leaf; in a dimension that is not
 *     additive, the node alone). Adding t times that product to the true
 *     values keeps every equation and every published cell, so any cell of
 *     the cube can take every value over a range at least the smallest
 *     value of its sign plus the smallest of the other sign (unbounded when
 *     the cube has one sign). A cube is accepted when that bound is over k;
 *     among the candidates the one whose further cells sum to the least (then
 *     the fewest of them) is taken, and all its cells count as
 *     protected. A vertical path in every dimension always qualifies. Cells
 *     are taken last first (communes, months and parts before the totals
 *     above them). Steps 2 and 3 alternate until nothing changes.
 *
 * Memory: a few arrays sized by the table, none per cell. Time: about 150 ms
 * of processor for 2,026 areas x 119 periods x 13 categories (3.1 million
 * cells) of sparse random counts, 16% suppressed; 50 ms with 3 categories
 * (tests/api/test_sdc_lp.py prints it). */
#include "domain/sdc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define NDIM          3
#define BRANCH_LEVELS 3
#define MAXCAND       (2 * BRANCH_LEVELS + 2) /* the branchings, the vertical, a scratch */
#define INF           INT64_MAX

struct dim {
    int n;
    int stride;
    bool additive;
    const int *parent;
    int *cstart; /* n + 1 */
    int *child;  /* children of node m: child[cstart[m] .. cstart[m+1]) */
    int depth;   /* longest root-to-leaf path, in nodes */
};

struct vec {
    int n;
    int *node;
    signed char *sign;
};

struct work {
    struct sdc_table *t;
    int k;
    size_t ncell;
    struct dim d[NDIM];
    bool *prot;
    /* per cell: bit d when the equation (d, cell) is to check, bit 3 + d once
     * it holds (more suppression never breaks an equation that holds) */
    unsigned char *pending;
    size_t npending;
    size_t cursor, behind; /* the sweep's position; the least cell marked behind it */
    /* candidate vectors, per dimension */
    struct vec cand[NDIM][MAXCAND];
    int ncand[NDIM];
    int *cat_parent;
};

static int coord(const struct work *w, size_t cell, int d)
{
    /* 32-bit division: sdc_protect refuses tables of 2^32 cells or more;
     * the area (outermost) needs no remainder, the category (innermost)
     * no quotient. */
    uint32_t x = (uint32_t)cell;
    if (d == 0)
        return (int)(x / (uint32_t)w->d[0].stride);
    if (d == NDIM - 1)
        return (int)(x % (uint32_t)w->d[d].n);
    return (int)((x / (uint32_t)w->d[d].stride) % (uint32_t)w->d[d].n);
}

static bool dim_init(struct dim *dm, int n, const int *parent, int stride, bool additive)
{
    dm->n = n;
    dm->stride = stride;
    dm->additive = additive;
    dm->parent = parent;
    dm->cstart = calloc((size_t)n + 1, sizeof *dm->cstart);
    dm->child = calloc((size_t)n + 1, sizeof *dm->child);
    if (!dm->cstart || !dm->child)
        return false;
    for (int i = 0; i < n; i++)
        if (parent[i] >= 0 && parent[i] < i)
            dm->cstart[parent[i] + 1]++;
    for (int i = 0; i < n; i++)
        dm->cstart[i + 1] += dm->cstart[i];
    int *fill = calloc((size_t)n + 1, sizeof *fill);
    if (!fill)
        return false;
    for (int i = 0; i < n; i++)
        if (parent[i] >= 0 && parent[i] < i)
            dm->child[dm->cstart[parent[i]] + fill[parent[i]]++] = i;
    free(fill);
    /* Depth: parents come before their children. */
    int *dep = calloc((size_t)n + 1, sizeof *dep);
    if (!dep)
        return false;
    dm->depth = 1;
    for (int i = 0; i < n; i++) {
        dep[i] = parent[i] >= 0 && parent[i] < i ? dep[parent[i]] + 1 : 1;
        if (dep[i] > dm->depth)
            dm->depth = dep[i];
    }
    free(dep);
    return true;
}

static void dim_free(struct dim *dm)
{
    free(dm->cstart);
    free(dm->child);
}

static int nchild(const struct dim *dm, int m)
{
    return dm->cstart[m + 1] - dm->cstart[m];
}

static int parent_of(const struct dim *dm, int m)
{
    int p = dm->parent[m];
    return p >= 0 && p < m ? p : -1;
}

static void push(struct work *w, int d, size_t total)
{
    if (w->pending[total] & (9u << d))
        return;
    w->pending[total] |= (unsigned char)(1u << d);
    w->npending++;
    if (total < w->cursor && total < w->behind)
        w->behind = total;
}

/* Suppresses a cell and marks every equation it is in. */
static void suppress(struct work *w, size_t cell)
{
    if (w->t->suppressed[cell])
        return;
    w->t->suppressed[cell] = true;
    uint32_t x = (uint32_t)cell;
    int at[NDIM];
    at[2] = (int)(x % (uint32_t)w->d[2].n);
    x /= (uint32_t)w->d[2].n;
    at[1] = (int)(x % (uint32_t)w->d[1].n);
    at[0] = (int)(x / (uint32_t)w->d[1].n);
    for (int d = 0; d < NDIM; d++) {
        const struct dim *dm = &w->d[d];
        if (!dm->additive)
            continue;
        int m = at[d];
        if (nchild(dm, m) > 0)
            push(w, d, cell);
        int p = parent_of(dm, m);
        if (p >= 0)
            push(w, d, cell - (size_t)m * (size_t)dm->stride + (size_t)p * (size_t)dm->stride);
    }
}

/* The smallest published part (nonzero unless zero_ok), ties by index; or
 * SIZE_MAX. */
static size_t smallest_published(const struct work *w, int d, size_t total, bool zero_ok)
{
    const struct dim *dm = &w->d[d];
    int m = coord(w, total, d);
    size_t base = total - (size_t)m * (size_t)dm->stride;
    size_t best = SIZE_MAX;
    for (int j = dm->cstart[m]; j < dm->cstart[m + 1]; j++) {
        size_t c = base + (size_t)dm->child[j] * (size_t)dm->stride;
        if (w->t->suppressed[c] || (!zero_ok && w->t->value[c] == 0))
            continue;
        if (best == SIZE_MAX || w->t->value[c] < w->t->value[best])
            best = c;
    }
    return best;
}

/* Applies the rule to one equation; false when it holds no suppressed cell. */
static bool check_equation(struct work *w, int d, size_t total)
{
    const struct dim *dm = &w->d[d];
    const int64_t *v = w->t->value;
    bool *s = w->t->suppressed;
    int m = coord(w, total, d);
    size_t base = total - (size_t)m * (size_t)dm->stride;
    int ns = 0;
    int64_t sum = 0;
    for (int j = dm->cstart[m]; j < dm->cstart[m + 1]; j++) {
        size_t c = base + (size_t)dm->child[j] * (size_t)dm->stride;
        if (s[c]) {
            ns++;
            sum += v[c];
        }
    }
    if (!s[total]) {
        if (ns == 0)
            return false;
        while (ns < 2 || sum <= w->k) {
            size_t c = smallest_published(w, d, total, false);
            if (c == SIZE_MAX) {
                suppress(w, total);
                return true;
            }
            suppress(w, c);
            ns++;
            sum += v[c];
        }
        return true;
    }
    /* The total is suppressed: a part with it, and more than k together. */
    if (ns == 0) {
        size_t c = smallest_published(w, d, total, false);
        if (c == SIZE_MAX)
            c = smallest_published(w, d, total, true);
        if (c == SIZE_MAX)
            return true;
        suppress(w, c);
        ns++;
        sum += v[c];
    }
    while (v[total] + sum <= w->k) {
        size_t c = smallest_published(w, d, total, false);
        if (c == SIZE_MAX)
            return true;
        suppress(w, c);
        sum += v[c];
    }
    return true;
}

/* Sweeps in cell order (memory order: the parts of consecutive equations
 * are neighbours) until no equation is left to check, each sweep from the
 * least cell marked behind the last, eight cells at a time over the rest. */
static void run_equations(struct work *w)
{
    const uint64_t mask = 0x0707070707070707u;
    size_t from = 0;
    while (w->npending > 0) {
        w->behind = SIZE_MAX;
        for (w->cursor = from; w->cursor < w->ncell; w->cursor++) {
            size_t c = w->cursor;
            if (c % 8 == 0 && c + 8 <= w->ncell) {
                uint64_t word;
                memcpy(&word, w->pending + c, sizeof word);
                if ((word & mask) == 0) {
                    w->cursor += 7;
                    continue;
                }
            }
            for (int d = 0; d < NDIM; d++) {
                if (!(w->pending[c] & (1u << d)))
                    continue;
                w->pending[c] &= (unsigned char)~(1u << d);
                w->npending--;
                if (!check_equation(w, d, c))
                    continue;
                /* Held from now on: no need to look again. */
                if (w->pending[c] & (1u << d)) {
                    w->pending[c] &= (unsigned char)~(1u << d);
                    w->npending--;
                }
                w->pending[c] |= (unsigned char)(8u << d);
            }
        }
        from = w->behind == SIZE_MAX ? 0 : w->behind;
    }
    w->cursor = SIZE_MAX; /* between sweeps every mark is ahead */
}

static void vec_add(struct vec *vc, int node, int sign)
{
    vc->node[vc->n] = node;
    vc->sign[vc->n] = (signed char)sign;
    vc->n++;
}

/* The path from m down to a leaf: at each step the first suppressed child,
 * else the child of the largest value (ties by index). base is the cell with
 * this dimension's coordinate at 0. m itself is not added. */
static void path_down(const struct work *w, int d, size_t base, int m, int sign, struct vec *vc)
{
    const struct dim *dm = &w->d[d];
    while (nchild(dm, m) > 0) {
        /* The largest suppressed child (it costs nothing), else the largest. */
        int pick = -1;
        bool pick_sup = false;
        for (int j = dm->cstart[m]; j < dm->cstart[m + 1]; j++) {
            int ch = dm->child[j];
            size_t c = base + (size_t)ch * (size_t)dm->stride;
            bool sup = w->t->suppressed[c];
            if (pick < 0 || (sup && !pick_sup) ||
                (sup == pick_sup &&
                 w->t->value[c] > w->t->value[base + (size_t)pick * (size_t)dm->stride])) {
                pick = ch;
                pick_sup = sup;
            }
        }
        vec_add(vc, pick, sign);
        m = pick;
    }
}

/* The candidate vectors of dimension d through the cell's node, which each
 * holds with sign +1: the branchings, nearest first, then the vertical (it
 * usually costs the most, being the one that reaches the totals). */
static void candidates(struct work *w, int d, size_t cell)
{
    const struct dim *dm = &w->d[d];
    int m = coord(w, cell, d);
    size_t base = cell - (size_t)m * (size_t)dm->stride;
    struct vec *vc = &w->cand[d][0];
    int nc = 1;
    vc->n = 0;
    vec_add(vc, m, 1);
    if (!dm->additive)
        goto done;
    /* m and its path down, shared by every candidate. */
    path_down(w, d, base, m, 1, vc);
    struct vec *down = &w->cand[d][MAXCAND - 1];
    down->n = 0;
    for (int i = 0; i < vc->n; i++)
        vec_add(down, vc->node[i], 1);
    nc = 0;
    /* Branching at m or at its parent a: the chain a..m and down, minus a
     * sibling s of a and down from s. (Branching higher never won on the
     * national benchmark, and costs a scan of every province.) */
    for (int a = m, lv = 0; parent_of(dm, a) >= 0 && lv < BRANCH_LEVELS;
         a = parent_of(dm, a), lv++) {
        int p = parent_of(dm, a);
        int sup = -1, big = -1;
        for (int j = dm->cstart[p]; j < dm->cstart[p + 1]; j++) {
            int s = dm->child[j];
            if (s == a)
                continue;
            size_t c = base + (size_t)s * (size_t)dm->stride;
            int *best = w->t->suppressed[c] ? &sup : &big;
            if (w->t->value[c] > 0 &&
                (*best < 0 ||
                 w->t->value[c] > w->t->value[base + (size_t)*best * (size_t)dm->stride]))
                *best = s;
        }
        /* Two candidates: the largest suppressed sibling (it costs nothing
         * at this level) and the largest published one (its value may be
         * what the bound needs). */
        for (int k = 0; k < 2; k++) {
            int pick = k == 0 ? sup : big;
            if (pick < 0)
                continue;
            vc = &w->cand[d][nc++];
            vc->n = 0;
            for (int i = 0; i < down->n; i++)
                vec_add(vc, down->node[i], 1);
            for (int b = parent_of(dm, m), stop = p; m != a && b != stop; b = parent_of(dm, b))
                vec_add(vc, b, 1);
            vec_add(vc, pick, -1);
            path_down(w, d, base, pick, -1, vc);
        }
    }
    /* Vertical: m and down, and every ancestor up to the root. */
    vc = &w->cand[d][nc++];
    vc->n = 0;
    for (int i = 0; i < down->n; i++)
        vec_add(vc, down->node[i], 1);
    for (int a = parent_of(dm, m); a >= 0; a = parent_of(dm, a))
        vec_add(vc, a, 1);
done:
    w->ncand[d] = nc;
}

struct cube_eval {
    int cost;
    int64_t added;
    bool ok;
};

/* The cube's cost and bound; stops early (ok false) once the further cells'
 * sum is past limit, or once the bound is k or less. */
static struct cube_eval evaluate(const struct work *w, size_t base, const struct vec *v0,
                                 const struct vec *v1, const struct vec *v2, int64_t limit)
{
    struct cube_eval r = {0, 0, false};
    int64_t min_same = INF, min_opp = INF;
    for (int i = 0; i < v0->n; i++)
        for (int j = 0; j < v1->n; j++)
            for (int l = 0; l < v2->n; l++) {
                size_t c = base + (size_t)v0->node[i] * (size_t)w->d[0].stride +
                           (size_t)v1->node[j] * (size_t)w->d[1].stride +
                           (size_t)v2->node[l] * (size_t)w->d[2].stride;
                int64_t v = w->t->value[c];
                if (!w->t->suppressed[c]) {
                    r.cost++;
                    if ((r.added += v) > limit)
                        return r;
                }
                if (v0->sign[i] * v1->sign[j] * v2->sign[l] > 0) {
                    if (v < min_same)
                        min_same = v;
                } else if (v < min_opp)
                    min_opp = v;
                /* The bound only falls: stop once it is k or less. */
                if (min_opp != INF && min_same <= w->k && min_same + min_opp <= w->k)
                    return r;
            }
    r.ok = min_opp == INF || min_same > w->k || min_same + min_opp > w->k;
    return r;
}

static void apply(struct work *w, size_t base, const struct vec *v0, const struct vec *v1,
                  const struct vec *v2)
{
    for (int i = 0; i < v0->n; i++)
        for (int j = 0; j < v1->n; j++)
            for (int l = 0; l < v2->n; l++) {
                size_t c = base + (size_t)v0->node[i] * (size_t)w->d[0].stride +
                           (size_t)v1->node[j] * (size_t)w->d[1].stride +
                           (size_t)v2->node[l] * (size_t)w->d[2].stride;
                suppress(w, c);
                w->prot[c] = true;
            }
}

/* Step 3 for one cell; true when it suppressed further cells. */
static bool protect_cell(struct work *w, size_t cell)
{
    size_t base = cell;
    for (int d = 0; d < NDIM; d++) {
        candidates(w, d, cell);
        base -= (size_t)coord(w, cell, d) * (size_t)w->d[d].stride;
    }
    int best[NDIM] = {-1, -1, -1};
    struct cube_eval be = {0, 0, false};
    for (int i = 0; i < w->ncand[0]; i++)
        for (int j = 0; j < w->ncand[1]; j++)
            for (int l = 0; l < w->ncand[2]; l++) {
                struct cube_eval e = evaluate(w, base, &w->cand[0][i], &w->cand[1][j],
                                              &w->cand[2][l], best[0] < 0 ? INF : be.added);
                if (!e.ok)
                    continue;
                /* The least information lost: the smallest sum of the cells
                 * it suppresses further (a cube up to the country's totals
                 * costs their whole value), then the fewest of them. */
                if (best[0] < 0 || e.added < be.added ||
                    (e.added == be.added && e.cost < be.cost)) {
                    best[0] = i;
                    best[1] = j;
                    best[2] = l;
                    be = e;
                    if (e.cost == 0)
                        goto found;
                }
            }
found:
    if (best[0] < 0) {
        /* Cannot happen (the vertical cube has one sign); be safe anyway. */
        best[0] = best[1] = best[2] = 0;
    }
    apply(w, base, &w->cand[0][best[0]], &w->cand[1][best[1]], &w->cand[2][best[2]]);
    return be.cost > 0;
}

void sdc_protect(struct sdc_table *t, int k)
{
    if (k < 2)
        k = 2;
    int na = t->area->n, np = t->period->n, nc = t->ncat + 1;
    size_t ncell = (size_t)na * (size_t)np * (size_t)nc;
    memset(t->suppressed, 0, ncell * sizeof *t->suppressed);
    if (ncell == 0)
        return;
    struct work w = {.t = t, .k = k, .ncell = ncell};
    w.cat_parent = malloc((size_t)nc * sizeof *w.cat_parent);
    w.prot = calloc(ncell, sizeof *w.prot);
    w.pending = calloc(ncell, sizeof *w.pending);
    bool ok = w.cat_parent && w.prot && w.pending && ncell < UINT32_MAX;
    if (ok) {
        w.cat_parent[0] = -1;
        for (int c = 1; c < nc; c++)
            w.cat_parent[c] = 0;
        ok = dim_init(&w.d[0], na, t->area->parent, np * nc, t->area_additive) &&
             dim_init(&w.d[1], np, t->period->parent, nc, t->time_additive) &&
             dim_init(&w.d[2], nc, w.cat_parent, 1, t->cat_additive && t->ncat > 0);
    }
    for (int d = 0; ok && d < NDIM; d++) {
        int len = 2 * (w.d[d].depth + 1);
        for (int i = 0; ok && i < MAXCAND; i++) {
            w.cand[d][i].node = malloc((size_t)len * sizeof(int));
            w.cand[d][i].sign = malloc((size_t)len);
            ok = w.cand[d][i].node && w.cand[d][i].sign;
        }
    }
    if (ok) {
        for (size_t c = 0; c < ncell; c++)
            if ((t->value[c] >= 1 && t->value[c] < k) || (t->preset != NULL && t->preset[c]))
                suppress(&w, c);
        bool changed = true;
        while (changed) {
            run_equations(&w);
            changed = false;
            /* Last cells first: the communes, months and categories, whose
             * cubes then cover many of the totals above them. */
            for (size_t c = ncell; c-- > 0;)
                if (t->suppressed[c] && !w.prot[c] && protect_cell(&w, c))
                    changed = true;
        }
    }
    if (!ok) /* out of memory: nothing leaves */
        memset(t->suppressed, 1, ncell * sizeof *t->suppressed);
    for (int d = 0; d < NDIM; d++) {
        dim_free(&w.d[d]);
        for (int i = 0; i < MAXCAND; i++) {
            free(w.cand[d][i].node);
            free(w.cand[d][i].sign);
        }
    }
    free(w.cat_parent);
    free(w.prot);
    free(w.pending);
}
