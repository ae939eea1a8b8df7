#include "knn.h"

#include <Eigen/Dense>
#ifdef __AVX2__
#include <immintrin.h>
#endif
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "buffer.h"
#include "distances.h"
#include "gram.h"

namespace ricci {

namespace {

using RowMatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapF = Eigen::Map<const RowMatF, 0, Eigen::OuterStride<>>;

MapF rows_of(const CentredF32& c, size_t i0, size_t rows) {
  return MapF(c.x.data() + i0 * c.ld, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(c.d),
              Eigen::OuterStride<>(static_cast<Eigen::Index>(c.ld)));
}

constexpr size_t kTile = 256;
// Blocks of the symmetric Gram with the vector kernels (gram.h): 120 rows of A and B at d = 784
// stay within L2; a multiple of both kernels' register tiles (3 x 8, 3 x 4).
constexpr size_t kGramTile = 120;
// Above this n the n x n Gram (4 n^2 bytes) is not kept; rows are streamed in blocks instead.
constexpr size_t kFullGramMaxN = 8192;
// Below this dimension the Gram product is cheap and streaming row blocks (no n x n matrix, no
// mirrored tiles) is faster than the symmetric product.
constexpr size_t kSymmetricMinD = 128;

struct Candidate {
  double approx;
  double err;  // bound on |approx - exact| for this pair
  double exact;
  int32_t j;
};

// Stable LSD radix sort of m packed keys on their upper 32 bits (the approximation): keys arrive in
// increasing index order, so the result is in (approx, index) order. Passes whose digit is the
// same for every key are skipped. Returns keys or tmp, whichever holds the result.
uint64_t* radix_sort_upper(uint64_t* keys, uint64_t* tmp, size_t m) {
  for (int shift = 32; shift < 64; shift += 8) {
    size_t count[257] = {0};
    for (size_t i = 0; i < m; ++i) count[((keys[i] >> shift) & 0xFF) + 1]++;
    bool trivial = false;
    for (int b = 1; b <= 256; ++b)
      if (count[b] == m) trivial = true;
    if (trivial) continue;
    for (int b = 0; b < 256; ++b) count[b + 1] += count[b];
    for (size_t i = 0; i < m; ++i) tmp[count[(keys[i] >> shift) & 0xFF]++] = keys[i];
    std::swap(keys, tmp);
  }
  return keys;
}

// Per-thread scratch for selecting one row's neighbours.
struct Selector {
  std::vector<float> a;
  std::vector<int16_t> prefix;
  std::vector<uint64_t> key_store, scratch;
  uint64_t* keys = nullptr;  // the collected keys (in key_store or scratch), m of them
  size_t m = 0;
  std::vector<Candidate> cand;

  // (approx, index) packed so that integer order is (approx, index) order: approx >= 0, and the
  // bits of a non-negative float order like its value.
  static uint32_t bits_of(float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    return bits;
  }
  static uint64_t key(float v, size_t j) { return (static_cast<uint64_t>(bits_of(v)) << 32) | static_cast<uint32_t>(j); }
  static float key_value(uint64_t k) {
    const uint32_t bits = static_cast<uint32_t>(k >> 32);
    float v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }

  // Keys of the values a[j] <= limit (a NaN never is), in index order, sorted.
  void collect_sorted(float limit) {
    const size_t n = a.size();
    key_store.resize(n);
    scratch.resize(n);
    uint64_t* out = key_store.data();
    const float* av = a.data();
    size_t cnt = 0, j = 0;
#ifdef __AVX2__
    // Eight comparisons at a time; only the (few) values below the limit are visited one by one.
    const __m256 lim = _mm256_set1_ps(limit);
    for (; j + 8 <= n; j += 8) {
      unsigned mask = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(av + j), lim, _CMP_LE_OQ)));
      while (mask != 0) {
        const size_t b = static_cast<size_t>(__builtin_ctz(mask));
        mask &= mask - 1;
        out[cnt++] = key(av[j + b], j + b);
      }
    }
#endif
    for (; j < n; ++j)
      if (av[j] <= limit) out[cnt++] = key(av[j], j);
    m = cnt;
    keys = radix_sort_upper(out, scratch.data(), m);
  }

  // g: Gram row of query q (float dot products of centred points), length n.
  void select(const PointsView& p, const CentredF32& c, const IntegerPoints& ip, size_t q, const float* g,
              int32_t k, int32_t* out) {
    const size_t n = p.n, d = p.d;
    a.resize(n);
    const float sq_q = c.sq[q];
    const float* sq = c.sq.data();
    // Clamped at 0: exact squared distances are >= 0, so clamping never moves an approximation
    // further from the exact value than the error bound below.
    for (size_t j = 0; j < n; ++j) a[j] = std::max(0.0f, sq_q + sq[j] - 2.0f * g[j]);
    a[q] = std::numeric_limits<float>::quiet_NaN();  // never collected, never below a threshold
    // |approx - exact| <= C (|x_q|^2 + |x_j|^2) for every pair (centred norms), with C covering:
    // rounding the centred data to float (4u), the norms (u), the Gram product (gamma_d <= 1.05 d u
    // for any summation order) and this float combination (3u); 12u instead of 8u for headroom.
    const double u = std::ldexp(1.0, -24);
    const double C = (1.05 * static_cast<double>(d) + 12.0) * u;
    const double Tmax = C * (static_cast<double>(sq_q) + c.max_sq) + 1e-300;
    // Threshold from a fixed sample (deterministic): theta bounds the k-th smallest from above
    // whenever at least k values fall below it; otherwise fall back to all points. theta is the
    // largest float whose upper 16 bits are the smallest prefix P with at least r + 1 sample values
    // at or below it (so at least r + 1 of them are <= theta, and theta exceeds the (r+1)-th
    // smallest by less than 2^-7 of it): a binary search on P over 16-bit prefixes, each step a
    // vectorised count.
    const float inf = std::numeric_limits<float>::infinity();
    float theta = inf;
    const size_t S = std::min<size_t>(n, 512);
    if (n > 4 * static_cast<size_t>(k) && S >= 64) {
      const size_t stride = n / S;
      prefix.resize(S);
      for (size_t t = 0; t < S; ++t) prefix[t] = static_cast<int16_t>(bits_of(a[t * stride]) >> 16);
      const size_t r = std::min(S - 1, static_cast<size_t>(1.25 * k * S / n) + 8);
      const int16_t* pr = prefix.data();
      // The answer lies between the smallest prefix and the largest (at most a NaN's, 0x7FC0).
      int16_t pmin = pr[0], pmax = pr[0];
      for (size_t t = 1; t < S; ++t) {
        pmin = std::min(pmin, pr[t]);
        pmax = std::max(pmax, pr[t]);
      }
      int32_t lo = pmin, hi = pmax;
      const uint32_t need = static_cast<uint32_t>(r + 1);
      while (lo < hi) {
        const int32_t mid = (lo + hi) >> 1;
        const int16_t P = static_cast<int16_t>(mid);
        uint32_t below = 0;
        for (size_t t = 0; t < S; ++t) below += static_cast<uint32_t>(pr[t] <= P);
        if (below >= need) hi = mid;
        else lo = mid + 1;
      }
      if (lo < 0x7F80) theta = key_value(static_cast<uint64_t>((static_cast<uint32_t>(lo) << 16) | 0xFFFFu) << 32);
    }
    collect_sorted(theta);
    if (m < static_cast<size_t>(k)) {
      theta = inf;
      collect_sorted(theta);
    }
    // Every true neighbour (and every exact tie at the k-th distance) has approx <= kth + 2 Tmax.
    const double tau = static_cast<double>(key_value(keys[k - 1])) + 2.0 * Tmax;
    if (tau > static_cast<double>(theta)) collect_sorted(inf);
    cand.clear();
    for (size_t t = 0; t < m; ++t) {
      const uint64_t kk = keys[t];
      const double v = key_value(kk);
      if (v > tau) break;
      const int32_t j = static_cast<int32_t>(kk & 0xFFFFFFFFu);
      cand.push_back({v, C * (static_cast<double>(sq_q) + sq[j]) + 1e-300, -1.0, j});
    }
    // Runs of candidates whose error intervals [approx - err, approx + err] overlap may be
    // misordered by rounding: re-rank them by the exact squared distance, then index. Between
    // disjoint intervals the approx order is the exact order.
    size_t start = 0;
    const size_t cn = cand.size();
    while (start < cn && start < static_cast<size_t>(k)) {
      size_t end = start + 1;
      double hi = cand[start].approx + cand[start].err;
      while (end < cn && cand[end].approx - cand[end].err <= hi) {
        hi = std::max(hi, cand[end].approx + cand[end].err);
        ++end;
      }
      if (end - start > 1) {
        for (size_t t = start; t < end; ++t)
          cand[t].exact = ip.usable() ? ip.sqdist(q, static_cast<size_t>(cand[t].j))
                                      : exact_sqdist(p, q, static_cast<size_t>(cand[t].j), c.scale);
        std::sort(cand.begin() + start, cand.begin() + end, [](const Candidate& x, const Candidate& y) {
          return x.exact < y.exact || (x.exact == y.exact && x.j < y.j);
        });
      }
      start = end;
    }
    for (int32_t t = 0; t < k; ++t) out[t] = cand[t].j;
  }
};

