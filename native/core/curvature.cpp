#include "curvature.h"

#ifdef __AVX2__
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <limits>

namespace ricci {

namespace {
// popcount(a & b) over `words` 64-bit words: AVX2 nibble-table counts when available.
inline int32_t and_popcount(const uint64_t* a, const uint64_t* b, size_t words) {
  size_t w = 0;
  int64_t total = 0;
#ifdef __AVX2__
  const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                         0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0F);
  __m256i acc = _mm256_setzero_si256();
  for (; w + 4 <= words; w += 4) {
    const __m256i x = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + w)),
                                       _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + w)));
    const __m256i c = _mm256_add_epi8(_mm256_shuffle_epi8(table, _mm256_and_si256(x, low)),
                                      _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(x, 4), low)));
    acc = _mm256_add_epi64(acc, _mm256_sad_epu8(c, _mm256_setzero_si256()));
  }
  alignas(32) int64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc);
  total = lanes[0] + lanes[1] + lanes[2] + lanes[3];
#endif
  for (; w < words; ++w) total += __builtin_popcountll(a[w] & b[w]);
  return static_cast<int32_t>(total);
}
}  // namespace

std::vector<int32_t> edge_triangles(const GraphView& g, int threads) {
  const int32_t n = g.n;
  // Edges are in row-major order: node i's upper neighbours are the contiguous edges
  // first[i] .. first[i+1]-1, and they are the last (first[i+1]-first[i]) entries of its row.
  std::vector<int64_t> first(static_cast<size_t>(n) + 1, 0);
  for (int64_t e = 0; e < g.m; ++e) first[g.u(e) + 1]++;
  for (int32_t i = 0; i < n; ++i) first[i + 1] += first[i];
  for (int32_t i = 0; i < n; ++i)
    if (first[i + 1] - first[i] > g.degree(i)) invalid("graph", "edge list does not match the adjacency");
  std::vector<int32_t> t(static_cast<size_t>(g.m), 0);
  const size_t words = (static_cast<size_t>(n) + 63) / 64;
  const double avg_degree = n > 0 ? 2.0 * static_cast<double>(g.m) / n : 0.0;
  // Adjacency bitsets when a row intersection (n/64 words, popcount) is cheaper than walking a
  // neighbour list, and the n^2/8 bytes stay small; else mark-and-scan.
  if (static_cast<double>(words) < avg_degree && words * static_cast<size_t>(n) * 8 <= (size_t(64) << 20)) {
    std::vector<uint64_t> bits(words * static_cast<size_t>(n), 0);
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(static)
    for (int32_t i = 0; i < n; ++i)
      for (const int32_t* p = g.begin(i); p != g.end(i); ++p)
        bits[static_cast<size_t>(i) * words + (*p >> 6)] |= uint64_t(1) << (*p & 63);
#pragma omp for schedule(dynamic, 16)
    for (int32_t i = 0; i < n; ++i) {
      const uint64_t* bi = bits.data() + static_cast<size_t>(i) * words;
      const int32_t* up = g.end(i) - (first[i + 1] - first[i]);
      int64_t e = first[i];
      for (const int32_t* p = up; p != g.end(i); ++p, ++e) {
        const uint64_t* bj = bits.data() + static_cast<size_t>(*p) * words;
        t[e] = and_popcount(bi, bj, words);
      }
    }
    }
    return t;
  }
#pragma omp parallel num_threads(threads)
  {
    std::vector<int32_t> mark(static_cast<size_t>(n), -1);
#pragma omp for schedule(dynamic, 16)
    for (int32_t i = 0; i < n; ++i) {
      for (const int32_t* p = g.begin(i); p != g.end(i); ++p) mark[*p] = i;
      const int32_t* up = g.end(i) - (first[i + 1] - first[i]);
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
  std::vector<double> f(static_cast<size_t>(g.m));
  for (int64_t e = 0; e < g.m; ++e) f[e] = 4.0 - g.degree(g.u(e)) - g.degree(g.v(e)) + 3.0 * tri[e];
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

NodeStats node_stats(const GraphView& g, const double* values, int64_t count, bool per_arc) {
  NodeStats r;
  const int32_t n = g.n;
  r.sum.assign(static_cast<size_t>(n), 0.0);
  r.mean.resize(static_cast<size_t>(n));
  if (per_arc) {
    if (g.knn == nullptr || count != static_cast<int64_t>(n) * g.k)
      invalid("values", "expected one value per kNN arc (n x k)");
    for (int32_t i = 0; i < n; ++i) {
      double s = 0;
      for (int32_t t = 0; t < g.k; ++t) s += values[static_cast<size_t>(i) * g.k + t];
      r.sum[i] = s;
      r.mean[i] = s / g.k;
      r.total += s;
    }
    return r;
  }
  if (count != g.m)
    invalid("values", "expected one value per edge (" + std::to_string(g.m) + "), got " + std::to_string(count));
  // Edges come grouped by their first endpoint: its sum runs in a register, the second endpoint
  // is scattered; the total keeps the edge order (one fixed summation order, any thread count).
  double total = 0;
  for (int64_t e = 0; e < g.m;) {
    const int32_t u = g.u(e);
    double acc = 0;
    for (; e < g.m && g.u(e) == u; ++e) {
      const double x = values[e];
      acc += x;
      r.sum[g.v(e)] += x;
      total += x;
    }
    r.sum[u] += acc;
  }
  r.total = total;
  for (int32_t i = 0; i < n; ++i)
    r.mean[i] = g.degree(i) > 0 ? r.sum[i] / g.degree(i) : std::numeric_limits<double>::quiet_NaN();
  return r;
}

}  // namespace ricci
