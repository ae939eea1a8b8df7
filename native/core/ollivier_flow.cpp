// Max-flows of the exact Ollivier solver: the bipartite max-flow (greedy start, Dinic phases with
// bit-parallel level searches, backward pruning) and the max-flow on the two-level network of
// ollivier.cpp's header comment.
#include <algorithm>
#include <cstring>

#include "ollivier_flow.h"

namespace ricci {
namespace oll {

// Level sets of the bit-parallel breadth-first searches below: level d occupies words
// [d·LS, (d+1)·LS) of lv. levels_start clears levels 0 and 1 (s and the sources); levels_room
// makes room up to level d + 2 before level d + 1 is written; level_end closes level d + 1: when
// it reached a sink with residual capacity (hit), t sits at level d + 2 (cleared) and dt is set;
// it returns whether the search stops there (a hit, or nothing new).
inline void levels_start(std::vector<uint64_t>& lv, size_t LS) {
  if (lv.size() < 3 * LS) lv.resize(3 * LS);
  std::fill(lv.begin(), lv.begin() + 2 * LS, 0);
}
inline void levels_room(std::vector<uint64_t>& lv, size_t LS, int d) {
  if (lv.size() < (d + 3) * LS) lv.resize((d + 3) * LS);
}
inline bool level_end(std::vector<uint64_t>& lv, size_t LS, int d, uint64_t hit, uint64_t any, int& dt) {
  if (hit) {
    dt = d + 2;
    std::fill(lv.begin() + (d + 2) * LS, lv.begin() + (d + 3) * LS, 0);
    return true;
  }
  return !any;
}

// The depth-first search's path in an array sized beforehand (no capacity checks).
struct PathStack {
  int32_t* p;
  size_t n = 0;
  bool empty() const { return n == 0; }
  size_t size() const { return n; }
  void push_back(int32_t v) { p[n++] = v; }
  void pop_back() { --n; }
  int32_t back() const { return p[n - 1]; }
  int32_t front() const { return p[0]; }
  void resize(size_t c) { n = c; }  // only shrinks
  int32_t operator[](size_t i) const { return p[i]; }
};

// Single-level bipartite max-flow: s → x (cap sup[x], x ∈ P), x → r (∞) when bit x of mask[r],
// r → t (cap dem[r]). Greedy direct paths, then Dinic phases with bit-parallel searches. Flows
// go to f / fm; flows already there (consistent with sup/dem) may be re-routed. sup, dem and P
// are updated to residuals.
// RWFIX > 0: R rows fit in exactly RWFIX words (the row-set loops are then unrolled); 0: any R.
template <int WFIX, int RWFIX>
static double bip_max_flow_rw(FlowState& st, int Wdyn, int R, const uint64_t* mask, uint64_t* P, double* sup,
                              double* dem, double* f, uint64_t* fm, bool scarce_sources) {
  const int W = WFIX > 0 ? WFIX : Wdyn;
  const int S = 64 * W;
  double flow = 0.0;
  // Greedy start on direct paths, scarcest rows first (fewest partners among the sources), and
  // with `scarce_sources`, within a row the sources with the fewest partner rows first.
  const int RW = RWFIX > 0 ? RWFIX : (R + 63) / 64;
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
  const int RWd = RW;
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
  for (;;) {
    // BFS: sources at level 1, rows at even levels, re-entered sources at odd levels
    levels_start(lv, LS);
    for (int w = 0; w < W; ++w) {
      FL[w] = VL[w] = lv[LS + w] = P[w];
    }
    for (int q = 0; q < RW; ++q) FR[q] = VR[q] = 0;
    int dt = -1;
    for (int d = 1;; ++d) {
      levels_room(lv, LS, d);
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
      if (level_end(lv, LS, d, hit, any, dt)) break;
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
    if (st.stack.size() < static_cast<size_t>(dt)) st.stack.resize(dt);
    PathStack stk{st.stack.data()};  // at most dt − 1 nodes (levels 1 .. dt − 1)
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

template <int WFIX>
double bip_max_flow(FlowState& st, int Wdyn, int R, const uint64_t* mask, uint64_t* P, double* sup,
                    double* dem, double* f, uint64_t* fm, bool scarce_sources) {
  const int RW = (R + 63) / 64;
  if (RW == 1) return bip_max_flow_rw<WFIX, 1>(st, Wdyn, R, mask, P, sup, dem, f, fm, scarce_sources);
  if (RW == 2) return bip_max_flow_rw<WFIX, 2>(st, Wdyn, R, mask, P, sup, dem, f, fm, scarce_sources);
  return bip_max_flow_rw<WFIX, 0>(st, Wdyn, R, mask, P, sup, dem, f, fm, scarce_sources);
}

// One word of a breadth-first search level: the members of N not visited yet (V) become the new
// frontier (N and F) and visited, at level nd (lev: the level of each of the word's 64 members).
inline uint64_t frontier_word(uint64_t& N, uint64_t& F, uint64_t& V, int16_t* lev, int16_t nd) {
  const uint64_t fresh = N & ~V;
  N = F = fresh;
  V |= fresh;
  for (uint64_t b = fresh; b; b &= b - 1) lev[ctz64(b)] = nd;
  return fresh;
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
    levels_start(lv, LS);
    for (int w = 0; w < W; ++w) {
      FL1[w] = VL1[w] = lv[LS + w] = P1[w];
      FL2[w] = VL2[w] = lv[LS + W + w] = P2[w];
      for (uint64_t b = P1[w]; b; b &= b - 1) levL1[w * 64 + ctz64(b)] = 1;
      for (uint64_t b = P2[w]; b; b &= b - 1) levL2[w * 64 + ctz64(b)] = 1;
    }
    for (int q = 0; q < RW; ++q) FR1[q] = FR2[q] = VR1[q] = VR2[q] = 0;
    int dt = -1;
    for (int d = 1;; ++d) {
      levels_room(lv, LS, d);
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
      for (int w = 0; w < W; ++w)
        any |= frontier_word(NL1[w], FL1[w], VL1[w], levL1 + w * 64, nd) |
               frontier_word(NL2[w], FL2[w], VL2[w], levL2 + w * 64, nd);
      for (int q = 0; q < RW; ++q) {
        const uint64_t b1 = frontier_word(NR1[q], FR1[q], VR1[q], levR1 + q * 64, nd);
        const uint64_t b2 = frontier_word(NR2[q], FR2[q], VR2[q], levR2 + q * 64, nd);
        any |= b1 | b2;
        hit |= (b1 & SK1[q]) | (b2 & SK2[q]);
      }
      if (level_end(lv, LS, d, hit, any, dt)) break;
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

template double bip_max_flow<0>(FlowState&, int, int, const uint64_t*, uint64_t*, double*, double*, double*,
                                uint64_t*, bool);
template double bip_max_flow<1>(FlowState&, int, int, const uint64_t*, uint64_t*, double*, double*, double*,
                                uint64_t*, bool);
template double bip_max_flow<2>(FlowState&, int, int, const uint64_t*, uint64_t*, double*, double*, double*,
                                uint64_t*, bool);
template double max_flow<0>(FlowState&, int, const uint64_t*, bool, double);
template double max_flow<1>(FlowState&, int, const uint64_t*, bool, double);
template double max_flow<2>(FlowState&, int, const uint64_t*, bool, double);

}  // namespace oll
}  // namespace ricci
