#include "curvature.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <cmath>
#include <limits>

namespace ricci {

namespace {
// ---- t_uv = popcount(b_u & b_v) for a run of edges (interleaved u, v pairs) -------------------
// Bitset rows are `words` 64-bit words long, words a multiple of 8, each row 64-byte aligned.
using PairCounter = void (*)(const uint64_t* bits, size_t words, const int32_t* edges, int64_t count,
                             int32_t* out);

void count_pairs_portable(const uint64_t* bits, size_t words, const int32_t* edges, int64_t count,
                          int32_t* out) {
  for (int64_t q = 0; q < count; ++q) {
    const uint64_t* bu = bits + static_cast<size_t>(edges[2 * q]) * words;
    const uint64_t* bv = bits + static_cast<size_t>(edges[2 * q + 1]) * words;
    size_t w = 0;
    int64_t total = 0;
#ifdef __AVX2__
    // Nibble-table popcount (AVX2 has no vector popcount).
    const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                           0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0F);
    __m256i acc = _mm256_setzero_si256();
    for (; w + 4 <= words; w += 4) {
      const __m256i x = _mm256_and_si256(_mm256_load_si256(reinterpret_cast<const __m256i*>(bu + w)),
                                         _mm256_load_si256(reinterpret_cast<const __m256i*>(bv + w)));
      const __m256i c = _mm256_add_epi8(_mm256_shuffle_epi8(table, _mm256_and_si256(x, low)),
                                        _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(x, 4), low)));
      acc = _mm256_add_epi64(acc, _mm256_sad_epu8(c, _mm256_setzero_si256()));
    }
    alignas(32) int64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc);
    total = lanes[0] + lanes[1] + lanes[2] + lanes[3];
#endif
    for (; w < words; ++w) total += __builtin_popcountll(bu[w] & bv[w]);
    out[q] = static_cast<int32_t>(total);
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#define RICCI_HAVE_AVX512_KERNEL 1
// GCC 12's _mm512_reduce_add_epi64 trips a false -Wmaybe-uninitialized inside its own header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// AVX-512 with VPOPCNTQ: one 512-bit AND + popcount per 8 words. Compiled for that ISA only
// here and chosen at run time, so the rest of the build keeps its baseline (x86-64-v3).
__attribute__((target("avx512f,avx512vpopcntdq"))) void count_pairs_avx512(const uint64_t* bits, size_t words,
                                                                            const int32_t* edges, int64_t count,
                                                                            int32_t* out) {
  for (int64_t q = 0; q < count; ++q) {
    const uint64_t* bu = bits + static_cast<size_t>(edges[2 * q]) * words;
    const uint64_t* bv = bits + static_cast<size_t>(edges[2 * q + 1]) * words;
    __m512i acc = _mm512_setzero_si512();
    for (size_t w = 0; w < words; w += 8)
      acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_and_si512(_mm512_load_si512(bu + w),
                                                                        _mm512_load_si512(bv + w))));
    out[q] = static_cast<int32_t>(_mm512_reduce_add_epi64(acc));
  }
}
#pragma GCC diagnostic pop
#endif

PairCounter pick_pair_counter() {
  if (const char* e = std::getenv("RICCIFLOW_NO_AVX512"); e != nullptr && *e != '\0' && *e != '0')
    return count_pairs_portable;
#ifdef RICCI_HAVE_AVX512_KERNEL
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq")) return count_pairs_avx512;
#endif
  return count_pairs_portable;
}

const PairCounter pair_counter = pick_pair_counter();

// Bitset rows reused by later calls on the same thread while they stay small (a fresh buffer
// costs a page fault per 4 KiB); larger ones are freed after the call.
constexpr size_t kKeepScratchBytes = size_t(4) << 20;
thread_local std::vector<uint64_t> tls_bits;

// Waking an OpenMP team costs tens of microseconds; below this much work (in 64-byte
// word-blocks) per thread a call uses fewer threads (the result is the same either way).
constexpr double kWorkPerThread = 1e5;
constexpr int64_t kEdgeBlock = 2048;
}  // namespace

