// Hop geodesics of an undirected graph (docs/method.md §3), without an n x n float matrix:
// bit-parallel multi-source BFS (256 sources per sweep) streams the sum and answers pair queries.
#pragma once
#include <cstdint>
#include <vector>

#include "common.h"
#include "graph.h"

namespace ricci {

struct Components {
  int32_t count = 0;
  std::vector<int32_t> label;  // component id per node, ids in order of their smallest node
  std::vector<int32_t> order;  // breadth-first order of the nodes, component after component
};
Components components(const GraphView& g);

struct GeodesicResult {
  bool connected = false;
  int32_t components = 0;
  std::vector<int32_t> component;  // per node
  // g = sum over i<j of hop distance; only when connected (else has_sum = false).
  bool has_sum = false;
  uint64_t sum = 0;
  int32_t diameter = -1;  // -1 when not computed (disconnected and no sweep needed)
  // Hop distances of the requested pairs in this graph (-1 when unreachable).
  std::vector<int32_t> pair_hops;
  // Optional full hop matrix (row-major n x n; 0xFFFF / 0xFF = unreachable).
  std::vector<uint16_t> hop16;
  std::vector<uint8_t> hop8;
};

enum class HopMatrix { None, U8, U16 };

// pairs: interleaved (a, b) node pairs, `npairs` of them (may be null/0), e.g. the edges of
// another layer's graph. Sweeps run only when needed (connected sum, pairs or the matrix).
GeodesicResult geodesics(const GraphView& g, const int32_t* pairs, int64_t npairs, HopMatrix matrix,
                         int threads, Control* control = nullptr);

}  // namespace ricci
