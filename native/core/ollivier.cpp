// Exact Ollivier-Ricci curvature per edge, exploiting that every ground cost is 0, 1, 2 or 3.
//
// The per-edge problem. For an edge {a,b}, μ_a lives on the closed neighbourhood N[a], μ_b on N[b],
// and every pair (x,y) ∈ N[a]×N[b] has hop distance ≤ d(x,a)+d(a,b)+d(b,y) ≤ 3. Because the hop
// distance is a metric, W1 only depends on μ_a − μ_b (Kantorovich–Rubinstein), so shared mass
// cancels: sources S = {μ_a > μ_b} with supply p_x, sinks D = {μ_b > μ_a} with demand q_y, S∩D = ∅,
// total M on each side, and every source-sink cost c(x,y) ∈ {1,2,3}.
//
// From costs to one max-flow. Write c = 3 − w with w ∈ {0,1,2}: w = 2 on adjacent pairs (E1),
// w = 1 on pairs with a common neighbour (E2 \ E1), w = 0 otherwise. Any partial plan can be
// completed at w = 0 (every pair is allowed), so W1 = 3M − P* with
//   P* = max Σ w_xy f_xy  s.t.  Σ_y f_xy ≤ p_x,  Σ_x f_xy ≤ q_y,  f ≥ 0.
// Its LP dual is min Σ p_x u_x + Σ q_y v_y s.t. u_x + v_y ≥ w_xy, u, v ≥ 0. The constraint matrix
// (bipartite incidence) is totally unimodular and w is integral, so an optimal dual is integral,
// and clipping at 2 keeps it feasible: u, v ∈ {0,1,2}. Encode u'_x = 2 − u_x and v_y by threshold
// indicators [u' ≥ k], [v ≥ k] (k = 1,2). The constraints become implications:
//   w = 2: [u'_x ≥ k] ⇒ [v_y ≥ k] (k = 1,2);   w ≥ 1: [u'_x ≥ 2] ⇒ [v_y ≥ 1];
//   monotonicity [u' ≥ 2] ⇒ [u' ≥ 1], [v ≥ 2] ⇒ [v ≥ 1].
// The dual objective is 2Σp − Σ_x p_x([u'≥1]+[u'≥2]) + Σ_y q_y([v≥1]+[v≥2]): a minimum-weight
// closure, i.e. (Picard) a minimum s-t cut in the network
//   s → x¹, s → x² (cap p_x);  y¹ → t, y² → t (cap q_y);  x² → x¹, y² → y¹ (∞);
//   x¹ → y¹, x² → y² for (x,y) ∈ E1 (∞);  x² → y¹ for (x,y) ∈ E1 ∪ E2 (∞),
// whose value is exactly the dual optimum: P* = maxflow, W1 = 3M − maxflow. No step relaxes
// anything, so the result is the exact transport cost (the tests check it against POT's network
// simplex on random graphs for several α).
//
// Fast path (the usual case on dense kNN graphs). Every plan has Σ w f = f(E1) + f(E2) with
// f(E2) ≤ M and f(E1) ≤ F1 := maxflow restricted to E1, so P* ≤ M + F1. If some maximum E1 flow
// can be completed along E1 ∪ E2 pairs until all of M has moved, the plan reaches the bound and
// P* = M + F1 exactly. The anchor has d_a ≤ d_b, and the nets split into a core and two special
// vertices: sources x ∈ N(a)\N[b] (d_b), x ∈ C = N(a)∩N(b) (d_b − d_a), sinks y ∈ N(b)\N[a] (d_a),
// a (αK − d_a) and b (d_b − αK), positive for a source. a and b are handled in closed form
// (fast_edge): as a source b is adjacent to every sink, as a sink a to every source, and when b is a
// sink then a is a source whose supply covers b's demand and whose only E1 partner is b. So F1 is
// a max-flow between the core sources and sinks only (α does not enter it) plus closed forms.
// For the completion, C, a and b reach every vertex of the other side within 2 hops, so only the
// residual non-C sources need a search (a greedy, then a max-flow only if it falls short); by
// Hall's condition the completion exists iff they can be routed into the core sinks and the
// residual universal sinks.
// Otherwise (mass that must travel 3 hops, or an E1 flow that has to be re-routed; about 0.2 % of
// the W4 edges) the general path runs: F1 on all of E1, the completion with E1 frozen, and if
// that falls short, both flows seed the max-flow on the network above (E1 flow f on x¹→y¹ and
// x²→y², E2 flow on x²→y¹: a feasible flow of value 2F1 + F2), which is then run to optimality.
// (The tempting "threshold" formula W1 = 3M − F1 − F12, with F12 the max-flow on E1 ∪ E2, is
// only a lower bound: it assumes one plan maximises both flows at once. On the W4 graphs it is
// wrong for 6–37 edges per case, by up to 320 scaled units.)
//
// Exact arithmetic. Masses are scaled by K = d_a·d_b/(1−α): (1−α)/d_a → d_b, (1−α)/d_b → d_a,
// α → α·K. All capacities are integers except the two α-masses, so the flow is exact up to the
// rounding of those two numbers; residuals below 1e-9 scaled units (≈1e-9/K of mass) are zero.
//
// Speed. Edges are grouped by an anchor endpoint (the one of smaller degree). For the anchor a,
// the bits of N[a] index the sources, and two tables give, for every vertex y, the bitmask of
// N[a] adjacent to y (A) and within distance 2 of y (T): A is pushed from the adjacency lists,
// T comes from 64×64 bit transposes of precomputed 2-hop-ball bitsets (or, for very large n, is
// pushed through the 2-hop neighbourhood). Each edge of the group then reads one row per vertex
// of N[b]: no pairwise distance is ever computed one by one. The bits of N[a] and the sinks of
// N[b] are taken in (degree, index) order: a low-degree vertex has few others within 2 hops, so
// the greedy starts below serve it first, and the E1 ∪ E2 completion then rarely needs a search
// (on W4's n = 2000 graph at α = 0 it falls back to a max-flow for 9 % of the edges instead of
// 60 %). The order only steers which maximum flows are found; the result is the exact transport
// cost either way. The max-flows are Dinic's
// algorithm with bit-parallel level searches (a word covers 64 sources or 64 sink rows), a
// backward pruning of the level graph before each blocking-flow search, and a greedy start.
// Groups are split into chunks, ordered by estimated cost (hub edges first) and scheduled
// dynamically over OpenMP threads; each edge is computed on its own, with the same operations
// whatever the thread count, so results do not depend on it.
//
// Files: this one (anchor tables, grouping, scheduling, public entry points), ollivier_edge.cpp
// (per-edge fast and general paths), ollivier_flow.cpp/.h (max-flows, per-thread state),
// ollivier_bits.h (bit primitives).
#include "ollivier.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>

