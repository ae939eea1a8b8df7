#include "graph.h"

#include <algorithm>

namespace ricci {

Mode parse_mode(const std::string& s) {
  if (s == "union") return Mode::Union;
  if (s == "mutual") return Mode::Mutual;
  if (s == "directed") return Mode::Directed;
  invalid("mode", "unknown mode '" + s + "' (expected union, mutual or directed)");
}

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::Union: return "union";
    case Mode::Mutual: return "mutual";
    default: return "directed";
  }
}

GraphView Graph::view() const {
  GraphView g;
  g.n = n;
  g.mode = mode;
  g.offsets = offsets.data();
  g.nbrs = nbrs.data();
  g.m = static_cast<int64_t>(edges.size() / 2);
  g.edges = edges.data();
  if (mode == Mode::Directed) {
    g.k = k;
    g.knn = knn.data();
  }
  return g;
}

Graph build_graph(const int32_t* knn, int32_t n, int32_t k, Mode mode, int threads) {
  if (n < 2) invalid("n", "need at least 2 points");
  if (k < 1 || k > n - 1) invalid("k", "must satisfy 1 <= k <= n-1");
  const size_t nk = static_cast<size_t>(n) * k;
  for (size_t a = 0; a < nk; ++a)
    if (knn[a] < 0 || knn[a] >= n) invalid("knn", "index out of range in row " + std::to_string(a / k));
  // Reverse lists by counting sort: rev(i) = { j : i in knn(j) }, ascending in j.
  std::vector<int64_t> roff(static_cast<size_t>(n) + 1, 0);
  for (size_t a = 0; a < nk; ++a) roff[knn[a] + 1]++;
  for (int32_t i = 0; i < n; ++i) roff[i + 1] += roff[i];
  std::vector<int32_t> rev(nk);
  {
    std::vector<int64_t> pos(roff.begin(), roff.end() - 1);
    for (int32_t j = 0; j < n; ++j)
      for (int32_t t = 0; t < k; ++t) rev[pos[knn[static_cast<size_t>(j) * k + t]]++] = j;
  }
  // Per node: forward and reverse neighbours marked in two n-bit rows; their union (or, mutual,
  // intersection) read back word by word comes out in increasing order: no sorting. Two parallel
  // passes (sizes, then contents) keep the output identical for any thread count.
  std::vector<int64_t> count(static_cast<size_t>(n) + 1, 0);
  const size_t words = (static_cast<size_t>(n) + 63) / 64;
  ErrorSlot err;
  // Writes row i's neighbours to out (may be null: count only); returns how many.
  auto row = [&](int32_t i, std::vector<uint64_t>& fb, std::vector<uint64_t>& rb, int32_t* out) -> int64_t {
    const int32_t* f = knn + static_cast<size_t>(i) * k;
    for (int32_t t = 0; t < k; ++t) {
      const int32_t j = f[t];
      if (j == i) invalid("knn", "point " + std::to_string(i) + " lists itself as a neighbour");
      uint64_t& w = fb[static_cast<size_t>(j) >> 6];
      const uint64_t bit = uint64_t(1) << (j & 63);
      if (w & bit) invalid("knn", "repeated neighbour in row " + std::to_string(i));
      w |= bit;
    }
    for (int64_t p = roff[i]; p < roff[i + 1]; ++p) rb[static_cast<size_t>(rev[p]) >> 6] |= uint64_t(1) << (rev[p] & 63);
    int64_t c = 0;
    for (size_t w = 0; w < words; ++w) {
      uint64_t x = mode == Mode::Mutual ? (fb[w] & rb[w]) : (fb[w] | rb[w]);
      if (!x) continue;
      if (out == nullptr) {
        c += __builtin_popcountll(x);
      } else {
        for (; x; x &= x - 1) out[c++] = static_cast<int32_t>(w * 64 + __builtin_ctzll(x));
      }
    }
    for (int32_t t = 0; t < k; ++t) fb[static_cast<size_t>(f[t]) >> 6] = 0;
    for (int64_t p = roff[i]; p < roff[i + 1]; ++p) rb[static_cast<size_t>(rev[p]) >> 6] = 0;
    return c;
  };
#pragma omp parallel num_threads(threads)
  {
    std::vector<uint64_t> fb(words, 0), rb(words, 0);
#pragma omp for schedule(static)
    for (int32_t i = 0; i < n; ++i) {
      if (err.failed()) continue;
      try {
        count[i + 1] = row(i, fb, rb, nullptr);
      } catch (...) {
        err.capture();
      }
    }
  }
  err.rethrow();
  for (int32_t i = 0; i < n; ++i) count[i + 1] += count[i];
  if (count[n] > 2147483647) invalid("k", "graph too large for 32-bit offsets");
  Graph g;
  g.n = n;
  g.k = k;
  g.mode = mode;
  g.offsets.resize(static_cast<size_t>(n) + 1);
  for (int32_t i = 0; i <= n; ++i) g.offsets[i] = static_cast<int32_t>(count[i]);
  g.nbrs.resize(static_cast<size_t>(count[n]));
  // Edge e of node i (upper part) sits after all edges of nodes < i.
  std::vector<int64_t> efirst(static_cast<size_t>(n) + 1, 0);
#pragma omp parallel num_threads(threads)
  {
    std::vector<uint64_t> fb(words, 0), rb(words, 0);
#pragma omp for schedule(static)
    for (int32_t i = 0; i < n; ++i) {
      int32_t* out = g.nbrs.data() + count[i];
      const int64_t c = row(i, fb, rb, out);  // validated in the first pass: cannot throw here
      efirst[i + 1] = (out + c) - std::upper_bound(out, out + c, i);
    }
  }
  for (int32_t i = 0; i < n; ++i) efirst[i + 1] += efirst[i];
  g.edges.resize(2 * static_cast<size_t>(efirst[n]));
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int32_t i = 0; i < n; ++i) {
    int64_t e = efirst[i];
    for (int32_t p = g.offsets[i]; p < g.offsets[i + 1]; ++p)
      if (g.nbrs[p] > i) {
        g.edges[2 * e] = i;
        g.edges[2 * e + 1] = g.nbrs[p];
        ++e;
      }
  }
  if (mode == Mode::Directed) g.knn.assign(knn, knn + nk);
  return g;
}

