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
// of N[b]: no pairwise distance is ever computed one by one. The max-flows are Dinic's
// algorithm with bit-parallel level searches (a word covers 64 sources or 64 sink rows), a
// backward pruning of the level graph before each blocking-flow search, and a greedy start.
// Groups are split into chunks, ordered by estimated cost (hub edges first) and scheduled
// dynamically over OpenMP threads; each edge is computed on its own, with the same operations
// whatever the thread count, so results do not depend on it.
#include "ollivier.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#if defined(__AVX2__)
#include <immintrin.h>  // AVX2 transpose below; other targets use the scalar stages
#endif
#include <numeric>
#include <string>

#include "threads.h"

namespace ricci {
namespace {

constexpr double kTol = 1e-9;           // scaled units (one unit = (1-α)/(d_a d_b) of mass)
constexpr int kKeyCap = 16;            // greedy row order: partner counts capped here
constexpr size_t kBitsetLimit = 64u << 20;  // bytes allowed for the all-pairs 2-hop bitsets

inline int ctz64(uint64_t w) { return __builtin_ctzll(w); }

// In-place transpose of a 64×64 bit matrix: bit c of a[r] <-> bit r of a[c]. Six swap stages
// (blocks of 32, 16, ..., 1); with AVX2 the rows sit in 16 registers of 4 words, stages 32..4
// pair whole registers and stages 2 and 1 swap words inside a register.
inline void transpose64(uint64_t a[64]) {
#ifdef __AVX2__
  __m256i v[16];
  for (int i = 0; i < 16; ++i) v[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 4 * i));
  auto step = [](__m256i& lo, __m256i& hi, int j, uint64_t mm) {
    const __m256i m = _mm256_set1_epi64x(static_cast<long long>(mm));
    const __m256i t = _mm256_and_si256(_mm256_xor_si256(_mm256_srli_epi64(lo, j), hi), m);
    lo = _mm256_xor_si256(lo, _mm256_slli_epi64(t, j));
    hi = _mm256_xor_si256(hi, t);
  };
  for (int i = 0; i < 8; ++i) step(v[i], v[i + 8], 32, 0x00000000FFFFFFFFull);
  for (int b = 0; b < 16; b += 8)
    for (int i = 0; i < 4; ++i) step(v[b + i], v[b + i + 4], 16, 0x0000FFFF0000FFFFull);
  for (int b = 0; b < 16; b += 4)
    for (int i = 0; i < 2; ++i) step(v[b + i], v[b + i + 2], 8, 0x00FF00FF00FF00FFull);
  for (int b = 0; b < 16; b += 2) step(v[b], v[b + 1], 4, 0x0F0F0F0F0F0F0F0Full);
  const __m256i m2 = _mm256_setr_epi64x(0x3333333333333333ll, 0x3333333333333333ll, 0, 0);
  const __m256i m1 = _mm256_setr_epi64x(0x5555555555555555ll, 0, 0x5555555555555555ll, 0);
  for (int i = 0; i < 16; ++i) {
    __m256i x = v[i];
    // words (0,2), (1,3): the masked difference goes from the low word to the high one
    __m256i t = _mm256_and_si256(_mm256_xor_si256(_mm256_srli_epi64(x, 2), _mm256_permute4x64_epi64(x, 0x4E)), m2);
    x = _mm256_xor_si256(x, _mm256_xor_si256(_mm256_slli_epi64(t, 2), _mm256_permute4x64_epi64(t, 0x4E)));
    // words (0,1), (2,3)
    t = _mm256_and_si256(_mm256_xor_si256(_mm256_srli_epi64(x, 1), _mm256_shuffle_epi32(x, 0x4E)), m1);
    x = _mm256_xor_si256(x, _mm256_xor_si256(_mm256_slli_epi64(t, 1), _mm256_shuffle_epi32(t, 0x4E)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(a + 4 * i), x);
  }
#else
  uint64_t m = 0x00000000FFFFFFFFull;
  for (int j = 32; j != 0; j >>= 1, m ^= (m << j)) {
    for (int k = 0; k < 64; k = ((k | j) + 1) & ~j) {
      const uint64_t t = ((a[k] >> j) ^ a[k | j]) & m;
      a[k] ^= t << j;
      a[k | j] ^= t;
    }
  }
#endif
}

inline void setbit(uint64_t* m, int x) { m[x >> 6] |= uint64_t(1) << (x & 63); }
inline void clrbit(uint64_t* m, int x) { m[x >> 6] &= ~(uint64_t(1) << (x & 63)); }
inline bool testbit(const uint64_t* m, int x) { return (m[x >> 6] >> (x & 63)) & 1; }

// Adds d to the flow f[i] of the pair whose bit x is in the mask row fm. A flow value is only
// meaningful while its bit is set (a cleared bit means zero flow), so flows are never cleared:
// the first push overwrites whatever an earlier problem left there.
inline void addflow(double* f, size_t i, uint64_t* fm, int x, double d) {
  if (testbit(fm, x)) f[i] += d;
  else { f[i] = d; setbit(fm, x); }
}

// First member of (m & alive & lvl) over `words` words; -1 if none.
inline int pick(const uint64_t* m, const uint64_t* alive, const uint64_t* lvl, int words) {
  for (int q = 0; q < words; ++q) {
    const uint64_t b = m[q] & alive[q] & lvl[q];
    if (b) return q * 64 + ctz64(b);
  }
  return -1;
}

// col[x] (S×RW words) = the rows whose mask (R×W words) holds bit x. Every nonzero block of
// 64 rows goes through a 64×64 transpose (in AVX2 registers that is cheaper than scattering
// even a few dozen bits one by one).
inline void transpose_rows(const uint64_t* mask, int R, int W, std::vector<uint64_t>& colv) {
  const int RW = (R + 63) / 64;
  colv.assign(static_cast<size_t>(64) * W * RW, 0);
  uint64_t* col = colv.data();
  alignas(64) uint64_t blk[64];
  for (int rb = 0; rb < RW; ++rb)
    for (int w = 0; w < W; ++w) {
      uint64_t any = 0;
      const int rows = std::min(64, R - rb * 64);
      for (int i = 0; i < rows; ++i) {
        blk[i] = mask[static_cast<size_t>(rb * 64 + i) * W + w];
        any |= blk[i];
      }
      if (any == 0) continue;
      for (int i = rows; i < 64; ++i) blk[i] = 0;
      transpose64(blk);
      for (int t = 0; t < 64; ++t) col[static_cast<size_t>(w * 64 + t) * RW + rb] = blk[t];
    }
}

// The same in block-major layout: col[q*64W + x] = rows 64q..64q+63 whose mask holds bit x. Each
// 64×64 block is transposed in place where it is stored.
inline void transpose_rows_bm(const uint64_t* mask, int R, int W, std::vector<uint64_t>& colv) {
  const int RW = (R + 63) / 64;
  const size_t S = static_cast<size_t>(64) * W;
  if (colv.size() < S * RW) colv.resize(S * RW);
  uint64_t* col = colv.data();
  for (int rb = 0; rb < RW; ++rb)
    for (int w = 0; w < W; ++w) {
      uint64_t* blk = col + rb * S + w * 64;
      const int rows = std::min(64, R - rb * 64);
      uint64_t any = 0;
      for (int i = 0; i < rows; ++i) {
        blk[i] = mask[static_cast<size_t>(rb * 64 + i) * W + w];
        any |= blk[i];
      }
      for (int i = rows; i < 64; ++i) blk[i] = 0;
      if (any) transpose64(blk);
    }
}

// First member of (m[q*stride] & alive[q] & lvl[q]) over `words` words; -1 if none.
inline int pick_strided(const uint64_t* m, size_t stride, const uint64_t* alive, const uint64_t* lvl, int words) {
  for (int q = 0; q < words; ++q) {
    const uint64_t b = m[q * stride] & alive[q] & lvl[q];
    if (b) return q * 64 + ctz64(b);
  }
  return -1;
}

// Per-thread state of the per-edge solvers. Sources are bits x (0..64W-1) of the anchor's
// closed neighbourhood, sinks are rows r (0..R-1); masks are R×W words, flows R×64W doubles
// with R×W words marking the nonzero ones (a flow value is only read while its bit is set, so
// after a problem only the R×W mask words are cleared, never the flow values).
struct FlowState {
  int R = 0;
  std::vector<double> sup, dem;           // supplies p_x, demands q_y (scaled)
  std::vector<uint64_t> am, tm;           // R×W: E1 and E1∪E2 partners among the sources
  // Ishikawa network (header comment)
  std::vector<double> src1, src2, inter;  // residual s→x¹, s→x², flow on x²→x¹
  std::vector<double> snk1, snk2, yint;   // residual y¹→t, y²→t, flow on y²→y¹
  std::vector<uint64_t> fm11, fm22, fm21; // which flows x¹→y¹, x²→y², x²→y¹ are > 0
  std::vector<double> f11, f22, f21;
  // search scratch
  std::vector<uint64_t> lbuf, colA, colT, sets, levels;
  std::vector<int16_t> levL1, levL2, levR1, levR2;
  std::vector<int32_t> stack;
  std::vector<int32_t> srcdeg, bucket, order, rkey;  // greedy ordering
  std::vector<int32_t> sinks, rowsink;  // fast path: core sinks, E1 row -> sink
  std::vector<double> sdem, fsup;       // fast path: residual demand per core sink, supplies

