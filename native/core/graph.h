// kNN lists -> undirected simple graphs (CSR) in union / mutual / directed modes (docs/method.md §2).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common.h"

namespace ricci {

enum class Mode { Union, Mutual, Directed };
Mode parse_mode(const std::string& s);  // throws InvalidArgument("mode")
const char* mode_name(Mode m);

// Read-only view of a graph whose memory is owned elsewhere (JS TypedArrays or a Graph).
// Undirected structure: neighbours of i are nbrs[offsets[i] .. offsets[i+1]), sorted ascending,
// no self loops, no duplicates. Edges {i,j} with i<j are listed in row-major order (by i, then j),
// interleaved: edge e = (edges[2e], edges[2e+1]). In Directed mode the undirected structure is the union graph
// (direction ignored, as igraph distances() does) and the arcs are the kNN lists: arc i->knn[i*k+t].
struct GraphView {
  int32_t n = 0;
  Mode mode = Mode::Union;
  const int32_t* offsets = nullptr;  // n+1
  const int32_t* nbrs = nullptr;     // offsets[n]
  int64_t m = 0;                     // number of undirected edges
  const int32_t* edges = nullptr;    // 2m, interleaved (u, v), u < v
  // Directed mode only (else knn == nullptr): the kNN arcs, n*k.
  int32_t k = 0;
  const int32_t* knn = nullptr;

  int32_t degree(int32_t i) const { return offsets[i + 1] - offsets[i]; }
  const int32_t* begin(int32_t i) const { return nbrs + offsets[i]; }
  const int32_t* end(int32_t i) const { return nbrs + offsets[i + 1]; }
  int32_t u(int64_t e) const { return edges[2 * e]; }
  int32_t v(int64_t e) const { return edges[2 * e + 1]; }
};

// Owned graph storage.
struct Graph {
  int32_t n = 0;
  Mode mode = Mode::Union;
  int32_t k = 0;
  std::vector<int32_t> offsets, nbrs, edges;  // edges interleaved, 2m
  std::vector<int32_t> knn;  // kept for Directed mode
  GraphView view() const;
};

// Builds the graph from row-major kNN lists (n x k). Throws InvalidArgument on bad lists.
Graph build_graph(const int32_t* knn, int32_t n, int32_t k, Mode mode, int threads = 1);

// Checks a view's invariants (sizes, sorted unique neighbours, edge order, symmetry). O(n + m).
void validate_graph(const GraphView& g, const std::string& arg = "graph");

// Memory-safety subset of validate_graph: offsets monotone and consistent, every index in range.
// Branch-free and vectorisable; with it alone, every algorithm stays in bounds (results of a
// semantically broken graph would be meaningless, never a crash). Returns graph_fingerprint(g),
// computed in the same pass over the arrays.
uint64_t check_graph_bounds(const GraphView& g, const std::string& arg = "graph");

// 64-bit fingerprint of a graph's arrays (content hash, for caching validation results).
uint64_t graph_fingerprint(const GraphView& g);

}  // namespace ricci