// One dimension: after one sort of the points, each query's neighbours are reached by walking
// outwards from its position, O(k) per query. Candidates at equal squared distance (computed as
// in exact_sqdist) are gathered from both sides and taken in index order.
std::vector<int32_t> knn_1d(const PointsView& p, int32_t k, int threads, Control* control) {
  const size_t n = p.n;
  const double scale = distance_scale(p);  // squares neither overflow nor underflow
  std::vector<double> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = p.at(i, 0) * scale;
  std::vector<int32_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<int32_t>(i);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return x[a] < x[b] || (x[a] == x[b] && a < b); });
  std::vector<int32_t> pos(n);
  for (size_t r = 0; r < n; ++r) pos[order[r]] = static_cast<int32_t>(r);
  std::vector<int32_t> out(n * static_cast<size_t>(k));
  if (control) control->start(n);
  ErrorSlot err;
#pragma omp parallel num_threads(threads)
  {
    std::vector<int32_t> tied;
#pragma omp for schedule(dynamic, 256)
    for (long qi = 0; qi < static_cast<long>(n); ++qi) {
      if (err.failed()) continue;
      try {
        if (control && (qi & 255) == 0) control->throw_if_cancelled();
        const size_t q = static_cast<size_t>(qi);
        const double xq = x[q];
        auto sq = [&](long r) {
          const double dd = xq - x[order[r]];
          return dd * dd;
        };
        long L = pos[q] - 1, R = pos[q] + 1;
        int32_t* dst = out.data() + q * static_cast<size_t>(k);
        int32_t filled = 0;
        while (filled < k) {
          const double dl = L >= 0 ? sq(L) : std::numeric_limits<double>::infinity();
          const double dr = R < static_cast<long>(n) ? sq(R) : std::numeric_limits<double>::infinity();
          const double best = std::min(dl, dr);
          tied.clear();
          while (L >= 0 && sq(L) == best) tied.push_back(order[L--]);
          while (R < static_cast<long>(n) && sq(R) == best) tied.push_back(order[R++]);
          std::sort(tied.begin(), tied.end());
          for (size_t t = 0; t < tied.size() && filled < k; ++t) dst[filled++] = tied[t];
        }
        if (control) control->advance(1);
      } catch (...) {
        err.capture();
      }
    }
  }
  err.rethrow();
  return out;
}

}  // namespace