void validate_graph(const GraphView& g, const std::string& arg) {
  // O(n + m): every later algorithm relies on these invariants for memory safety and meaning.
  if (g.n < 1) invalid(arg, "empty graph");
  if (g.offsets[0] != 0) invalid(arg, "offsets[0] must be 0");
  for (int32_t i = 0; i < g.n; ++i)
    if (g.offsets[i + 1] < g.offsets[i]) invalid(arg, "offsets must be non-decreasing");
  if (static_cast<int64_t>(g.offsets[g.n]) != 2 * g.m)
    invalid(arg, "offsets[n] must equal the neighbour count (2 x edges)");
  // Sorted, in range, no self loops; the edge list is the upper part in row-major order.
  // cursor[j] walks the upper part of N(j): symmetry holds iff every j < i in N(i) is met, in
  // increasing i, exactly at cursor[j], and every cursor ends at the end of its row.
  std::vector<int32_t> cursor(static_cast<size_t>(g.n));
  for (int32_t i = 0; i < g.n; ++i) {
    const int32_t* b = g.begin(i);
    const int32_t* e = g.end(i);
    for (const int32_t* p = b; p != e; ++p) {
      if (*p < 0 || *p >= g.n || *p == i) invalid(arg, "bad neighbour of node " + std::to_string(i));
      if (p > b && p[-1] >= *p)
        invalid(arg, "neighbours of node " + std::to_string(i) + " must be strictly increasing");
    }
    cursor[i] = static_cast<int32_t>(std::upper_bound(b, e, i) - g.nbrs);
  }
  int64_t e = 0;
  for (int32_t i = 0; i < g.n; ++i) {
    for (const int32_t* p = g.begin(i); p != g.end(i); ++p) {
      const int32_t j = *p;
      if (j < i) {
        if (cursor[j] >= g.offsets[j + 1] || g.nbrs[cursor[j]] != i) invalid(arg, "adjacency is not symmetric");
        ++cursor[j];
      } else {
        if (e >= g.m || g.u(e) != i || g.v(e) != j)
          invalid(arg, "edge list does not match the adjacency (row-major, i<j)");
        ++e;
      }
    }
  }
  if (e != g.m) invalid(arg, "edge list does not match the adjacency");
  for (int32_t j = 0; j < g.n; ++j)
    if (cursor[j] != g.offsets[j + 1]) invalid(arg, "adjacency is not symmetric");
  if (g.mode == Mode::Directed) {
    if (g.knn == nullptr || g.k < 1) invalid(arg, "directed graph needs its kNN arcs");
    for (int64_t a = 0; a < static_cast<int64_t>(g.n) * g.k; ++a) {
      const int32_t i = static_cast<int32_t>(a / g.k), j = g.knn[a];
      if (j < 0 || j >= g.n || j == i || !std::binary_search(g.begin(i), g.end(i), j))
        invalid(arg, "kNN arcs do not match the adjacency");
    }
  }
}