const char* triangle_kernel_name() {
#ifdef RICCI_HAVE_AVX512_KERNEL
  if (pair_counter == count_pairs_avx512) return "avx512-vpopcntdq";
#endif
  return "portable";
}

bool built_with_avx2() {
#ifdef __AVX2__
  return true;
#else
  return false;
#endif
}

CombinatorialResult combinatorial_curvatures(const GraphView& g, const CombinatorialRequest& req, int threads) {
  const int32_t n = g.n;
  const int64_t m = g.m;
  const bool need_tri = req.augmented || req.approx || req.triangles;

  CombinatorialResult r;
  if (req.triangles) r.triangles.resize(static_cast<size_t>(m));
  if (req.forman && req.edge_values) r.forman.resize(static_cast<size_t>(m));
  if (req.augmented && req.edge_values) r.augmented.resize(static_cast<size_t>(m));
  if (req.approx) r.approx.resize(static_cast<size_t>(m));  // its node sums are read from it

  const size_t words = ((static_cast<size_t>(n) + 511) / 512) * 8;  // rows padded to 64 bytes
  const double avg_degree = n > 0 ? 2.0 * static_cast<double>(m) / n : 0.0;
  // Bitsets when a row intersection (n/64 words) is cheaper than walking a neighbour list and the
  // n^2/8 bytes stay small; else mark-and-scan.
  const bool use_bits = need_tri && static_cast<double>(words) < 2.0 * avg_degree &&
                        words * static_cast<size_t>(n) * 8 <= (size_t(64) << 20);
  const double work = static_cast<double>(m) * (use_bits ? static_cast<double>(words) / 8 + 4 : need_tri ? avg_degree : 2) +
                      (use_bits ? static_cast<double>(words) * n / 8 : 0);
  const int team = std::max(1, std::min(threads, static_cast<int>(work / kWorkPerThread)));

  uint64_t* bits = nullptr;
  std::vector<uint64_t> big_bits;
  if (use_bits) {
    const size_t need = words * static_cast<size_t>(n) + 8;
    std::vector<uint64_t>& store = need * 8 <= kKeepScratchBytes ? tls_bits : big_bits;
    if (store.size() < need) {
      store.clear();
      store.shrink_to_fit();
      store.resize(need);
    }
    bits = store.data() + ((8 - (reinterpret_cast<uintptr_t>(store.data()) / 8) % 8) % 8);  // 64-byte aligned
  }
  std::vector<int32_t> deg(static_cast<size_t>(n));
  std::vector<int32_t> marks(use_bits || !need_tri ? 0 : static_cast<size_t>(team) * n);
  // t_ij of the block in hand when they are not returned.
  std::vector<int32_t> block_tri(need_tri && !req.triangles ? static_cast<size_t>(team) * kEdgeBlock : 0);
  // Per-thread node sums of t_uv (integers: exact in any order).
  std::vector<int64_t> tsum(need_tri ? static_cast<size_t>(team) * n : 0, 0);
  std::vector<int64_t> dsum(static_cast<size_t>(n));  // sum of neighbour degrees
  const int64_t blocks = (m + kEdgeBlock - 1) / kEdgeBlock;

#pragma omp parallel num_threads(team)
  {
#ifdef _OPENMP
    const int tid = omp_get_thread_num();
#else
    const int tid = 0;
#endif
#pragma omp for schedule(static)
    for (int32_t i = 0; i < n; ++i) {
      deg[i] = g.degree(i);
      if (!use_bits) continue;
      uint64_t* row = bits + static_cast<size_t>(i) * words;
      std::fill(row, row + words, uint64_t(0));
      // Sorted row: the current word's bits build up in a register and are stored after each
      // neighbour (a later store to the same word holds a superset), so no store feeds a load.
      int32_t cur_word = -1;
      uint64_t cur = 0;
      for (const int32_t* p = g.begin(i); p != g.end(i); ++p) {
        const int32_t w = *p >> 6;
        const uint64_t keep = uint64_t(0) - static_cast<uint64_t>(w == cur_word);  // all ones or zero
        cur = (cur & keep) | uint64_t(1) << (*p & 63);
        row[w] = cur;
        cur_word = w;
      }
    }
    // (implicit barrier: every degree and bitset row is ready)
#pragma omp for schedule(static) nowait
    for (int32_t i = 0; i < n; ++i) {
      int64_t s = 0;
      for (const int32_t* p = g.begin(i); p != g.end(i); ++p) s += deg[*p];
      dsum[i] = s;
    }
    int64_t* ts = need_tri ? tsum.data() + static_cast<size_t>(tid) * n : nullptr;
    int32_t* mark = marks.empty() ? nullptr : marks.data() + static_cast<size_t>(tid) * n;
    if (mark) std::fill(mark, mark + n, -1);
    const int32_t* dg = deg.data();
#pragma omp for schedule(static)
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t e0 = b * kEdgeBlock, len = std::min(kEdgeBlock, m - e0);
      const int32_t* ed = g.edges + 2 * e0;
      if (!r.forman.empty()) {
        double* out = r.forman.data() + e0;
        for (int64_t q = 0; q < len; ++q) out[q] = 4.0 - dg[ed[2 * q]] - dg[ed[2 * q + 1]];
      }
      if (!need_tri) continue;
      int32_t* tri = req.triangles ? r.triangles.data() + e0 : block_tri.data() + static_cast<size_t>(tid) * kEdgeBlock;
      if (use_bits) {
        pair_counter(bits, words, ed, len, tri);
      } else {
        int32_t marked = -1;
        for (int64_t q = 0; q < len; ++q) {
          const int32_t u = ed[2 * q], v = ed[2 * q + 1];
          if (u != marked) {  // mark[x] == u exactly for the neighbours of u
            for (const int32_t* p = g.begin(u); p != g.end(u); ++p) mark[*p] = u;
            marked = u;
          }
          int32_t c = 0;
          for (const int32_t* p = g.begin(v); p != g.end(v); ++p) c += mark[*p] == u;
          tri[q] = c;
        }
      }
      if (req.approx) {
        double* out = r.approx.data() + e0;
        for (int64_t q = 0; q < len; ++q) {
          const double a = dg[ed[2 * q]], c = dg[ed[2 * q + 1]], td = tri[q];
          const double mx = std::max(a, c), mn = std::min(a, c);
          const double base = 1.0 - 1.0 / a - 1.0 / c;
          out[q] = 0.5 * td / mx - 0.5 * (std::max(0.0, base - td / mn) + std::max(0.0, base - td / mx) - td / mx);
        }
      }
      // Augmented values and triangle sums per node in one pass. Edges come in runs of one first
      // endpoint u: its sum stays in a register during a run.
      double* aug = r.augmented.empty() ? nullptr : r.augmented.data() + e0;
      int32_t run_u = ed[0];
      int64_t run_t = 0;
      for (int64_t q = 0; q < len; ++q) {
        const int32_t u = ed[2 * q], v = ed[2 * q + 1];
        const int32_t t = tri[q];
        if (aug) aug[q] = 4.0 - dg[u] - dg[v] + 3.0 * t;
        if (u != run_u) {
          ts[run_u] += run_t;
          run_u = u;
          run_t = 0;
        }
        run_t += t;
        ts[v] += t;
      }
      if (len > 0) ts[run_u] += run_t;
    }
  }
  if (!big_bits.empty()) {
    big_bits.clear();
    big_bits.shrink_to_fit();
  }

  // Node sums from integer identities: sum_{j~i} (4 - d_i - d_j) = d_i (4 - d_i) - sum_{j~i} d_j,
  // plus 3 sum_{j~i} t_ij for augmented Forman. Each edge counts at both ends: total = sum / 2.
  std::vector<int64_t> ttot(need_tri ? static_cast<size_t>(n) : 0, 0);
  for (int th = 0; th < team && need_tri; ++th)
    for (int32_t i = 0; i < n; ++i) ttot[i] += tsum[static_cast<size_t>(th) * n + i];
  auto fill = [&](NodeStats& s, bool with_tri) {
    s.sum.resize(static_cast<size_t>(n));
    s.mean.resize(static_cast<size_t>(n));
    int64_t twice_total = 0;
    for (int32_t i = 0; i < n; ++i) {
      const int64_t di = deg[i];
      const int64_t v = di * (4 - di) - dsum[i] + (with_tri ? 3 * ttot[i] : 0);
      s.sum[i] = static_cast<double>(v);
      s.mean[i] = di > 0 ? static_cast<double>(v) / static_cast<double>(di) : std::numeric_limits<double>::quiet_NaN();
      twice_total += v;
    }
    s.total = static_cast<double>(twice_total / 2);
  };
  if (req.forman) fill(r.forman_nodes, false);
  if (req.augmented) fill(r.augmented_nodes, true);
  if (req.approx) {
    r.approx_nodes = node_stats(g, r.approx.data(), m, false);
    if (!req.edge_values) Buffer<double>().swap(r.approx);
  }
  return r;
}