  void reserve(int W, int R_) {
    const size_t S = static_cast<size_t>(64) * W;
    if (src1.size() < S) {
      sup.resize(S); src1.resize(S); src2.resize(S); inter.resize(S);
    }
    const size_t RR = static_cast<size_t>(R_);
    if (snk1.size() < RR) {
      dem.resize(RR); snk1.resize(RR); snk2.resize(RR); yint.resize(RR); rowsink.resize(RR);
    }
    if (am.size() < RR * W) {
      am.resize(RR * W); tm.resize(RR * W);
      fm11.assign(RR * W, 0); fm22.assign(RR * W, 0); fm21.assign(RR * W, 0);
    }
    if (f11.size() < RR * S) {
      f11.assign(RR * S, 0.0); f22.assign(RR * S, 0.0); f21.assign(RR * S, 0.0);
    }
  }
};

// Single-level bipartite max-flow: s → x (cap sup[x], x ∈ P), x → r (∞) when bit x of mask[r],
// r → t (cap dem[r]). Greedy direct paths, then Dinic phases with bit-parallel searches. Flows
// go to f / fm, whose masks must be empty on entry (every flow of fm is re-routable here).
// sup, dem and P are updated to residuals.
template <int WFIX>
double bip_max_flow(FlowState& st, int Wdyn, int R, const uint64_t* mask, uint64_t* P, double* sup,
                    double* dem, double* f, uint64_t* fm, bool scarce_sources) {
  const int W = WFIX > 0 ? WFIX : Wdyn;
  const int S = 64 * W;
  double flow = 0.0;
  // Greedy start on direct paths, scarcest rows first (fewest partners among the sources), and
  // with `scarce_sources`, within a row the sources with the fewest partner rows first.
  const int RW = (R + 63) / 64;
  const uint64_t* col = nullptr;
  if (scarce_sources) {
    transpose_rows_bm(mask, R, W, st.colA);
    col = st.colA.data();
    st.srcdeg.resize(S);
    for (int w = 0; w < W; ++w)
      for (uint64_t b = P[w]; b; b &= b - 1) {
        const int x = w * 64 + ctz64(b);
        int c = 0;
        for (int q = 0; q < RW; ++q) c += __builtin_popcountll(col[static_cast<size_t>(q) * S + x]);
        st.srcdeg[x] = c;
      }
  }
  {
    // counting sort of rows by partner count (capped at kKeyCap − 1: beyond that a row is not
    // scarce); rows without demand (key 0) go first and are skipped (two count tables, even and odd
    // rows, so that runs of equal keys do not serialise on one counter)
    const int KB = kKeyCap + 1;
    st.bucket.assign(2 * (KB + 1), 0);
    st.order.resize(R);
    st.rkey.resize(R);
    int32_t* cnt0 = st.bucket.data();
    int32_t* cnt1 = cnt0 + (KB + 1);
    int32_t* rkey = st.rkey.data();
    auto key = [&](int r) {
      const uint64_t* m = mask + static_cast<size_t>(r) * W;
      int c = 1;
      for (int w = 0; w < W; ++w) c += __builtin_popcountll(m[w] & P[w]);
      c = dem[r] > 0 ? std::min(c, kKeyCap) : 0;
      rkey[r] = c;
      return c;
    };
    int r = 0;
    for (; r + 1 < R; r += 2) {
      cnt0[key(r) + 1]++;
      cnt1[key(r + 1) + 1]++;
    }
    if (r < R) cnt0[key(r) + 1]++;
    for (int k = 0; k <= KB; ++k) cnt0[k] += cnt1[k];
    for (int k = 0; k < KB; ++k) st.bucket[k + 1] += st.bucket[k];
    for (int r = 0; r < R; ++r) st.order[st.bucket[st.rkey[r]]++] = r;
  }
  bool left_over = false;
  const int RWd = (R + 63) / 64;
  st.sets.resize(static_cast<size_t>(4) * W + static_cast<size_t>(5) * RWd);
  uint64_t* DK = st.sets.data() + 4 * W + 3 * RWd;  // rows with residual demand
  for (int q = 0; q < RWd; ++q) DK[q] = 0;
  const int32_t* order = st.order.data();
  const int32_t* srcdeg = st.srcdeg.data();
  // rows of key 0 (no demand) fill order[0, bucket[0]) after the scatter: skip them
  for (int i = st.bucket[0]; i < R; ++i) {
    const int r = order[i];
    const uint64_t* m = mask + static_cast<size_t>(r) * W;
    double* fr = f + static_cast<size_t>(r) * S;
    uint64_t* fmr = fm + static_cast<size_t>(r) * W;
    double dr = dem[r];  // > 0: only this row's demand changes in its turn
    auto push = [&](int x) {
      const double sx = sup[x];
      const double d = std::min(sx, dr);
      addflow(fr, x, fmr, x, d);
      flow += d;
      const double rest = sx - d;
      dr -= d;
      if (rest <= kTol) { sup[x] = 0; clrbit(P, x); }
      else sup[x] = rest;
      if (dr <= kTol) dr = 0;
    };
    if (scarce_sources) {
      while (dr > 0) {
        int best = -1, bd = 0;
        for (int w = 0; w < W; ++w)
          for (uint64_t b = m[w] & P[w]; b; b &= b - 1) {
            const int x = w * 64 + ctz64(b);
            if (best < 0 || srcdeg[x] < bd) { best = x; bd = srcdeg[x]; }
          }
        if (best < 0) break;
        push(best);
      }
    } else {
      for (int w = 0; w < W && dr > 0; ++w)
        for (uint64_t b = m[w] & P[w]; b && dr > 0; b &= b - 1) push(w * 64 + ctz64(b));
    }
    dem[r] = dr;
    left_over |= dr > 0;
    DK[r >> 6] |= uint64_t(dr > 0) << (r & 63);
  }
  uint64_t anyP = 0;
  for (int w = 0; w < W; ++w) anyP |= P[w];
  if (!left_over || !anyP) return flow;

  if (!col) {
    transpose_rows_bm(mask, R, W, st.colA);
    col = st.colA.data();
  }
  uint64_t* FL = st.sets.data();
  uint64_t* VL = FL + W;
  uint64_t* AL = VL + W;
  uint64_t* NLt = AL + W;
  uint64_t* FR = NLt + W;
  uint64_t* VR = FR + RW;
  uint64_t* AR = VR + RW;
  uint64_t* NRt = DK + RW;
  const size_t LS = static_cast<size_t>(W + RW);  // level d: [left W words][rows RW words]
  std::vector<uint64_t>& lv = st.levels;
  std::vector<int32_t>& stk = st.stack;
  for (;;) {
    // BFS: sources at level 1, rows at even levels, re-entered sources at odd levels
    if (lv.size() < 3 * LS) lv.resize(3 * LS);
    std::fill(lv.begin(), lv.begin() + 2 * LS, 0);
    for (int w = 0; w < W; ++w) {
      FL[w] = VL[w] = lv[LS + w] = P[w];
    }
    for (int q = 0; q < RW; ++q) FR[q] = VR[q] = 0;
    int dt = -1;
    for (int d = 1;; ++d) {
      if (lv.size() < (d + 3) * LS) lv.resize((d + 3) * LS);
      for (int q = 0; q < RW; ++q) NRt[q] = 0;
      for (int w = 0; w < W; ++w) NLt[w] = 0;
      for (int w = 0; w < W; ++w)
        for (uint64_t b = FL[w]; b; b &= b - 1) {
          const uint64_t* c = col + w * 64 + ctz64(b);
          for (int q = 0; q < RW; ++q) NRt[q] |= c[static_cast<size_t>(q) * S];
        }
      for (int q = 0; q < RW; ++q)
        for (uint64_t b = FR[q]; b; b &= b - 1) {
          const uint64_t* g = fm + static_cast<size_t>(q * 64 + ctz64(b)) * W;
          for (int w = 0; w < W; ++w) NLt[w] |= g[w];
        }
      uint64_t* NL = lv.data() + (d + 1) * LS;
      uint64_t* NR = NL + W;
      uint64_t any = 0, hit = 0;
      for (int w = 0; w < W; ++w) {
        const uint64_t b1 = NLt[w] & ~VL[w];
        NL[w] = FL[w] = b1;
        VL[w] |= b1;
        any |= b1;
      }
      for (int q = 0; q < RW; ++q) {
        const uint64_t b1 = NRt[q] & ~VR[q];
        NR[q] = FR[q] = b1;
        VR[q] |= b1;
        any |= b1;
        hit |= b1 & DK[q];
      }
      if (hit) {
        dt = d + 2;
        std::fill(lv.begin() + (d + 2) * LS, lv.begin() + (d + 3) * LS, 0);
        break;
      }
      if (!any) break;
    }
    if (dt < 0) break;
    // Keep only nodes from which t is reachable in the level graph (backwards from t; sources
    // sit at odd levels, rows at even ones), so that the search below rarely meets a dead end.
    for (int w = 0; w < W; ++w) AL[w] = 0;
    for (int q = 0; q < RW; ++q) {
      AR[q] = FR[q] = lv[(dt - 1) * LS + W + q] & DK[q];  // FR: useful rows of the current level
    }
    for (int d = dt - 2; d >= 1; --d) {
      if (d & 1) {  // sources at level d with an edge to a useful row at level d+1
        for (int w = 0; w < W; ++w) FL[w] = 0;
        for (int q = 0; q < RW; ++q)
          for (uint64_t b = FR[q]; b; b &= b - 1) {
            const uint64_t* m = mask + static_cast<size_t>(q * 64 + ctz64(b)) * W;
            for (int w = 0; w < W; ++w) FL[w] |= m[w];
          }
        for (int w = 0; w < W; ++w) {
          FL[w] &= lv[d * LS + w];
          AL[w] |= FL[w];
        }
      } else {  // rows at level d with a cancellable flow to a useful source at level d+1
        for (int q = 0; q < RW; ++q) {
          uint64_t keep = 0;
          for (uint64_t b = lv[d * LS + W + q]; b; b &= b - 1) {
            const int r = q * 64 + ctz64(b);
            const uint64_t* g = fm + static_cast<size_t>(r) * W;
            uint64_t hit = 0;
            for (int w = 0; w < W; ++w) hit |= g[w] & FL[w];
            if (hit) keep |= uint64_t(1) << (r & 63);
          }
          FR[q] = keep;
          AR[q] |= keep;
        }
      }
    }
    // DFS blocking flow. Node ids: source x = x, row r = S + r. The node at stack position i is
    // at level i + 1.
    stk.clear();
    for (;;) {
      if (stk.empty()) {
        const int x = pick(P, AL, lv.data() + LS, W);
        if (x < 0) break;
        stk.push_back(x);
        continue;
      }
      const int32_t u = stk.back();
      const int du = static_cast<int>(stk.size());
      if (u < S) {
        const int r = du + 1 < dt ? pick_strided(col + u, S, AR, lv.data() + (du + 1) * LS + W, RW) : -1;
        if (r >= 0) stk.push_back(S + r);
        else { clrbit(AL, u); stk.pop_back(); }
        continue;
      }
      const int r = u - S;
      if (du + 1 != dt) {
        const int x = pick(fm + static_cast<size_t>(r) * W, AL, lv.data() + (du + 1) * LS, W);
        if (x >= 0) stk.push_back(x);
        else { clrbit(AR, r); stk.pop_back(); }
        continue;
      }
      if (!(dem[r] > 0)) { clrbit(AR, r); stk.pop_back(); continue; }
      // augment along s → stk[0] → ... → row r → t
      const int32_t first = stk.front();
      double d = std::min(sup[first], dem[r]);
      for (size_t i = 1; i + 1 < stk.size(); i += 2)  // row stk[i] → source stk[i+1]
        d = std::min(d, f[static_cast<size_t>(stk[i] - S) * S + stk[i + 1]]);
      flow += d;
      sup[first] -= d;
      size_t cut = stk.size();
      if (sup[first] <= kTol) { sup[first] = 0; clrbit(P, first); cut = 0; }
      dem[r] -= d;
      if (dem[r] <= kTol) { dem[r] = 0; clrbit(DK, r); }
      for (size_t i = 0; i + 1 < stk.size(); ++i) {
        if (stk[i] < S) {  // source → row: add
          const int x = stk[i], rr = stk[i + 1] - S;
          addflow(f, static_cast<size_t>(rr) * S + x, fm + static_cast<size_t>(rr) * W, x, d);
        } else {  // row → source: cancel
          const int rr = stk[i] - S, x = stk[i + 1];
          double& fl = f[static_cast<size_t>(rr) * S + x];
          fl -= d;
          if (fl <= kTol) {
            fl = 0;
            clrbit(fm + static_cast<size_t>(rr) * W, x);
            if (cut > i + 1) cut = i + 1;
          }
        }
      }
      stk.resize(cut);
    }
  }
  return flow;
}

// Max-flow on the Ishikawa network of the header comment; with `warm`, src/snk/flows already
// hold a feasible flow of value flow0 (else they hold the capacities and no flow).
template <int WFIX>
double max_flow(FlowState& st, int Wdyn, const uint64_t* srcmask, bool warm, double flow0) {
  const int W = WFIX > 0 ? WFIX : Wdyn;
  const int S = 64 * W;
  const int R = st.R;
  uint64_t fixed[3][WFIX > 0 ? WFIX : 1];
  if (WFIX == 0 && st.lbuf.size() < static_cast<size_t>(3 * W)) st.lbuf.resize(3 * W);
  // P1/P2: sources with residual s→x¹ / s→x²; IP: x with flow on x²→x¹.
  uint64_t* P1 = WFIX > 0 ? fixed[0] : st.lbuf.data();
  uint64_t* P2 = WFIX > 0 ? fixed[1] : st.lbuf.data() + W;
  uint64_t* IP = WFIX > 0 ? fixed[2] : st.lbuf.data() + 2 * W;
  double* src1 = st.src1.data();
  double* src2 = st.src2.data();
  for (int w = 0; w < W; ++w) {
    P1[w] = P2[w] = srcmask[w];
    IP[w] = 0;
    if (warm)
      for (uint64_t b = srcmask[w]; b; b &= b - 1) {
        const int x = w * 64 + ctz64(b);
        if (!(src1[x] > 0)) P1[w] &= ~(uint64_t(1) << (x & 63));
        if (!(src2[x] > 0)) P2[w] &= ~(uint64_t(1) << (x & 63));
      }
  }
  double flow = flow0;
  double* inter = st.inter.data();
  double* snk1 = st.snk1.data();
  double* snk2 = st.snk2.data();
  double* yint = st.yint.data();
  const uint64_t* am = st.am.data();
  const uint64_t* tm = st.tm.data();
  uint64_t* fm11 = st.fm11.data();
  uint64_t* fm22 = st.fm22.data();
  uint64_t* fm21 = st.fm21.data();
  double* f11 = st.f11.data();
  double* f22 = st.f22.data();
  double* f21 = st.f21.data();


  // ---- greedy start: direct paths s → x → y → t, weight-2 pairs (both levels) first
  for (int r = 0; r < R && !warm; ++r) {
    const uint64_t* a = am + static_cast<size_t>(r) * W;
    const size_t mw = static_cast<size_t>(r) * W;
    const size_t base = static_cast<size_t>(r) * S;
    for (int w = 0; w < W && snk1[r] > 0 && snk2[r] > 0; ++w) {
      for (uint64_t b = a[w] & P1[w] & P2[w]; b && snk1[r] > 0 && snk2[r] > 0; b &= b - 1) {
        const int x = w * 64 + ctz64(b);
        const double d = std::min(std::min(src1[x], src2[x]), std::min(snk1[r], snk2[r]));
        addflow(f11, base + x, fm11 + mw, x, d);
        addflow(f22, base + x, fm22 + mw, x, d);
        flow += 2 * d;
        src1[x] -= d; src2[x] -= d; snk1[r] -= d; snk2[r] -= d;
        if (src1[x] <= kTol) { src1[x] = 0; clrbit(P1, x); }
        if (src2[x] <= kTol) { src2[x] = 0; clrbit(P2, x); }
        if (snk1[r] <= kTol) snk1[r] = 0;
        if (snk2[r] <= kTol) snk2[r] = 0;
      }
    }
  }
  for (int r = 0; r < R && !warm; ++r) {
    const uint64_t* t = tm + static_cast<size_t>(r) * W;
    const size_t mw = static_cast<size_t>(r) * W;
    const size_t base = static_cast<size_t>(r) * S;
    for (int w = 0; w < W && snk1[r] > 0; ++w) {
      for (uint64_t b = t[w] & P2[w]; b && snk1[r] > 0; b &= b - 1) {
        const int x = w * 64 + ctz64(b);
        const double d = std::min(src2[x], snk1[r]);
        addflow(f21, base + x, fm21 + mw, x, d);
        flow += d;
        src2[x] -= d; snk1[r] -= d;
        if (src2[x] <= kTol) { src2[x] = 0; clrbit(P2, x); }
        if (snk1[r] <= kTol) snk1[r] = 0;
      }
    }
  }

  // ---- Dinic phases. Columns (rows of each source bit) make the forward search bit-parallel.
  const int RW = (R + 63) / 64;
  transpose_rows(am, R, W, st.colA);
  transpose_rows(tm, R, W, st.colT);
  const uint64_t* colA = st.colA.data();
  const uint64_t* colT = st.colT.data();
  st.levL1.resize(S); st.levL2.resize(S); st.levR1.resize(R); st.levR2.resize(R);
  int16_t* levL1 = st.levL1.data();
  int16_t* levL2 = st.levL2.data();
  int16_t* levR1 = st.levR1.data();
  int16_t* levR2 = st.levR2.data();
  st.sets.resize(static_cast<size_t>(6) * W + static_cast<size_t>(8) * RW);
  uint64_t* FL1 = st.sets.data();      // frontier (left, W words each)
  uint64_t* FL2 = FL1 + W;
  uint64_t* VL1 = FL2 + W;              // visited left
  uint64_t* VL2 = VL1 + W;
  uint64_t* AL1 = VL2 + W;              // alive left
  uint64_t* AL2 = AL1 + W;
  uint64_t* FR1 = AL2 + W;              // frontier rows (RW words each)
  uint64_t* FR2 = FR1 + RW;
  uint64_t* VR1 = FR2 + RW;             // visited rows
  uint64_t* VR2 = VR1 + RW;
  uint64_t* SK1 = VR2 + RW;             // rows with residual capacity to t
  uint64_t* SK2 = SK1 + RW;
  uint64_t* AR1 = SK2 + RW;             // alive rows
  uint64_t* AR2 = AR1 + RW;
  for (int q = 0; q < RW; ++q) SK1[q] = SK2[q] = 0;
  for (int r = 0; r < R; ++r) {
    if (snk1[r] > 0) SK1[r >> 6] |= uint64_t(1) << (r & 63);
    if (snk2[r] > 0) SK2[r >> 6] |= uint64_t(1) << (r & 63);
  }
  // per-level masks: level d occupies [d*(2W+2RW), (d+1)*(2W+2RW)): LL1, LL2, RL1, RL2
  const size_t LS = static_cast<size_t>(2 * W + 2 * RW);
  std::vector<uint64_t>& lv = st.levels;

  for (;;) {
    // -- BFS levels from s (s = 0, sources = 1), stopping at the first level that touches t
    if (lv.size() < 3 * LS) lv.resize(3 * LS);
    std::fill(lv.begin(), lv.begin() + 2 * LS, 0);
    for (int w = 0; w < W; ++w) {
      FL1[w] = VL1[w] = lv[LS + w] = P1[w];
      FL2[w] = VL2[w] = lv[LS + W + w] = P2[w];
      for (uint64_t b = P1[w]; b; b &= b - 1) levL1[w * 64 + ctz64(b)] = 1;
      for (uint64_t b = P2[w]; b; b &= b - 1) levL2[w * 64 + ctz64(b)] = 1;
    }
    for (int q = 0; q < RW; ++q) FR1[q] = FR2[q] = VR1[q] = VR2[q] = 0;
    int dt = -1;
    for (int d = 1;; ++d) {
      if (lv.size() < (d + 3) * LS) lv.resize((d + 3) * LS);
      uint64_t* NL1 = lv.data() + (d + 1) * LS;
      uint64_t* NL2 = NL1 + W;
      uint64_t* NR1 = NL2 + W;
      uint64_t* NR2 = NR1 + RW;
      for (int w = 0; w < W; ++w) {
        NL1[w] = FL2[w];
        NL2[w] = FL1[w] & IP[w];
      }
      for (int q = 0; q < RW; ++q) { NR1[q] = FR2[q]; NR2[q] = 0; }
      for (int w = 0; w < W; ++w) {
        for (uint64_t b = FL1[w]; b; b &= b - 1) {
          const uint64_t* ca = colA + static_cast<size_t>(w * 64 + ctz64(b)) * RW;
          for (int q = 0; q < RW; ++q) NR1[q] |= ca[q];
        }
        for (uint64_t b = FL2[w]; b; b &= b - 1) {
          const size_t x = static_cast<size_t>(w * 64 + ctz64(b));
          const uint64_t* ca = colA + x * RW;
          const uint64_t* ct = colT + x * RW;
          for (int q = 0; q < RW; ++q) { NR2[q] |= ca[q]; NR1[q] |= ct[q]; }
        }
      }
      for (int q = 0; q < RW; ++q) {
        for (uint64_t b = FR1[q]; b; b &= b - 1) {
          const int r = q * 64 + ctz64(b);
          if (yint[r] > 0) NR2[q] |= uint64_t(1) << (r & 63);
          const uint64_t* g11 = fm11 + static_cast<size_t>(r) * W;
          const uint64_t* g21 = fm21 + static_cast<size_t>(r) * W;
          for (int w = 0; w < W; ++w) { NL1[w] |= g11[w]; NL2[w] |= g21[w]; }
        }
        for (uint64_t b = FR2[q]; b; b &= b - 1) {
          const int r = q * 64 + ctz64(b);
          const uint64_t* g22 = fm22 + static_cast<size_t>(r) * W;
          for (int w = 0; w < W; ++w) NL2[w] |= g22[w];
        }
      }
      const int16_t nd = static_cast<int16_t>(d + 1);
      uint64_t any = 0, hit = 0;
      for (int w = 0; w < W; ++w) {
        const uint64_t b1 = NL1[w] & ~VL1[w], b2 = NL2[w] & ~VL2[w];
        NL1[w] = FL1[w] = b1; NL2[w] = FL2[w] = b2;
        VL1[w] |= b1; VL2[w] |= b2;
        for (uint64_t b = b1; b; b &= b - 1) levL1[w * 64 + ctz64(b)] = nd;
        for (uint64_t b = b2; b; b &= b - 1) levL2[w * 64 + ctz64(b)] = nd;
        any |= b1 | b2;
      }
      for (int q = 0; q < RW; ++q) {
        const uint64_t b1 = NR1[q] & ~VR1[q], b2 = NR2[q] & ~VR2[q];
        NR1[q] = FR1[q] = b1; NR2[q] = FR2[q] = b2;
        VR1[q] |= b1; VR2[q] |= b2;
        for (uint64_t b = b1; b; b &= b - 1) levR1[q * 64 + ctz64(b)] = nd;
        for (uint64_t b = b2; b; b &= b - 1) levR2[q * 64 + ctz64(b)] = nd;
        any |= b1 | b2;
        hit |= (b1 & SK1[q]) | (b2 & SK2[q]);
      }
      if (hit) {
        dt = d + 2;
        std::fill(lv.begin() + (d + 2) * LS, lv.begin() + (d + 3) * LS, 0);
        break;
      }
      if (!any) break;
    }
    if (dt < 0) break;

    // -- blocking flow by depth-first search in the level graph; dead nodes leave the alive sets
    for (int w = 0; w < W; ++w) AL1[w] = AL2[w] = ~uint64_t(0);
    for (int q = 0; q < RW; ++q) AR1[q] = AR2[q] = ~uint64_t(0);
    // node ids: left (k,x) = (k-1)*S + x; row (l,r) = 2S + (l-1)*R + r
    std::vector<int32_t>& stk = st.stack;
    stk.clear();
    auto level_of = [&](int32_t u) -> int {
      if (u < S) return levL1[u];
      if (u < 2 * S) return levL2[u - S];
      if (u < 2 * S + R) return levR1[u - 2 * S];
      return levR2[u - 2 * S - R];
    };
    auto kill = [&](int32_t u) {
      if (u < S) AL1[u >> 6] &= ~(uint64_t(1) << (u & 63));
      else if (u < 2 * S) { const int x = u - S; AL2[x >> 6] &= ~(uint64_t(1) << (x & 63)); }
      else if (u < 2 * S + R) { const int r = u - 2 * S; AR1[r >> 6] &= ~(uint64_t(1) << (r & 63)); }
      else { const int r = u - 2 * S - R; AR2[r >> 6] &= ~(uint64_t(1) << (r & 63)); }
    };
    auto LL1 = [&](int d) { return lv.data() + d * LS; };
    auto LL2 = [&](int d) { return lv.data() + d * LS + W; };
    auto RL1 = [&](int d) { return lv.data() + d * LS + 2 * W; };
    auto RL2 = [&](int d) { return lv.data() + d * LS + 2 * W + RW; };
    for (;;) {
      if (stk.empty()) {
        int x = pick(P1, AL1, LL1(1), W);
        if (x >= 0) { stk.push_back(x); continue; }
        x = pick(P2, AL2, LL2(1), W);
        if (x >= 0) { stk.push_back(S + x); continue; }
        break;
      }
      const int32_t u = stk.back();
      const int du = level_of(u);
      int32_t v = -1;
      bool to_t = false;
      if (du + 1 < dt || u >= 2 * S) {
        if (u < S) {
          const int x = u;
          if (inter[x] > 0 && levL2[x] == du + 1 && testbit(AL2, x)) v = S + x;
          else {
            const int r = pick(colA + static_cast<size_t>(x) * RW, AR1, RL1(du + 1), RW);
            if (r >= 0) v = 2 * S + r;
          }
        } else if (u < 2 * S) {
          const int x = u - S;
          if (levL1[x] == du + 1 && testbit(AL1, x)) v = x;
          else {
            int r = pick(colA + static_cast<size_t>(x) * RW, AR2, RL2(du + 1), RW);
            if (r >= 0) v = 2 * S + R + r;
            else {
              r = pick(colT + static_cast<size_t>(x) * RW, AR1, RL1(du + 1), RW);
              if (r >= 0) v = 2 * S + r;
            }
          }
        } else if (u < 2 * S + R) {
          const int r = u - 2 * S;
          if (du + 1 == dt) {
            if (snk1[r] > 0) to_t = true;
          } else {
            int x = pick(fm11 + static_cast<size_t>(r) * W, AL1, LL1(du + 1), W);
            if (x >= 0) v = x;
            else if ((x = pick(fm21 + static_cast<size_t>(r) * W, AL2, LL2(du + 1), W)) >= 0) v = S + x;
            else if (yint[r] > 0 && levR2[r] == du + 1 && testbit(AR2, r)) v = 2 * S + R + r;
          }
        } else {
          const int r = u - 2 * S - R;
          if (du + 1 == dt) {
            if (snk2[r] > 0) to_t = true;
          } else {
            const int x = pick(fm22 + static_cast<size_t>(r) * W, AL2, LL2(du + 1), W);
            if (x >= 0) v = S + x;
            else if (levR1[r] == du + 1 && testbit(AR1, r)) v = 2 * S + r;
          }
        }
      }
      if (!to_t) {
        if (v >= 0) stk.push_back(v);
        else { kill(u); stk.pop_back(); }
        continue;
      }
      // path s → stk[0] → ... → stk.back() → t: bottleneck, then apply
      auto res = [&](int32_t a, int32_t b) -> double {  // residual of a → b (inf: 1e300)
        if (a < 2 * S && b < 2 * S) return a < S ? inter[a] : 1e300;  // x¹→x² reverse, x²→x¹ ∞
        if (a < 2 * S) return 1e300;                                  // left → row
        if (b >= 2 * S) return a < 2 * S + R ? yint[a - 2 * S] : 1e300;  // y¹→y² reverse, y²→y¹ ∞
        const bool r1 = a < 2 * S + R;
        const int r = r1 ? a - 2 * S : a - 2 * S - R;
        const size_t idx = static_cast<size_t>(r) * S + (b < S ? b : b - S);
        return b < S ? f11[idx] : (r1 ? f21[idx] : f22[idx]);
      };
      const int32_t first = stk.front();
      double d = first < S ? src1[first] : src2[first - S];
      {
        const int r = u < 2 * S + R ? u - 2 * S : u - 2 * S - R;
        d = std::min(d, u < 2 * S + R ? snk1[r] : snk2[r]);
      }
      for (size_t i = 0; i + 1 < stk.size(); ++i) d = std::min(d, res(stk[i], stk[i + 1]));
      // apply
      flow += d;
      if (first < S) {
        src1[first] -= d;
        if (src1[first] <= kTol) { src1[first] = 0; clrbit(P1, first); }
      } else {
        const int x = first - S;
        src2[x] -= d;
        if (src2[x] <= kTol) { src2[x] = 0; clrbit(P2, x); }
      }
      {
        const int r = u < 2 * S + R ? u - 2 * S : u - 2 * S - R;
        double& sk = u < 2 * S + R ? snk1[r] : snk2[r];
        sk -= d;
        if (sk <= kTol) { sk = 0; clrbit(u < 2 * S + R ? SK1 : SK2, r); }
      }
      size_t cut = stk.size();  // first node whose outgoing edge saturated
      for (size_t i = 0; i + 1 < stk.size(); ++i) {
        const int32_t a = stk[i], b = stk[i + 1];
        if (a < 2 * S && b < 2 * S) {
          const int x = a < S ? a : a - S;
          if (a < S) {  // x¹ → x²: cancel flow on x² → x¹
            inter[x] -= d;
            if (inter[x] <= kTol) { inter[x] = 0; clrbit(IP, x); if (cut > i + 1) cut = i + 1; }
          } else {
            inter[x] += d; setbit(IP, x);
          }
        } else if (a < 2 * S) {  // left → row: add flow
          const int x = a < S ? a : a - S;
          const bool r1 = b < 2 * S + R;
          const int r = r1 ? b - 2 * S : b - 2 * S - R;
          const size_t idx = static_cast<size_t>(r) * S + x;
          const size_t mw = static_cast<size_t>(r) * W;
          if (a < S) addflow(f11, idx, fm11 + mw, x, d);
          else if (!r1) addflow(f22, idx, fm22 + mw, x, d);
          else addflow(f21, idx, fm21 + mw, x, d);
        } else if (b >= 2 * S) {
          const int r = a < 2 * S + R ? a - 2 * S : a - 2 * S - R;
          if (a < 2 * S + R) {  // y¹ → y²: cancel flow on y² → y¹
            yint[r] -= d;
            if (yint[r] <= kTol) { yint[r] = 0; if (cut > i + 1) cut = i + 1; }
          } else {
            yint[r] += d;
          }
        } else {  // row → left: cancel flow
          const bool r1 = a < 2 * S + R;
          const int r = r1 ? a - 2 * S : a - 2 * S - R;
          const int x = b < S ? b : b - S;
          const size_t idx = static_cast<size_t>(r) * S + x;
          const size_t mw = static_cast<size_t>(r) * W;
          double* fl;
          uint64_t* fmk;
          if (b < S) { fl = f11 + idx; fmk = fm11 + mw; }
          else if (r1) { fl = f21 + idx; fmk = fm21 + mw; }
          else { fl = f22 + idx; fmk = fm22 + mw; }
          *fl -= d;
          if (*fl <= kTol) { *fl = 0; clrbit(fmk, x); if (cut > i + 1) cut = i + 1; }
        }
      }
      if (!(first < S ? src1[first] > 0 : src2[first - S] > 0)) cut = 0;
      stk.resize(cut);
    }
  }
  // leave the flow masks clean for the next problem (flow values need no clearing: addflow)
  const size_t RWn = static_cast<size_t>(R) * W * sizeof(uint64_t);
  std::memset(fm11, 0, RWn);
  std::memset(fm22, 0, RWn);
  std::memset(fm21, 0, RWn);
  return flow;
}

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
template <int WFIX>
bool fast_edge(FlowState& fs, int Wdyn, const GraphView& g, const uint64_t* A, const uint64_t* T, size_t AS, int32_t a,
               int32_t b, int pos_a, int pos_b, int s, double amass, double M, double* pstar) {
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
      sup[x] = ((Cm[w] >> (x & 63)) & 1) ? db - da : db;
    }
  // core sinks, in N(b) order; those with E1 partners become the rows of the E1 problem
  if (fs.sinks.size() < static_cast<size_t>(g.degree(b))) fs.sinks.resize(g.degree(b));
  int32_t* sinks = fs.sinks.data();
  int NS = 0;
  int R1 = 0;
  for (const int32_t* p = g.begin(b); p != g.end(b); ++p) {
    const int32_t y = *p;
    const uint64_t* Ay = A + static_cast<size_t>(y) * AS;
    if (y == a || ((Ay[pos_a >> 6] >> (pos_a & 63)) & 1)) continue;  // a itself, or y ∈ C
    const int k = NS++;
    sinks[k] = y;
    uint64_t* am = fs.am.data() + static_cast<size_t>(R1) * W;
    uint64_t any = 0;
    for (int w = 0; w < W; ++w) {
      am[w] = Ay[w] & P[w];
      any |= am[w];
    }
    if (any) {
      fs.dem[R1] = da;
      fs.rowsink[R1] = k;
      ++R1;
    }
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
    // rows: residual core sinks with partners among the residual NU sources (within 2 hops)
    int R2 = 0;
    uint64_t anyP = 0;
    for (int w = 0; w < W; ++w) anyP |= P[w];
    for (int k = 0; k < NS && anyP; ++k) {
      if (!(sdem[k] > 0)) continue;
      const int32_t y = sinks[k];
      const uint64_t* Ty = T + static_cast<size_t>(y) * AS;
      const uint64_t* Ay = A + static_cast<size_t>(y) * AS;
      uint64_t* tm = fs.tm.data() + static_cast<size_t>(R2) * W;
      uint64_t any = 0;
      for (int w = 0; w < W; ++w) {
        tm[w] = (Ty[w] | Ay[w]) & P[w];
        any |= tm[w];
      }
      if (any) fs.dem[R2++] = sdem[k];
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

struct Workspace {
  std::vector<int32_t> xs;     // N[a], sorted
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
  // N[a] sorted
  ws.xs.clear();
  {
    bool placed = false;
    for (const int32_t* p = g.begin(a); p != g.end(a); ++p) {
      if (!placed && *p > a) { ws.xs.push_back(a); placed = true; }
      ws.xs.push_back(*p);
    }
    if (!placed) ws.xs.push_back(a);
  }
  const int s = static_cast<int>(ws.xs.size());
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
    for (size_t k = 0; k < count; ++k) {
      const int64_t e = ids ? ids[eids[k]] : eids[k];
      const int32_t b = g.u(e) == a ? g.v(e) : g.u(e);
      need(b);
      for (const int32_t* p = g.begin(b); p != g.end(b); ++p) need(*p);
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
      const int32_t* it = std::lower_bound(ws.xs.data(), ws.xs.data() + s, z);
      if (it != ws.xs.data() + s && *it == z) {
        const int l = static_cast<int>(it - ws.xs.data());
        C[l >> 6] |= uint64_t(1) << (l & 63);
      }
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
      const int pos_b = static_cast<int>(std::lower_bound(ws.xs.data(), ws.xs.data() + s, b) - ws.xs.data());
      double pstar = 0.0;
      const bool ok = W == 1 ? fast_edge<1>(fs, 1, g, A, T, AS, a, b, pos_a, pos_b, s, amass, M, &pstar)
                      : W == 2 ? fast_edge<2>(fs, 2, g, A, T, AS, a, b, pos_a, pos_b, s, amass, M, &pstar)
                               : fast_edge<0>(fs, W, g, A, T, AS, a, b, pos_a, pos_b, s, amass, M, &pstar);
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
  // leave A (and T for the push strategy) all zero for the next group
  for (int l = 0; l < s; ++l) {
    const int32_t x = ws.xs[l];
    for (const int32_t* p = g.begin(x); p != g.end(x); ++p) A[static_cast<size_t>(*p) * AS + (l >> 6)] = 0;
  }
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
