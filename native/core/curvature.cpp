#include "curvature.h"

#include <algorithm>
#include <cmath>

namespace ricci {

std::vector<int32_t> edge_triangles(const GraphView& g, int threads) {
  const int32_t n = g.n;
  // Edges of node i with j > i are contiguous in row-major order: find each node's first edge.
  std::vector<int64_t> first(static_cast<size_t>(n) + 1, 0);
  for (int32_t i = 0; i < n; ++i) {
    const int32_t* up = std::upper_bound(g.begin(i), g.end(i), i);
    first[i + 1] = first[i] + (g.end(i) - up);
  }
  std::vector<int32_t> t(static_cast<size_t>(g.m), 0);
#pragma omp parallel num_threads(threads)
  {
    std::vector<int32_t> mark(static_cast<size_t>(n), -1);
#pragma omp for schedule(dynamic, 16)
    for (int32_t i = 0; i < n; ++i) {
      for (const int32_t* p = g.begin(i); p != g.end(i); ++p) mark[*p] = i;
      const int32_t* up = std::upper_bound(g.begin(i), g.end(i), i);
      int64_t e = first[i];
      for (const int32_t* p = up; p != g.end(i); ++p, ++e) {
        int32_t c = 0;
        for (const int32_t* q = g.begin(*p); q != g.end(*p); ++q) c += mark[*q] == i;
        t[e] = c;
      }
    }
  }
  return t;
}

std::vector<double> forman(const GraphView& g) {
  std::vector<double> f(static_cast<size_t>(g.m));
  for (int64_t e = 0; e < g.m; ++e) f[e] = 4.0 - g.degree(g.u(e)) - g.degree(g.v(e));
  return f;
}

std::vector<double> augmented_forman(const GraphView& g, const std::vector<int32_t>& tri) {
  std::vector<double> f = forman(g);
  for (int64_t e = 0; e < g.m; ++e) f[e] += 3.0 * tri[e];
  return f;
}

std::vector<double> approx_ollivier(const GraphView& g, const std::vector<int32_t>& tri) {
  std::vector<double> k(static_cast<size_t>(g.m));
  for (int64_t e = 0; e < g.m; ++e) {
    const double di = g.degree(g.u(e)), dj = g.degree(g.v(e)), t = tri[e];
    const double mx = std::max(di, dj), mn = std::min(di, dj);
    const double base = 1.0 - 1.0 / di - 1.0 / dj;
    k[e] = 0.5 * t / mx -
           0.5 * (std::max(0.0, base - t / mn) + std::max(0.0, base - t / mx) - t / mx);
  }
  return k;
}

std::vector<double> directed_forman(const GraphView& g) {
  if (g.knn == nullptr) invalid("graph", "directed Forman needs a graph built in directed mode");
  const int64_t arcs = static_cast<int64_t>(g.n) * g.k;
  std::vector<int32_t> D(static_cast<size_t>(g.n), g.k);  // out-degree k
  for (int64_t a = 0; a < arcs; ++a) D[g.knn[a]]++;         // plus in-degree
  std::vector<double> f(static_cast<size_t>(arcs));
  for (int64_t a = 0; a < arcs; ++a) f[a] = 4.0 - D[a / g.k] - D[g.knn[a]];
  return f;
}

}  // namespace ricci