namespace {
// Eight lanes of Fletcher-style sums (s1 += x, s2 += s1, modulo 2^32) over the array, enough to
// notice any accidental change of contents: a changed element changes its lane's s1, and two
// swapped elements change its s2. Add-only, so it vectorises to two adds per 8 elements. The same
// pass ORs together "index >= n" so that bounds cost no second read.
uint64_t mix_and_bound(const int32_t* a, int64_t len, uint64_t seed, uint32_t n, uint32_t& out) {
  constexpr int kLanes = 8;
  uint32_t s1[kLanes] = {}, s2[kLanes] = {}, o[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= len; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      const uint32_t x = static_cast<uint32_t>(a[i + l]);
      s1[l] += x;
      s2[l] += s1[l];
      o[l] |= x >= n;
    }
  uint32_t tail1 = 0, tail2 = 0, any = 0;
  for (; i < len; ++i) {
    const uint32_t x = static_cast<uint32_t>(a[i]);
    tail1 += x;
    tail2 += tail1;
    any |= x >= n;
  }
  uint64_t h = seed ^ (static_cast<uint64_t>(len) * 0xFF51AFD7ED558CCDull);
  for (int l = 0; l < kLanes; ++l) {
    any |= o[l];
    h = (h ^ (static_cast<uint64_t>(s1[l]) << 32 | s2[l])) * 0xC4CEB9FE1A85EC53ull + 0x9E3779B97F4A7C15ull;
  }
  h = (h ^ (static_cast<uint64_t>(tail1) << 32 | tail2)) * 0xC4CEB9FE1A85EC53ull + 0x9E3779B97F4A7C15ull;
  out |= any;
  return h;
}
}  // namespace

namespace {
// The fingerprint of all arrays; ORs "index >= bound" of the index arrays into `out`.
uint64_t hash_graph(const GraphView& g, uint32_t bound, uint32_t& out) {
  uint32_t ignored = 0;
  uint64_t h = static_cast<uint64_t>(g.n) * 0x100000001B3ull + static_cast<uint64_t>(g.mode);
  h = mix_and_bound(g.offsets, g.n + 1, h, 0xFFFFFFFFu, ignored);
  h = mix_and_bound(g.nbrs, 2 * g.m, h, bound, out);
  h = mix_and_bound(g.edges, 2 * g.m, h, bound, out);
  if (g.knn) h = mix_and_bound(g.knn, static_cast<int64_t>(g.n) * g.k, h ^ static_cast<uint64_t>(g.k), bound, out);
  return h;
}
}  // namespace

uint64_t check_graph_bounds(const GraphView& g, const std::string& arg) {
  if (g.n < 1) invalid(arg, "empty graph");
  if (g.offsets[0] != 0 || static_cast<int64_t>(g.offsets[g.n]) != 2 * g.m)
    invalid(arg, "offsets must start at 0 and end at the neighbour count (2 x edges)");
  int32_t bad = 0;
  for (int32_t i = 0; i < g.n; ++i) bad |= g.offsets[i + 1] < g.offsets[i];
  if (bad) invalid(arg, "offsets must be non-decreasing");
  uint32_t out = 0;
  const uint64_t h = hash_graph(g, static_cast<uint32_t>(g.n), out);
  if (out) invalid(arg, "node index out of range");
  return h;
}

uint64_t graph_fingerprint(const GraphView& g) {
  uint32_t ignored = 0;
  return hash_graph(g, 0xFFFFFFFFu, ignored);
}

}  // namespace ricci