namespace {
// D = out-degree k + in-degree, per node (the seed R recipe's igraph degree of the kNN digraph).
std::vector<int32_t> arc_degrees(const GraphView& g) {
  if (g.knn == nullptr) invalid("graph", "directed Forman needs a graph built in directed mode");
  const int64_t arcs = static_cast<int64_t>(g.n) * g.k;
  std::vector<int32_t> D(static_cast<size_t>(g.n), g.k);
  for (int64_t a = 0; a < arcs; ++a) D[g.knn[a]]++;
  return D;
}
}  // namespace

Buffer<double> directed_forman(const GraphView& g) {
  const std::vector<int32_t> D = arc_degrees(g);
  const int64_t arcs = static_cast<int64_t>(g.n) * g.k;
  Buffer<double> f(static_cast<size_t>(arcs));  // every element written below
  for (int64_t a = 0; a < arcs; ++a) f[a] = 4.0 - D[a / g.k] - D[g.knn[a]];
  return f;
}

NodeStats directed_forman_nodes(const GraphView& g) {
  // Sum over the out-arcs of i: k (4 - D_i) - sum_t D_knn[i,t], an integer (exact in any order).
  const std::vector<int32_t> D = arc_degrees(g);
  NodeStats r;
  r.sum.resize(static_cast<size_t>(g.n));
  r.mean.resize(static_cast<size_t>(g.n));
  int64_t total = 0;
  for (int32_t i = 0; i < g.n; ++i) {
    int64_t s = static_cast<int64_t>(g.k) * (4 - D[i]);
    for (int32_t t = 0; t < g.k; ++t) s -= D[g.knn[static_cast<size_t>(i) * g.k + t]];
    r.sum[i] = static_cast<double>(s);
    r.mean[i] = static_cast<double>(s) / g.k;
    total += s;
  }
  r.total = static_cast<double>(total);
  return r;
}

CurvatureResult curvatures(const GraphView& g, const CombinatorialRequest& req, int threads) {
  CurvatureResult out;
  CombinatorialRequest undirected = req;
  if (req.forman && g.mode == Mode::Directed) {
    undirected.forman = false;
    out.forman_per_arc = true;
    if (req.edge_values) {
      out.forman = directed_forman(g);
      out.forman_nodes = node_stats(g, out.forman.data(), static_cast<int64_t>(out.forman.size()), true);
    } else {
      out.forman_nodes = directed_forman_nodes(g);
    }
  }
  if (undirected.forman || undirected.augmented || undirected.approx || undirected.triangles) {
    CombinatorialResult r = combinatorial_curvatures(g, undirected, threads);
    out.triangles = std::move(r.triangles);
    out.augmented = std::move(r.augmented);
    out.approx = std::move(r.approx);
    out.augmented_nodes = std::move(r.augmented_nodes);
    out.approx_nodes = std::move(r.approx_nodes);
    if (!out.forman_per_arc) {
      out.forman = std::move(r.forman);
      out.forman_nodes = std::move(r.forman_nodes);
    }
  }
  return out;
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
