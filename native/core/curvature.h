// Per-edge combinatorial curvatures (SPEC §4): Forman, augmented Forman, approximate Ollivier
// (Tian et al.), the seed R recipe's directed Forman. Node means/sums and totals are aggregated
// by the TypeScript layer (one implementation for every curvature, Ollivier included).
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

}  // namespace ricci