#include "ollivier_flow.h"
#include "threads.h"

namespace ricci {
namespace {

using namespace oll;

constexpr size_t kBitsetLimit = 64u << 20;  // bytes allowed for the all-pairs 2-hop bitsets


struct Workspace {
  std::vector<int32_t> xs;     // N[a] in (degree, index) order: vertex of bit l
  std::vector<int32_t> bit;    // n: bit of a vertex in N[a], −1 outside (all −1 between groups)
  std::vector<uint64_t> A, T;  // n×W masks over N[a]
  std::vector<int32_t> touched;
  std::vector<uint8_t> mark;   // n, for the push strategy
  std::vector<uint8_t> colneed;
  std::vector<int32_t> cols;
  std::vector<uint64_t> srcmask;
  std::vector<int32_t> rowmap;
  FlowState fs;
};

struct Context {
  const GraphView* g;
  double alpha;
  bool bitsets;
  bool fast_path;               // false: every edge takes the general path (testing)
  size_t nw;                    // words per 2-hop bitset row
  std::vector<uint64_t> ball2;  // n × nw closed 2-hop balls
  std::vector<int32_t> nbo;     // adjacency lists (CSR of g) in (degree, index) order
};

inline bool has_edge(const GraphView& g, int32_t u, int32_t v) {
  return std::binary_search(g.begin(u), g.end(u), v);
}

// Curvature of the edges anchored at a: positions eids[0..count) of the requested edge list
// (edge id = ids[p], or p itself when ids is null); the value of position p goes to out[p].
void process_group(const Context& cx, Workspace& ws, int32_t a, const int64_t* eids, size_t count,
                   const int32_t* ids, double* out) {
  const GraphView& g = *cx.g;
  const int32_t n = g.n;
  const int32_t da = g.degree(a);
  // N[a] in (degree, index) order, a among them at its place (heuristic order, see the header)
  ws.xs.clear();
  {
    const uint64_t ka = (static_cast<uint64_t>(da) << 32) | static_cast<uint32_t>(a);
    bool placed = false;
    for (const int32_t* p = cx.nbo.data() + g.offsets[a], *pe = p + da; p != pe; ++p) {
      const uint64_t kp = (static_cast<uint64_t>(g.degree(*p)) << 32) | static_cast<uint32_t>(*p);
      if (!placed && kp > ka) { ws.xs.push_back(a); placed = true; }
      ws.xs.push_back(*p);
    }
    if (!placed) ws.xs.push_back(a);
  }
  const int s = static_cast<int>(ws.xs.size());
  if (ws.bit.size() < static_cast<size_t>(n)) ws.bit.assign(n, -1);
  for (int l = 0; l < s; ++l) ws.bit[ws.xs[l]] = l;
  const int W = (s + 63) / 64;
  const size_t nW = static_cast<size_t>(n) * W;
  const size_t AS = static_cast<size_t>(W);  // row stride of A and T
  if (ws.A.size() < nW) {
    ws.A.assign(nW, 0);
    ws.T.assign(nW, 0);
  }
  uint64_t* A = ws.A.data();
  uint64_t* T = ws.T.data();
  int pos_a = 0;
  // A: for each vertex z, the bits x of N[a] with z ∈ N(x)
  for (int l = 0; l < s; ++l) {
    const int32_t x = ws.xs[l];
    if (x == a) pos_a = l;
    const uint64_t bit = uint64_t(1) << (l & 63);
    for (const int32_t* p = g.begin(x); p != g.end(x); ++p) A[static_cast<size_t>(*p) * AS + (l >> 6)] |= bit;
  }
  // T: for each vertex v needed (v ∈ N[b] over the group), bits x of N[a] with d(x,v) ≤ 2
  if (cx.bitsets) {
    const size_t nw = cx.nw;
    if (ws.colneed.size() < nw) ws.colneed.assign(nw, 0);
    ws.cols.clear();
    auto need = [&](int32_t v) {
      const size_t c = static_cast<size_t>(v) >> 6;
      if (!ws.colneed[c]) { ws.colneed[c] = 1; ws.cols.push_back(static_cast<int32_t>(c)); }
    };
    // when the group's N[b] lists are long against the n/64 columns, nearly every column is
    // needed: take them all rather than marking them one neighbour at a time
    size_t listed = 0;
    for (size_t k = 0; k < count; ++k) {
      const int64_t e = ids ? ids[eids[k]] : eids[k];
      listed += 1 + static_cast<size_t>(g.degree(g.u(e) == a ? g.v(e) : g.u(e)));
    }
    if (listed >= 4 * nw) {
      for (size_t c = 0; c < nw; ++c) ws.cols.push_back(static_cast<int32_t>(c));
    } else {
      for (size_t k = 0; k < count; ++k) {
        const int64_t e = ids ? ids[eids[k]] : eids[k];
        const int32_t b = g.u(e) == a ? g.v(e) : g.u(e);
        need(b);
        for (const int32_t* p = g.begin(b); p != g.end(b); ++p) need(*p);
      }
    }
    alignas(64) uint64_t blk[64];
    for (const int32_t c : ws.cols) {
      ws.colneed[c] = 0;
      for (int kb = 0; kb < W; ++kb) {
        for (int r = 0; r < 64; ++r) {
          const int l = kb * 64 + r;
          blk[r] = l < s ? cx.ball2[static_cast<size_t>(ws.xs[l]) * nw + c] : 0;
        }
        transpose64(blk);
        const int lim = std::min(64, n - c * 64);
        for (int t = 0; t < lim; ++t) T[static_cast<size_t>(c * 64 + t) * AS + kb] = blk[t];
      }
    }
  } else {
    // push: C[z] = {x : z ∈ N[x]} = A[z] ∪ {z}; then T[v] |= C[z] for v ∈ N[z] ∪ {z}.
    if (ws.mark.size() < static_cast<size_t>(n)) ws.mark.assign(n, 0);
    ws.touched.clear();
    std::vector<int32_t> zs;  // vertices with C[z] != 0
    for (int l = 0; l < s; ++l) {
      const int32_t x = ws.xs[l];
      if (!(ws.mark[x] & 1)) { ws.mark[x] |= 1; zs.push_back(x); }
      for (const int32_t* p = g.begin(x); p != g.end(x); ++p)
        if (!(ws.mark[*p] & 1)) { ws.mark[*p] |= 1; zs.push_back(*p); }
    }
    std::vector<uint64_t> C(W);
    for (const int32_t z : zs) {
      for (int w = 0; w < W; ++w) C[w] = A[static_cast<size_t>(z) * AS + w];
      // z itself when z ∈ N[a]
      const int l = ws.bit[z];
      if (l >= 0) C[l >> 6] |= uint64_t(1) << (l & 63);
      auto add = [&](int32_t v) {
        if (!(ws.mark[v] & 2)) {
          ws.mark[v] |= 2;
          ws.touched.push_back(v);
          for (int w = 0; w < W; ++w) T[static_cast<size_t>(v) * AS + w] = 0;
        }
        for (int w = 0; w < W; ++w) T[static_cast<size_t>(v) * AS + w] |= C[w];
      };
      add(z);
      for (const int32_t* p = g.begin(z); p != g.end(z); ++p) add(*p);
    }
    for (const int32_t z : zs) ws.mark[z] &= ~uint8_t(1);
    for (const int32_t v : ws.touched) ws.mark[v] &= ~uint8_t(2);
    // vertices never touched are at distance > 2 from all of N[a]: their rows stay zero
  }

  const double alpha = cx.alpha;
  if (ws.srcmask.size() < static_cast<size_t>(W)) ws.srcmask.resize(W);
  uint64_t* srcmask = ws.srcmask.data();
  FlowState& fs = ws.fs;
  for (size_t k = 0; k < count; ++k) {
    const int64_t e = ids ? ids[eids[k]] : eids[k];
    const int32_t b = g.u(e) == a ? g.v(e) : g.u(e);
    const int32_t db = g.degree(b);
    const double K = static_cast<double>(da) * db / (1.0 - alpha);
    const double amass = alpha * K;  // scaled α
    const int R0 = db + 1;
    fs.reserve(W, R0);
    // M = Σ of the positive nets μ_a − μ_b (fast_edge lists them): the integer part first, exact
    const uint64_t* Ab = A + static_cast<size_t>(b) * AS;  // N(b) ∩ N[a], holds a (a ~ b), not b
    int nC = -1;
    for (int w = 0; w < W; ++w) nC += __builtin_popcountll(Ab[w]);
    const double sA = amass - da, sB = db - amass;
    double M = static_cast<double>(s - 2 - nC) * db + (db > da ? static_cast<double>(nC) * (db - da) : 0.0);
    if (sA > kTol) M += sA;
    if (sB > kTol) M += sB;
    if (cx.fast_path) {
      const int pos_b = ws.bit[b];
      const int32_t* nbo = cx.nbo.data() + g.offsets[b];
      double pstar = 0.0;
      const bool ok = W == 1 ? fast_edge<1>(fs, 1, g, nbo, A, T, AS, a, b, pos_a, pos_b, s, amass, M, &pstar)
                      : W == 2 ? fast_edge<2>(fs, 2, g, nbo, A, T, AS, a, b, pos_a, pos_b, s, amass, M, &pstar)
                               : fast_edge<0>(fs, W, g, nbo, A, T, AS, a, b, pos_a, pos_b, s, amass, M, &pstar);
      if (ok) {
        out[eids[k]] = 1.0 - (3.0 * M - pstar) / K;
        continue;
      }
    }
    // general path. sources: x ∈ N[a] with μ_a(x) > μ_b(x)
    for (int w = 0; w < W; ++w) srcmask[w] = 0;
    for (int l = 0; l < s; ++l) {
      const int32_t x = ws.xs[l];
      const double ma = x == a ? amass : static_cast<double>(db);
      const double mb = x == b ? amass : (((Ab[l >> 6] >> (l & 63)) & 1) ? static_cast<double>(da) : 0.0);
      const double net = ma - mb;
      if (net > kTol) {
        srcmask[l >> 6] |= uint64_t(1) << (l & 63);
        fs.sup[l] = net;
      }
    }
    // sinks: y ∈ N[b] with μ_b(y) > μ_a(y)
    int R = 0;
    auto add_row = [&](int32_t y) {
      const double mb = y == b ? amass : static_cast<double>(da);
      const uint64_t* Ay = A + static_cast<size_t>(y) * AS;
      const bool y_adj_a = (Ay[pos_a >> 6] >> (pos_a & 63)) & 1;
      const double ma = y == a ? amass : (y_adj_a ? static_cast<double>(db) : 0.0);
      const double net = mb - ma;
      if (!(net > kTol)) return;
      const uint64_t* Ty = T + static_cast<size_t>(y) * AS;
      uint64_t* am = fs.am.data() + static_cast<size_t>(R) * W;
      uint64_t* tm = fs.tm.data() + static_cast<size_t>(R) * W;
      uint64_t any = 0;
      for (int w = 0; w < W; ++w) {
        am[w] = Ay[w] & srcmask[w];
        tm[w] = (Ty[w] | Ay[w]) & srcmask[w];
        any |= tm[w];
      }
      if (!any) return;  // only cost-3 partners: contributes 3·net, nothing to optimise
      fs.dem[R] = net;
      ++R;
    };
    {
      bool placed = false;
      for (const int32_t* p = g.begin(b); p != g.end(b); ++p) {
        if (!placed && *p > b) { add_row(b); placed = true; }
        add_row(*p);
      }
      if (!placed) add_row(b);
    }
    fs.R = R;
    double flow = 0.0;
    if (R > 0 && M > 0) flow = W == 1   ? solve_edge<1>(fs, 1, srcmask, M)
             : W == 2 ? solve_edge<2>(fs, 2, srcmask, M)
                      : solve_edge<0>(fs, W, srcmask, M);
    const double w1 = (3.0 * M - flow) / K;
    out[eids[k]] = 1.0 - w1;
  }
  // leave A (and T for the push strategy) all zero for the next group: one memset when the n×W
  // table is smaller than the scattered clears would be
  size_t scattered = 0;
  for (int l = 0; l < s; ++l) scattered += g.degree(ws.xs[l]);
  if (nW <= 4 * scattered) {
    std::memset(A, 0, nW * sizeof(uint64_t));
  } else {
    for (int l = 0; l < s; ++l) {
      const int32_t x = ws.xs[l];
      for (const int32_t* p = g.begin(x); p != g.end(x); ++p) A[static_cast<size_t>(*p) * AS + (l >> 6)] = 0;
    }
  }
  for (int l = 0; l < s; ++l) ws.bit[ws.xs[l]] = -1;
  if (!cx.bitsets)
    for (const int32_t v : ws.touched)
      for (int w = 0; w < W; ++w) T[static_cast<size_t>(v) * AS + w] = 0;
}

}  // namespace

namespace detail {

std::vector<double> ollivier_curvature_with(const GraphView& g, double alpha, int threads,
                                            Control* control, Strategy strategy, const int32_t* ids,
                                            int64_t count) {
  if (strategy.distance2 < 0 || strategy.distance2 > 2)
    invalid("distance2", "must be 0 (automatic), 1 (bitsets) or 2 (push)");
  if (!std::isfinite(alpha) || alpha < 0.0 || alpha >= 1.0)
    invalid("alpha", "must be a finite number in [0, 1) (got " + std::to_string(alpha) + ")");
  const int32_t n = g.n;
  const int64_t m = g.m;
  if (n < 0 || m < 0) invalid("graph", "negative size");
  if (m > 0 && (g.offsets == nullptr || g.nbrs == nullptr || g.edges == nullptr))
    invalid("graph", "missing arrays");
  for (int64_t e = 0; e < m; ++e) {
    const int32_t u = g.u(e), v = g.v(e);
    if (u < 0 || v >= n || u >= v) invalid("graph", "edge " + std::to_string(e) + " is not (u < v) within [0, n)");
    if (!has_edge(g, u, v)) invalid("graph", "edge " + std::to_string(e) + " is not in the adjacency lists");
  }
  const int64_t cnt = ids ? count : m;  // positions p: edge ids[p] (or p)
  if (ids)
    for (int64_t p = 0; p < cnt; ++p)
      if (ids[p] < 0 || ids[p] >= m)
        invalid("edges", "edge id " + std::to_string(ids[p]) + " at position " + std::to_string(p) +
                             " is outside [0, " + std::to_string(m) + ")");
  auto edge_of = [&](int64_t p) -> int64_t { return ids ? ids[p] : p; };
  std::vector<double> out(static_cast<size_t>(cnt), 0.0);
  if (threads <= 0) threads = hardware_threads();
  if (control) control->start(static_cast<uint64_t>(cnt));
  if (cnt == 0) return out;

  Context cx;
  cx.g = &g;
  cx.alpha = alpha;
  cx.nw = (static_cast<size_t>(n) + 63) / 64;
  const size_t bytes = static_cast<size_t>(n) * cx.nw * 8;
  cx.bitsets = strategy.distance2 == 1 || (strategy.distance2 == 0 && bytes <= kBitsetLimit);
  cx.fast_path = strategy.fast_path;

  // anchor of each edge: the endpoint of smaller degree (ties: the smaller index)
  std::vector<int64_t> goff(static_cast<size_t>(n) + 1, 0);
  auto anchor_of = [&](int64_t e) {
    const int32_t u = g.u(e), v = g.v(e);
    return g.degree(v) < g.degree(u) ? v : u;
  };
  for (int64_t p = 0; p < cnt; ++p) goff[anchor_of(edge_of(p)) + 1]++;
  for (int32_t i = 0; i < n; ++i) goff[i + 1] += goff[i];
  std::vector<int64_t> geid(static_cast<size_t>(cnt));  // positions, grouped by anchor
  {
    std::vector<int64_t> pos(goff.begin(), goff.end() - 1);
    for (int64_t p = 0; p < cnt; ++p) geid[pos[anchor_of(edge_of(p))]++] = p;
  }
  // tasks: groups split into chunks of bounded estimated cost, heaviest first
  struct Task { int32_t a; int64_t begin, end; double cost; };
  std::vector<Task> tasks;
  {
    double total = 0;
    std::vector<double> ecost(static_cast<size_t>(cnt));
    for (int64_t p = 0; p < cnt; ++p) {
      const int64_t e = edge_of(p);
      const double du = g.degree(g.u(e)) + 1.0, dv = g.degree(g.v(e)) + 1.0;
      ecost[p] = du * dv + 8.0 * (du + dv);
      total += ecost[p];
    }
    const double cap = std::max(total / (64.0 * threads), 1.0);
    for (int32_t a = 0; a < n; ++a) {
      int64_t b = goff[a];
      while (b < goff[a + 1]) {
        double c = 0;
        int64_t e = b;
        while (e < goff[a + 1] && (e == b || c + ecost[geid[e]] <= cap)) c += ecost[geid[e++]];
        tasks.push_back({a, b, e, c});
        b = e;
      }
    }
    std::stable_sort(tasks.begin(), tasks.end(), [](const Task& x, const Task& y) { return x.cost > y.cost; });
  }

  // adjacency lists in (degree, index) order: the order in which the fast path takes the sources
  // (bits of N[a]) and the sinks (N[b]); see the header comment
  cx.nbo.resize(m > 0 ? static_cast<size_t>(g.offsets[n]) : 0);
#pragma omp parallel num_threads(threads)
  {
    std::vector<uint64_t> key;
#pragma omp for schedule(dynamic, 64)
    for (int32_t v = 0; v < n; ++v) {
      key.clear();
      for (const int32_t* p = g.begin(v); p != g.end(v); ++p)
        key.push_back((static_cast<uint64_t>(g.degree(*p)) << 32) | static_cast<uint32_t>(*p));
      std::sort(key.begin(), key.end());
      int32_t* out_v = cx.nbo.data() + g.offsets[v];
      for (size_t i = 0; i < key.size(); ++i) out_v[i] = static_cast<int32_t>(key[i] & 0xFFFFFFFFu);
    }
  }

  if (cx.bitsets) {
    // closed 2-hop ball of v = OR of the closed neighbourhood bitsets of N[v]
    const size_t nw = cx.nw;
    std::vector<uint64_t> adj(static_cast<size_t>(n) * nw, 0);
    cx.ball2.assign(static_cast<size_t>(n) * nw, 0);
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(static)
      for (int32_t v = 0; v < n; ++v) {
        uint64_t* row = adj.data() + static_cast<size_t>(v) * nw;
        row[v >> 6] |= uint64_t(1) << (v & 63);
        for (const int32_t* p = g.begin(v); p != g.end(v); ++p) row[*p >> 6] |= uint64_t(1) << (*p & 63);
      }
#pragma omp for schedule(dynamic, 64)
      for (int32_t v = 0; v < n; ++v) {
        uint64_t* row = cx.ball2.data() + static_cast<size_t>(v) * nw;
        const uint64_t* own = adj.data() + static_cast<size_t>(v) * nw;
        for (size_t q = 0; q < nw; ++q) row[q] = own[q];
        for (const int32_t* p = g.begin(v); p != g.end(v); ++p) {
          const uint64_t* o = adj.data() + static_cast<size_t>(*p) * nw;
          for (size_t q = 0; q < nw; ++q) row[q] |= o[q];
        }
      }
    }
  }

