// Per-edge solvers of the exact Ollivier solver: the general path (E1 max-flow, completion with E1
// frozen, then the two-level max-flow) and the fast path on the core of the edge (ollivier.cpp's
// header comment gives the argument).
#include <algorithm>
#include <cstring>

#include "ollivier_flow.h"

namespace ricci {
namespace oll {

// P* of one edge (header comment). Fast path: F1 = maxflow on E1, then complete the residual on
// E2 (flows of E1 kept). Since P* ≤ f(E1) + f(E2) ≤ F1 + M for every plan, a completion that
// moves all of M certifies P* = M + F1. Otherwise both flows seed the Ishikawa max-flow
// (E1 flow f on both levels, E2 flow on x² → y¹: a feasible flow of value 2F1 + F2).
template <int WFIX>
double solve_edge(FlowState& fs, int Wdyn, const uint64_t* srcmask, double M) {
  const int W = WFIX > 0 ? WFIX : Wdyn;
  const int S = 64 * W;
  const int R = fs.R;
  uint64_t pfix[WFIX > 0 ? WFIX : 1];
  if (WFIX == 0 && fs.lbuf.size() < static_cast<size_t>(4 * W)) fs.lbuf.resize(4 * W);
  uint64_t* P = WFIX > 0 ? pfix : fs.lbuf.data() + 3 * W;
  double* src1 = fs.src1.data();
  double* src2 = fs.src2.data();
  double* snk1 = fs.snk1.data();
  double* snk2 = fs.snk2.data();
  for (int w = 0; w < W; ++w) {
    P[w] = srcmask[w];
    for (uint64_t b = srcmask[w]; b; b &= b - 1) {
      const int x = w * 64 + ctz64(b);
      src1[x] = fs.sup[x];
      fs.inter[x] = 0;
    }
  }
  for (int r = 0; r < R; ++r) {
    snk1[r] = fs.dem[r];
    fs.yint[r] = 0;
  }
  const double F1 = bip_max_flow<WFIX>(fs, W, R, fs.am.data(), P, src1, snk1, fs.f11.data(), fs.fm11.data(),
                                       true);
  for (int w = 0; w < W; ++w)
    for (uint64_t b = srcmask[w]; b; b &= b - 1) {
      const int x = w * 64 + ctz64(b);
      src2[x] = src1[x];
    }
  for (int r = 0; r < R; ++r) snk2[r] = snk1[r];
  const double F2 = bip_max_flow<WFIX>(fs, W, R, fs.tm.data(), P, src2, snk1, fs.f21.data(), fs.fm21.data(),
                                       false);
  if (F1 + F2 >= M - 8 * kTol) {
    std::memset(fs.fm11.data(), 0, static_cast<size_t>(R) * W * sizeof(uint64_t));
    std::memset(fs.fm21.data(), 0, static_cast<size_t>(R) * W * sizeof(uint64_t));
    return M + F1;
  }
  for (int r = 0; r < R; ++r) {
    const size_t mw = static_cast<size_t>(r) * W;
    const size_t base = static_cast<size_t>(r) * S;
    for (int w = 0; w < W; ++w) {
      fs.fm22[mw + w] = fs.fm11[mw + w];
      for (uint64_t b = fs.fm11[mw + w]; b; b &= b - 1) {
        const size_t i = base + w * 64 + ctz64(b);
        fs.f22[i] = fs.f11[i];
      }
    }
  }
  return max_flow<WFIX>(fs, W, srcmask, true, 2 * F1 + F2);
}

// Fast path of one edge {a,b} (a the anchor, d_a ≤ d_b), in the scaled masses of the header.
// The nets split into a core and at most two special vertices:
//   sources x ∈ N(a)\N[b]: d_b;  x ∈ N(a)∩N(b) (set C): d_b − d_a;  sinks y ∈ N(b)\N[a]: d_a;
//   a: αK − d_a,  b: d_b − αK  (positive: source, negative: sink).
// E1 (cost 1). b as a source is adjacent to every sink and a as a sink to every source
// ("universal"); a as a source has b as its only E1 partner, and when b is a sink then a is a
// source with supply ≥ b's demand (d_a ≤ d_b), so some maximum flow saturates b from a. Hence
// F1 = F1core + (closed forms for a and b), F1core the max-flow between core sources and sinks.
// E1 ∪ E2 (cost ≤ 2). C, a and b reach every vertex of the other side within 2 hops (through a or
// b), so only the residual non-C sources NU and the core sinks need a search: with U_t the residual
// universal sinks, the residual is fully transportable iff NU can be routed into the core sinks
// and U_t (Hall's condition), i.e. iff a flow NU → core sinks of value ≥ sup(NU) − dem(U_t)
// exists (a greedy flow, then a max-flow when the greedy falls short). Returns false when that
// fails (the caller then runs the general path); on true, *pstar = M + F1 (header comment).
// nbo: N(b) in the order the sinks are taken, (degree, index) (ollivier.cpp's header).
template <int WFIX>
bool fast_edge(FlowState& fs, int Wdyn, const GraphView& g, const int32_t* nbo, const uint64_t* A, const uint64_t* T,
               size_t AS, int32_t a, int32_t b, int pos_a, int pos_b, int s, double amass, double M, double* pstar) {
  const int W = WFIX > 0 ? WFIX : Wdyn;
  const double da = g.degree(a), db = g.degree(b);
  const double sA = amass - da, sB = db - amass;
  const bool aSrc = sA > kTol, aSnk = sA < -kTol, bSrc = sB > kTol, bSnk = sB < -kTol;
  if ((bSnk && !aSrc) || (aSnk && !bSrc)) return false;  // cannot happen with d_a ≤ d_b
  uint64_t pfix[2][WFIX > 0 ? WFIX : 1];
  if (WFIX == 0 && fs.lbuf.size() < static_cast<size_t>(6 * W)) fs.lbuf.resize(6 * W);
  uint64_t* P = WFIX > 0 ? pfix[0] : fs.lbuf.data() + 4 * W;    // core sources with residual supply
  uint64_t* Cm = WFIX > 0 ? pfix[1] : fs.lbuf.data() + 5 * W;   // C
  const uint64_t* Ab = A + static_cast<size_t>(b) * AS;
  const bool cSrc = db - da > kTol;
  for (int w = 0; w < W; ++w) {
    const int lo = w * 64;
    uint64_t all = s - lo >= 64 ? ~uint64_t(0) : ((uint64_t(1) << (s - lo)) - 1);
    if ((pos_a >> 6) == w) all &= ~(uint64_t(1) << (pos_a & 63));
    if ((pos_b >> 6) == w) all &= ~(uint64_t(1) << (pos_b & 63));
    Cm[w] = Ab[w] & all;
    P[w] = cSrc ? all : all & ~Cm[w];
  }
  if (fs.fsup.size() < static_cast<size_t>(64) * W) fs.fsup.resize(static_cast<size_t>(64) * W);
  double* sup = fs.fsup.data();
  for (int w = 0; w < W; ++w)
    for (uint64_t bb = P[w]; bb; bb &= bb - 1) {
      const int x = w * 64 + ctz64(bb);
      sup[x] = db - da * static_cast<double>((Cm[w] >> (x & 63)) & 1);
    }
  // core sinks, in nbo order; those with E1 partners become the rows of the E1 problem. Written
  // without branches (each slot is written, then kept or not): whether a neighbour of b is in C or
  // has E1 partners is a coin toss for the branch predictor.
  if (fs.sinks.size() < static_cast<size_t>(g.degree(b)) + 1) fs.sinks.resize(static_cast<size_t>(g.degree(b)) + 1);
  int32_t* sinks = fs.sinks.data();
  int NS = 0;
  int R1 = 0;
  const int wa = pos_a >> 6, ba = pos_a & 63;
  for (const int32_t* p = nbo, *pe = nbo + g.degree(b); p != pe; ++p) {
    const int32_t y = *p;
    const uint64_t* Ay = A + static_cast<size_t>(y) * AS;
    const int keep = static_cast<int>(y != a) & static_cast<int>(~(Ay[wa] >> ba) & 1);  // not a, not in C
    sinks[NS] = y;
    uint64_t* am = fs.am.data() + static_cast<size_t>(R1) * W;
    uint64_t any = 0;
    for (int w = 0; w < W; ++w) {
      am[w] = Ay[w] & P[w];
      any |= am[w];
    }
    fs.dem[R1] = da;
    fs.rowsink[R1] = NS;
    NS += keep;
    R1 += keep & static_cast<int>(any != 0);
  }
  if (fs.sdem.size() < static_cast<size_t>(NS)) fs.sdem.resize(NS);
  std::fill(fs.sdem.begin(), fs.sdem.begin() + NS, da);
  double* sdem = fs.sdem.data();
  double F1 = 0.0;
  if (R1 > 0) {
    F1 = bip_max_flow<WFIX>(fs, W, R1, fs.am.data(), P, sup, fs.dem.data(), fs.f11.data(), fs.fm11.data(), true);
    std::memset(fs.fm11.data(), 0, static_cast<size_t>(R1) * W * sizeof(uint64_t));
    for (int r = 0; r < R1; ++r) sdem[fs.rowsink[r]] = fs.dem[r];
  }
  // the special vertices
  double aDem = 0.0;  // residual demand of a as a sink (universal for E2)
  if (bSnk) {
    F1 += -sB;  // a saturates b; a's residual (d_b − d_a) reaches everything within 2 hops
  } else {
    if (aSnk) {  // residual core sources flow to a: non-C ones first (the hard ones for E2)
      aDem = -sA;
      for (int pass = 0; pass < 2 && aDem > 0; ++pass)
        for (int w = 0; w < W && aDem > 0; ++w)
          for (uint64_t bb = P[w] & (pass == 0 ? ~Cm[w] : Cm[w]); bb && aDem > 0; bb &= bb - 1) {
            const int x = w * 64 + ctz64(bb);
            const double d = std::min(sup[x], aDem);
            F1 += d;
            aDem -= d;
            sup[x] -= d;
            if (sup[x] <= kTol) { sup[x] = 0; P[w] &= ~(uint64_t(1) << (x & 63)); }
            if (aDem <= kTol) aDem = 0;
          }
    }
    if (bSrc) {  // b fills the residual core sinks, then a
      double rest = sB;
      for (int k = 0; k < NS && rest > 0; ++k) {
        if (!(sdem[k] > 0)) continue;
        const double d = std::min(sdem[k], rest);
        F1 += d;
        rest -= d;
        sdem[k] -= d;
        if (sdem[k] <= kTol) sdem[k] = 0;
        if (rest <= kTol) rest = 0;
      }
      if (rest > 0 && aDem > 0) {
        const double d = std::min(aDem, rest);
        F1 += d;
        aDem -= d;
        if (aDem <= kTol) aDem = 0;
      }
    }
  }
  // E2 completion of the residual non-C sources
  double need = -aDem;
  for (int w = 0; w < W; ++w) {
    P[w] &= ~Cm[w];
    for (uint64_t bb = P[w]; bb; bb &= bb - 1) need += sup[w * 64 + ctz64(bb)];
  }
  const double slack = 8 * kTol;
  if (need > slack) {
    // rows: residual core sinks with partners among the residual NU sources (within 2 hops), in
    // nbo order (built without branches, as the E1 rows)
    int R2 = 0;
    for (int k = 0; k < NS; ++k) {
      const int32_t y = sinks[k];
      const uint64_t* Ty = T + static_cast<size_t>(y) * AS;
      const uint64_t* Ay = A + static_cast<size_t>(y) * AS;
      uint64_t* tm = fs.tm.data() + static_cast<size_t>(R2) * W;
      uint64_t any = 0;
      for (int w = 0; w < W; ++w) {
        tm[w] = (Ty[w] | Ay[w]) & P[w];
        any |= tm[w];
      }
      fs.dem[R2] = sdem[k];
      R2 += static_cast<int>(any != 0) & static_cast<int>(sdem[k] > 0);
    }
    // greedy in row order, stopping as soon as enough has moved; flows are recorded so that the
    // max-flow below (when needed) can re-route them
    double* f21 = fs.f21.data();
    uint64_t* fm21 = fs.fm21.data();
    for (int r = 0; r < R2 && need > slack; ++r) {
      const uint64_t* tm = fs.tm.data() + static_cast<size_t>(r) * W;
      double dr = fs.dem[r];
      for (int w = 0; w < W && dr > 0; ++w)
        for (uint64_t bb = tm[w] & P[w]; bb && dr > 0; bb &= bb - 1) {
          const int x = w * 64 + ctz64(bb);
          const double d = std::min(sup[x], dr);
          addflow(f21 + static_cast<size_t>(r) * 64 * W, x, fm21 + static_cast<size_t>(r) * W, x, d);
          need -= d;
          dr -= d;
          sup[x] -= d;
          if (sup[x] <= kTol) { sup[x] = 0; P[w] &= ~(uint64_t(1) << (x & 63)); }
          if (dr <= kTol) dr = 0;
        }
      fs.dem[r] = dr;
    }
    if (R2 > 0 && need > slack) {
      need -= bip_max_flow<WFIX>(fs, W, R2, fs.tm.data(), P, sup, fs.dem.data(), f21, fm21, false);
    }
    std::memset(fm21, 0, static_cast<size_t>(R2) * W * sizeof(uint64_t));
  }
  if (need > slack) return false;
  *pstar = M + F1;
  return true;
}

template double solve_edge<0>(FlowState&, int, const uint64_t*, double);
template double solve_edge<1>(FlowState&, int, const uint64_t*, double);
template double solve_edge<2>(FlowState&, int, const uint64_t*, double);
template bool fast_edge<0>(FlowState&, int, const GraphView&, const int32_t*, const uint64_t*, const uint64_t*, size_t, int32_t,
                           int32_t, int, int, int, double, double, double*);
template bool fast_edge<1>(FlowState&, int, const GraphView&, const int32_t*, const uint64_t*, const uint64_t*, size_t, int32_t,
                           int32_t, int, int, int, double, double, double*);
template bool fast_edge<2>(FlowState&, int, const GraphView&, const int32_t*, const uint64_t*, const uint64_t*, size_t, int32_t,
                           int32_t, int, int, int, double, double, double*);

}  // namespace oll
}  // namespace ricci
