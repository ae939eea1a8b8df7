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
// Testing hook: the same computation, forcing the strategy used for the distance-2 tables
// (0 = automatic, 1 = all-pairs 2-hop bitsets, 2 = per-anchor push without the n² bitsets).
std::vector<double> ollivier_curvature_with(const GraphView& g, double alpha, int threads,
                                            Control* control, int strategy,
                                            const int32_t* edge_ids = nullptr, int64_t count = 0);
}  // namespace detail

}  // namespace ricci