  ErrorSlot err;
  const int64_t ntasks = static_cast<int64_t>(tasks.size());
#pragma omp parallel num_threads(threads)
  {
    Workspace ws;
#pragma omp for schedule(dynamic, 1)
    for (int64_t t = 0; t < ntasks; ++t) {
      if (err.failed()) continue;
      if (control && control->cancelled()) continue;
      try {
        const Task& tk = tasks[t];
        process_group(cx, ws, tk.a, geid.data() + tk.begin, static_cast<size_t>(tk.end - tk.begin), ids,
                      out.data());
        if (control) control->advance(static_cast<uint64_t>(tk.end - tk.begin));
      } catch (...) {
        err.capture();
      }
    }
  }
  err.rethrow();
  if (control) control->throw_if_cancelled();
  return out;
}

}  // namespace detail

std::vector<double> ollivier_curvature(const GraphView& g, double alpha, int threads, Control* control) {
  return detail::ollivier_curvature_with(g, alpha, threads, control, detail::Strategy{}, nullptr, 0);
}

std::vector<double> ollivier_curvature_edges(const GraphView& g, double alpha, const int32_t* edge_ids,
                                             int64_t count, int threads, Control* control) {
  if (count < 0 || (count > 0 && edge_ids == nullptr)) invalid("edges", "bad edge id list");
  return detail::ollivier_curvature_with(g, alpha, threads, control, detail::Strategy{}, edge_ids, count);
}

}  // namespace ricci
