#include "geodesics.h"

#include <algorithm>
#include <cstring>

namespace ricci {

namespace {

constexpr int kWords = 4;  // 4 x 64 = 256 sources per sweep
constexpr int kBatch = 64 * kWords;

struct alignas(32) Bits {
  uint64_t w[kWords];
};

inline int popcount(const Bits& b) {
  int c = 0;
  for (int t = 0; t < kWords; ++t) c += __builtin_popcountll(b.w[t]);
  return c;
}

}  // namespace

Components components(const GraphView& g) {
  Components c;
  c.label.assign(static_cast<size_t>(g.n), -1);
  c.order.reserve(static_cast<size_t>(g.n));
  for (int32_t s = 0; s < g.n; ++s) {
    if (c.label[s] >= 0) continue;
    const int32_t id = c.count++;
    c.label[s] = id;
    size_t head = c.order.size();
    c.order.push_back(s);
    while (head < c.order.size()) {
      const int32_t v = c.order[head++];
      for (const int32_t* p = g.begin(v); p != g.end(v); ++p)
        if (c.label[*p] < 0) {
          c.label[*p] = id;
          c.order.push_back(*p);
        }
    }
  }
  return c;
}

GeodesicResult geodesics(const GraphView& g, const int32_t* pairs, int64_t npairs, HopMatrix matrix,
                         int threads, Control* control) {
  const int32_t n = g.n;
  if (npairs < 0) invalid("pairs", "negative count");
  {
    uint32_t bad = 0;
    for (int64_t q = 0; q < 2 * npairs; ++q) bad |= static_cast<uint32_t>(pairs[q]) >= static_cast<uint32_t>(n);
    if (bad)
      for (int64_t q = 0; q < npairs; ++q) {
        const int32_t a = pairs[2 * q], b = pairs[2 * q + 1];
        if (a < 0 || a >= n || b < 0 || b >= n)
          invalid("pairs", "pair " + std::to_string(q) + " refers to a node outside the graph (n = " + std::to_string(n) + ")");
      }
  }
  if (matrix == HopMatrix::U8 && n > 0 && static_cast<uint64_t>(n) * n > (uint64_t(1) << 34))
    invalid("hopMatrix", "n x n matrix too large");
  if (matrix == HopMatrix::U16 && static_cast<uint64_t>(n) * n > (uint64_t(1) << 33))
    invalid("hopMatrix", "n x n matrix too large");

  GeodesicResult r;
  Components comp = components(g);
  r.components = comp.count;
  r.connected = comp.count == 1;
  r.component = std::move(comp.label);
  // Sweeps take their sources in breadth-first order: the 256 sources of one sweep sit close
  // together, so on long thin graphs (1-D output layers) the frontier stays two narrow fronts
  // instead of covering the graph at every level.
  const std::vector<int32_t> order = std::move(comp.order);
  std::vector<int32_t> rank(static_cast<size_t>(n));
  for (int32_t t = 0; t < n; ++t) rank[order[t]] = t;
  r.pair_hops.assign(static_cast<size_t>(npairs), -1);
  const bool need_sum = r.connected;
  const bool need_sweeps = need_sum || npairs > 0 || matrix != HopMatrix::None;
  if (!need_sweeps) return r;

  if (matrix == HopMatrix::U8) r.hop8.assign(static_cast<size_t>(n) * n, 0xFF);
  if (matrix == HopMatrix::U16) r.hop16.assign(static_cast<size_t>(n) * n, 0xFFFF);

  // Queries bucketed by the batch of their smaller-id endpoint (the BFS source).
  const int32_t batches = (n + kBatch - 1) / kBatch;
  // Queries bucketed by the sweep of their source: the endpoint earlier in the sweep order.
  auto source_of = [&](int64_t q) {
    const int32_t a = pairs[2 * q], b = pairs[2 * q + 1];
    return rank[a] <= rank[b] ? a : b;
  };
  std::vector<int64_t> qoff(static_cast<size_t>(batches) + 1, 0);
  std::vector<int64_t> qidx(static_cast<size_t>(npairs));
  for (int64_t q = 0; q < npairs; ++q) qoff[rank[source_of(q)] / kBatch + 1]++;
  for (int32_t b = 0; b < batches; ++b) qoff[b + 1] += qoff[b];
  {
    std::vector<int64_t> pos(qoff.begin(), qoff.end() - 1);
    for (int64_t q = 0; q < npairs; ++q) qidx[pos[rank[source_of(q)] / kBatch]++] = q;
  }

  if (control) control->start(static_cast<uint64_t>(batches));
  uint64_t total = 0;
  int32_t diameter = 0;
  ErrorSlot err;
#pragma omp parallel num_threads(threads) reduction(+ : total) reduction(max : diameter)
  {
    // Frontier-driven (push) sweeps: only nodes on some source's frontier scatter their bits, so
    // long thin graphs (large diameter) cost the edges actually crossed, not the whole adjacency
    // per level.
    std::vector<Bits> visited(static_cast<size_t>(n)), frontier(static_cast<size_t>(n)), next(static_cast<size_t>(n));
    std::vector<uint8_t> touched(static_cast<size_t>(n), 0), on_frontier(static_cast<size_t>(n), 0);
    const int64_t adjacency = 2 * g.m;
    std::vector<int32_t> active, nactive, hit;
    std::vector<int64_t> open;
#pragma omp for schedule(dynamic, 1)
    for (int32_t b = 0; b < batches; ++b) {
      if (err.failed()) continue;
      try {
        if (control) control->throw_if_cancelled();
        const int32_t s0 = b * kBatch, ns = std::min(kBatch, n - s0);
        std::memset(visited.data(), 0, sizeof(Bits) * n);
        // Bits of the sources in this batch (the last batch may be partial).
        Bits full{};
        for (int32_t t = 0; t < ns; ++t) full.w[t / 64] |= uint64_t(1) << (t % 64);
        active.clear();
        for (int32_t t = 0; t < ns; ++t) {
          const int32_t src = order[s0 + t];
          visited[src].w[t / 64] |= uint64_t(1) << (t % 64);
          frontier[src] = Bits{};
          frontier[src].w[t / 64] |= uint64_t(1) << (t % 64);
          active.push_back(src);
        }
        open.clear();
        for (int64_t p = qoff[b]; p < qoff[b + 1]; ++p) {
          const int64_t q = qidx[p];
          if (pairs[2 * q] == pairs[2 * q + 1]) {
            r.pair_hops[q] = 0;
          } else {
            open.push_back(q);
          }
        }
        if (matrix == HopMatrix::U8)
          for (int32_t t = 0; t < ns; ++t) r.hop8[static_cast<size_t>(order[s0 + t]) * n + order[s0 + t]] = 0;
        if (matrix == HopMatrix::U16)
          for (int32_t t = 0; t < ns; ++t) r.hop16[static_cast<size_t>(order[s0 + t]) * n + order[s0 + t]] = 0;
        for (int32_t level = 1; !active.empty(); ++level) {
          // Push (scatter) while the frontier is small; pull (gather with early exit) once its
          // edges are a large share of the graph: a node stops scanning neighbours as soon as every
          // source it still misses has been found (direction-optimising BFS, bit-parallel).
          hit.clear();
          int64_t frontier_edges = 0;
          for (const int32_t u : active) frontier_edges += g.degree(u);
          if (frontier_edges * 4 < adjacency) {
            for (const int32_t u : active) {
              const Bits& f = frontier[u];
              for (const int32_t* p = g.begin(u); p != g.end(u); ++p) {
                const int32_t v = *p;
                if (!touched[v]) {
                  touched[v] = 1;
                  next[v] = Bits{};
                  hit.push_back(v);
                }
                for (int t = 0; t < kWords; ++t) next[v].w[t] |= f.w[t];
              }
            }
          } else {
            for (const int32_t u : active) on_frontier[u] = 1;
            for (int32_t v = 0; v < n; ++v) {
              Bits missing;
              bool any_missing = false;
              for (int t = 0; t < kWords; ++t) {
                missing.w[t] = full.w[t] & ~visited[v].w[t];
                any_missing |= missing.w[t] != 0;
              }
              if (!any_missing) continue;
              Bits acc{};
              int since_check = 0;
              for (const int32_t* p = g.begin(v); p != g.end(v); ++p) {
                if (!on_frontier[*p]) continue;
                const Bits& f = frontier[*p];
                for (int t = 0; t < kWords; ++t) acc.w[t] |= f.w[t];
                if (++since_check == 8) {
                  since_check = 0;
                  bool done = true;
                  for (int t = 0; t < kWords; ++t) done &= (missing.w[t] & ~acc.w[t]) == 0;
                  if (done) break;
                }
              }
              bool nz = false;
              for (int t = 0; t < kWords; ++t) nz |= (acc.w[t] & missing.w[t]) != 0;
              if (nz) {
                next[v] = acc;
                touched[v] = 1;
                hit.push_back(v);
              }
            }
            for (const int32_t u : active) on_frontier[u] = 0;
          }
          // Keep only bits not seen before: the sources reaching v at exactly this level.
          nactive.clear();
          uint64_t reached = 0;
          for (const int32_t v : hit) {
            touched[v] = 0;
            bool nz = false;
            for (int t = 0; t < kWords; ++t) {
              next[v].w[t] &= ~visited[v].w[t];
              nz |= next[v].w[t] != 0;
            }
            if (!nz) continue;
            for (int t = 0; t < kWords; ++t) visited[v].w[t] |= next[v].w[t];
            reached += static_cast<uint64_t>(popcount(next[v]));
            nactive.push_back(v);
            if (matrix != HopMatrix::None) {
              for (int t = 0; t < kWords; ++t) {
                uint64_t w = next[v].w[t];
                while (w) {
                  const int bit = __builtin_ctzll(w);
                  w &= w - 1;
                  const size_t src = static_cast<size_t>(order[s0 + t * 64 + bit]);
                  if (matrix == HopMatrix::U8) {
                    r.hop8[src * n + v] = static_cast<uint8_t>(std::min(level, 0xFE));
                  } else {
                    r.hop16[src * n + v] = static_cast<uint16_t>(std::min(level, 0xFFFE));
                  }
                }
              }
            }
          }
          if (nactive.empty()) break;
          total += reached * static_cast<uint64_t>(level);
          diameter = std::max(diameter, level);
          // Resolve pair queries reached at this level (next[v] holds this level's new bits for
          // v in nactive; other entries of `next` may be stale, so test membership first).
          for (const int32_t v : nactive) touched[v] = 1;
          size_t keep = 0;
          for (size_t t = 0; t < open.size(); ++t) {
            const int64_t q = open[t];
            const int32_t a = pairs[2 * q], c = pairs[2 * q + 1];
            const int32_t s = source_of(q), v = s == a ? c : a;
            const int bit = rank[s] - s0;
            if (touched[v] && ((next[v].w[bit / 64] >> (bit % 64)) & 1u)) {
              r.pair_hops[q] = level;
            } else {
              open[keep++] = q;
            }
          }
          open.resize(keep);
          for (const int32_t v : nactive) {
            touched[v] = 0;
            frontier[v] = next[v];
          }
          active.swap(nactive);
        }
        if (control) control->advance(1);
      } catch (...) {
        err.capture();
      }
    }
  }
  err.rethrow();
  if (matrix == HopMatrix::U8 && diameter >= 0xFF)
    invalid("hopMatrix", "uint8 cannot hold hop distances up to " + std::to_string(diameter) + "; use uint16");
  if (matrix == HopMatrix::U16 && diameter >= 0xFFFF)
    invalid("hopMatrix", "uint16 cannot hold hop distances up to " + std::to_string(diameter));
  // Each unordered pair was counted from both endpoints (both are sources in some sweep).
  if (need_sum) {
    r.has_sum = true;
    r.sum = total / 2;
  }
  r.diameter = diameter;
  return r;
}

}  // namespace ricci
