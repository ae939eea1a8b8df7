// Max-flow routines of the exact Ollivier solver (ollivier.cpp explains the reduction): the
// per-thread state, the bipartite max-flow (ollivier_flow.cpp), the two-level (Ishikawa) network
// and the per-edge solvers (ollivier_edge.cpp). Internal to native/core/ollivier*. Templates are
// instantiated for WFIX = 0 (any number of 64-bit words), 1 and 2.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "graph.h"
#include "ollivier_bits.h"

namespace ricci {
namespace oll {

// A flow array that is never initialised: a flow value is only read while its mask bit is set
// (FlowState below), so neither zeroing nor touching the pages of a large array is needed.
struct FlowValues {
  std::unique_ptr<double[]> p;
  size_t n = 0;
  double* data() { return p.get(); }
  size_t size() const { return n; }
  double& operator[](size_t i) { return p[i]; }
  void grow(size_t m) {
    p.reset(new double[m]);  // default-initialised: untouched
    n = m;
  }
};

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
  FlowValues f11, f22, f21;
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
      f11.grow(RR * S); f22.grow(RR * S); f21.grow(RR * S);
    }
  }
};

// Single-level bipartite max-flow: s → x (cap sup[x], x ∈ P), x → r (∞) when bit x of mask[r],
// r → t (cap dem[r]). Flows go to f / fm (flows already there may be re-routed); sup, dem and P
// are updated to residuals. Returns the flow added.
template <int WFIX>
double bip_max_flow(FlowState& st, int Wdyn, int R, const uint64_t* mask, uint64_t* P, double* sup,
                    double* dem, double* f, uint64_t* fm, bool scarce_sources);

// Max-flow on the two-level network of ollivier.cpp's header; with `warm`, the state holds a
// feasible flow of value flow0.
template <int WFIX>
double max_flow(FlowState& st, int Wdyn, const uint64_t* srcmask, bool warm, double flow0);

// P* of one edge by the general path (state: sup, dem, am, tm, R filled by the caller).
template <int WFIX>
double solve_edge(FlowState& fs, int Wdyn, const uint64_t* srcmask, double M);

// P* of one edge by the fast path; false when it does not apply (the caller then runs solve_edge).
// nbo: N(b) in the order the sinks are taken.
template <int WFIX>
bool fast_edge(FlowState& fs, int Wdyn, const GraphView& g, const int32_t* nbo, const uint64_t* A, const uint64_t* T,
               size_t AS, int32_t a, int32_t b, int pos_a, int pos_b, int s, double amass, double M, double* pstar);

}  // namespace oll
}  // namespace ricci
