// Exact Ollivier-Ricci curvature of every edge of a graph (docs/method.md §4).
//
// κ_α(i,j) = 1 − W1(μ_i, μ_j), μ_i = α·δ_i + (1−α)/d_i on each neighbour, ground cost = hop
// distance in the same graph. Exact optimal transport: the per-edge problem is reduced to one
// max-flow (costs between the two supports are 1, 2 or 3 only); see ollivier.cpp for the proof.
#pragma once
#include <vector>

#include "common.h"
#include "graph.h"

namespace ricci {

// One value per edge, in edge order. alpha must be finite and in [0, 1) (InvalidArgument "alpha").
// threads <= 0: all hardware threads. Results do not depend on the thread count.
// control (nullable): polled for cancellation (throws Cancelled), progress counts edges.
std::vector<double> ollivier_curvature(const GraphView& g, double alpha, int threads,
                                       Control* control);

// The same for a subset of the edges: value p is the curvature of edge edge_ids[p]
// (InvalidArgument "edges" for an id outside [0, m)). Each value equals the full computation's.
std::vector<double> ollivier_curvature_edges(const GraphView& g, double alpha, const int32_t* edge_ids,
                                             int64_t count, int threads, Control* control);

namespace detail {
// Testing hooks: the same values by other routes. distance2 forces the strategy of the distance-2
// tables (0 = automatic: all-pairs 2-hop bitsets up to 64 MiB, else per-anchor push; 1 = bitsets;
// 2 = push, the large-graph route); fast_path = false sends every edge through the general path
// (the max-flow on the whole two-level network when the frozen completion falls short).
struct Strategy {
  int distance2 = 0;
  bool fast_path = true;
};
std::vector<double> ollivier_curvature_with(const GraphView& g, double alpha, int threads,
                                            Control* control, Strategy strategy,
                                            const int32_t* edge_ids = nullptr, int64_t count = 0);
}  // namespace detail

}  // namespace ricci