std::vector<int32_t> knn(const PointsView& p, int32_t k, int threads, Control* control) {
  if (p.data == nullptr || p.n < 2 || p.d < 1) validate_points(p);  // throws, naming the problem
  // Validation, the scale, integrality: one pass (the binding leaves validation to it). This pass
  // and the copies below run on this thread alone: they are vectorised and short, and on a busy
  // machine every extra parallel region's barrier can wait a whole time slice for a descheduled
  // thread (measured: 2-thread fMNIST k=30 calls took about twice as long with them parallel).
  const PointsScan scan = scan_points(p, 1);
  if (!scan.finite) validate_points(p);  // throws, naming the first non-finite value
  if (k < 1 || static_cast<size_t>(k) > p.n - 1)
    invalid("k", "must satisfy 1 <= k <= n-1 (got k = " + std::to_string(k) + ", n = " + std::to_string(p.n) + ")");
  if (p.n > 2147483647u) invalid("points", "too many points for 32-bit indices");
  if (p.d == 1) return knn_1d(p, k, threads, control);
  const size_t n = p.n, d = p.d;
  // Large or tiny magnitudes are brought near 1 by an exact power-of-two scale (distance_scale).
  const CentredF32 c = centre_f32(p, scale_for_max(scan.max_abs), 1);
  const IntegerPoints ip = integer_points(p, scan, 1);
  std::vector<int32_t> out(n * static_cast<size_t>(k));
  if (control) control->start(n);
  ErrorSlot err;
  const size_t tiles = (n + kTile - 1) / kTile;

  if (n <= kFullGramMaxN && d >= kSymmetricMinD) {
    // Symmetric Gram: only blocks (I, J) with J <= I are multiplied; each fills both halves.
    Buffer<float> G(n * n);  // every element is written below
    const gram::Kernel* kern = gram::select_kernel();
    const size_t B = kern ? kGramTile : kTile;
    const size_t blocks = (n + B - 1) / B;
    std::vector<std::pair<size_t, size_t>> pairs;
    for (size_t I = 0; I < blocks; ++I)
      for (size_t J = 0; J <= I; ++J) pairs.emplace_back(I, J);
    // One parallel region: the Gram blocks, then (after the loop's barrier) the selection.
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(dynamic, 1)
      for (long t = 0; t < static_cast<long>(pairs.size()); ++t) {
        if (err.failed()) continue;
        try {
          const size_t I = pairs[t].first, J = pairs[t].second;
          const size_t i0 = I * B, ri = std::min(B, n - i0);
          const size_t j0 = J * B, rj = std::min(B, n - j0);
          if (kern) {
            const float* X = c.x.data();
            kern->block(X + i0 * c.ld, ri, X + j0 * c.ld, rj, c.ld, c.ld, G.data() + i0 * n + j0, n,
                        I == J ? nullptr : G.data() + j0 * n + i0, I == J);
            continue;
          }
          RowMatF T = rows_of(c, i0, ri) * rows_of(c, j0, rj).transpose();
          for (size_t a = 0; a < ri; ++a)
            std::copy(T.data() + a * rj, T.data() + (a + 1) * rj, G.data() + (i0 + a) * n + j0);
          // Mirror tile, transposed in 16 x 16 blocks (a plain column walk of T thrashes L1).
          if (I != J)
            for (size_t bb = 0; bb < rj; bb += 16)
              for (size_t aa = 0; aa < ri; aa += 16) {
                const size_t be = std::min(rj, bb + 16), ae = std::min(ri, aa + 16);
                for (size_t b = bb; b < be; ++b) {
                  float* row = G.data() + (j0 + b) * n + i0;
                  for (size_t a = aa; a < ae; ++a) row[a] = T.data()[a * rj + b];
                }
              }
        } catch (...) {
          err.capture();
        }
      }
      // (implicit barrier: every block of G is written)
      Selector sel;
#pragma omp for schedule(dynamic, 64)
      for (long q = 0; q < static_cast<long>(n); ++q) {
        if (err.failed()) continue;
        try {
          if (control && (q & 63) == 0) control->throw_if_cancelled();
          sel.select(p, c, ip, static_cast<size_t>(q), G.data() + static_cast<size_t>(q) * n, k,
                     out.data() + static_cast<size_t>(q) * k);
          if (control) control->advance(1);
        } catch (...) {
          err.capture();
        }
      }
    }
    err.rethrow();
  } else {
    const MapF X = rows_of(c, 0, n);
#pragma omp parallel num_threads(threads)
    {
      Selector sel;
      RowMatF T;
#pragma omp for schedule(dynamic, 1)
      for (long b = 0; b < static_cast<long>(tiles); ++b) {
        if (err.failed()) continue;
        try {
          if (control) control->throw_if_cancelled();
          const size_t i0 = static_cast<size_t>(b) * kTile, ri = std::min(kTile, n - i0);
          T.noalias() = rows_of(c, i0, ri) * X.transpose();
          for (size_t a = 0; a < ri; ++a)
            sel.select(p, c, ip, i0 + a, T.data() + a * n, k, out.data() + (i0 + a) * static_cast<size_t>(k));
          if (control) control->advance(ri);
        } catch (...) {
          err.capture();
        }
      }
    }
    err.rethrow();
  }
  return out;
}

}  // namespace ricci
