// Per-edge combinatorial curvatures (docs/method.md §4): Forman, augmented Forman, approximate Ollivier
// (Tian et al.), the seed R recipe's directed Forman; node means/sums and layer totals of any
// per-edge (or per-arc) values, Ollivier included.
#pragma once
#include <cstdint>
#include <vector>

#include "common.h"
#include "buffer.h"
#include "graph.h"

namespace ricci {

struct NodeStats {
  std::vector<double> mean;  // NaN for a node without edges
  std::vector<double> sum;
  double total = 0;          // layer total Ric_l (sum in edge order)
};

// Which undirected per-edge curvatures to compute in one pass.
struct CombinatorialRequest {
  bool forman = false;     // 4 - d_i - d_j
  bool augmented = false;  // 4 - d_i - d_j + 3 t_ij
  bool approx = false;     // approximate Ollivier (Tian et al.)
  bool triangles = false;  // also return t_ij per edge
  bool edge_values = true; // return the per-edge values (else node stats and totals only)
};
// Per-edge values (edge order of the graph, empty unless edge_values) with their node stats;
// `triangles` (t_ij) is filled when requested.
struct CombinatorialResult {
  Buffer<int32_t> triangles;
  Buffer<double> forman, augmented, approx;
  NodeStats forman_nodes, augmented_nodes, approx_nodes;
};
// One fused pass: adjacency bitsets (or mark-and-scan on large sparse graphs), triangle counts,
// per-edge values and node sums. Forman and augmented node sums are integers, summed exactly
// (so any thread count gives identical results); approx-Ollivier node sums use node_stats.
CombinatorialResult combinatorial_curvatures(const GraphView& g, const CombinatorialRequest& req, int threads);

// The curvatures a layer analysis asks for, with Forman following the graph's mode: in directed
// mode Forman is the seed R recipe's per-arc value (directed_forman below: n x k values in kNN
// order, node sums over out-arcs, mean = sum / k); in union and mutual mode it is per undirected
// edge. Augmented Forman and approximate Ollivier are per undirected edge in every mode. The
// values are those of combinatorial_curvatures / directed_forman (docs/method.md §4).
struct CurvatureResult : CombinatorialResult {
  bool forman_per_arc = false;  // forman / forman_nodes hold the directed per-arc values
};
CurvatureResult curvatures(const GraphView& g, const CombinatorialRequest& req, int threads);

// Seed R recipe, directed mode: per kNN arc i->j, 4 - D_i - D_j with D = in + out arc counts
// (a reciprocal pair counts twice). One value per arc, in kNN order (n x k).
Buffer<double> directed_forman(const GraphView& g);
// Its node sums over out-arcs (mean = sum / k) and total, without the per-arc array.
NodeStats directed_forman_nodes(const GraphView& g);

// Per undirected edge: mean/sum over incident edges. Per arc (directed Forman, n x k values):
// sum over out-arcs (seed R recipe), mean = sum / k.
NodeStats node_stats(const GraphView& g, const double* values, int64_t count, bool per_arc);

// Name of the triangle-count kernel chosen at load time for this CPU ("avx512-vpopcntdq" or
// "portable"), and whether this build was compiled for AVX2 (-march x86-64-v3 or better).
const char* triangle_kernel_name();
bool built_with_avx2();

}  // namespace ricci
