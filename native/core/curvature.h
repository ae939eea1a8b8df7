// Per-edge combinatorial curvatures (SPEC §4): Forman, augmented Forman, approximate Ollivier
// (Tian et al.), the seed R recipe's directed Forman; node means/sums and layer totals of any
// per-edge (or per-arc) values, Ollivier included.
#pragma once
#include <cstdint>
#include <vector>

#include "common.h"
#include "graph.h"

namespace ricci {

// Triangles through each undirected edge (edge order of the graph).
std::vector<int32_t> edge_triangles(const GraphView& g, int threads);

std::vector<double> forman(const GraphView& g);
std::vector<double> augmented_forman(const GraphView& g, const std::vector<int32_t>& triangles);
std::vector<double> approx_ollivier(const GraphView& g, const std::vector<int32_t>& triangles);

// Seed R recipe, directed mode: per kNN arc i->j, 4 - D_i - D_j with D = in + out arc counts
// (a reciprocal pair counts twice). One value per arc, in kNN order (n x k).
std::vector<double> directed_forman(const GraphView& g);

struct NodeStats {
  std::vector<double> mean;  // NaN for a node without edges
  std::vector<double> sum;
  double total = 0;          // layer total Ric_l (sum in edge order)
};
// Per undirected edge: mean/sum over incident edges. Per arc (directed Forman, n x k values):
// sum over out-arcs (seed R recipe), mean = sum / k.
NodeStats node_stats(const GraphView& g, const double* values, int64_t count, bool per_arc);

}  // namespace ricci
