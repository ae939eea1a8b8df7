// Standalone development check for the exact Ollivier solver (no Node needed):
//   g++ -O2 -std=c++17 -fopenmp -march=native native/tests/ollivier_check.cpp
//     native/core/ollivier.cpp native/core/common.cpp native/core/threads.cpp -o /tmp/ollivier_check
//   /tmp/ollivier_check CASES.txt
// CASES.txt holds cases: "case n m", m lines "u v" (u < v, row-major order), then "alpha A"
// followed by m expected values (any number of alpha blocks), then "end". For every case and α it
// checks every value to 1e-9, threads 1/2/8 bit-identical, and both distance-2 strategies. With
// "--time" it prints the time per case and α instead of requiring expected values to be present.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "../core/ollivier.h"

using namespace ricci;

struct Csr {
  int32_t n = 0;
  std::vector<int32_t> off, nbr, edges;
  GraphView view() const {
    GraphView g;
    g.n = n;
    g.offsets = off.data();
    g.nbrs = nbr.data();
    g.m = static_cast<int64_t>(edges.size() / 2);
    g.edges = edges.data();
    return g;
  }
};

static Csr build(int32_t n, const std::vector<int32_t>& e) {
  Csr c;
  c.n = n;
  c.edges = e;
  std::vector<std::vector<int32_t>> adj(n);
  for (size_t i = 0; i < e.size(); i += 2) {
    adj[e[i]].push_back(e[i + 1]);
    adj[e[i + 1]].push_back(e[i]);
  }
  c.off.assign(n + 1, 0);
  for (int32_t i = 0; i < n; ++i) {
    std::sort(adj[i].begin(), adj[i].end());
    c.off[i + 1] = c.off[i] + static_cast<int32_t>(adj[i].size());
    c.nbr.insert(c.nbr.end(), adj[i].begin(), adj[i].end());
  }
  return c;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ollivier_check CASES.txt [--time]\n");
    return 2;
  }
  const bool timing = argc > 2 && std::string(argv[2]) == "--time";
  std::ifstream in(argv[1]);
  std::string tok;
  int cases = 0, failures = 0;
  double worst = 0;
  while (in >> tok) {
    if (tok != "case") continue;
    int32_t n;
    int64_t m;
    in >> n >> m;
    std::vector<int32_t> e(2 * m);
    for (int64_t i = 0; i < 2 * m; ++i) in >> e[i];
    Csr c = build(n, e);
    GraphView g = c.view();
    ++cases;
    while (in >> tok && tok != "end") {
      double alpha;
      in >> alpha;
      std::vector<double> want(m);
      for (int64_t i = 0; i < m; ++i) in >> want[i];
      if (timing) {
        for (int threads : {1, 2}) {
          auto t0 = std::chrono::steady_clock::now();
          const std::clock_t c0 = std::clock();
          auto got = ollivier_curvature(g, alpha, threads, nullptr);
          double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
          double tot = 0, err = 0;
          for (int64_t i = 0; i < m; ++i) { tot += got[i]; err = std::max(err, std::abs(got[i] - want[i])); }
          std::printf("case %d n=%d m=%lld alpha=%g threads=%d: %.4f s wall, %.4f s cpu (%.0f edges/s) total=%.9f maxerr=%.3g\n",
                      cases, n, (long long)m, alpha, threads, dt, cpu, m / dt, tot, err);
        }
        continue;
      }
      std::vector<double> ref = detail::ollivier_curvature_with(g, alpha, 1, nullptr, 1);
      for (int64_t i = 0; i < m; ++i) {
        const double d = std::abs(ref[i] - want[i]);
        worst = std::max(worst, d);
        if (!(d <= 1e-9)) {
          if (failures < 20)
            std::printf("case %d alpha %g edge %lld (%d,%d): got %.15f want %.15f\n", cases, alpha, (long long)i,
                        e[2 * i], e[2 * i + 1], ref[i], want[i]);
          ++failures;
        }
      }
      {  // a subset of the edges (every third, backwards) gives the same values
        std::vector<int32_t> ids;
        for (int64_t i = m - 1; i >= 0; i -= 3) ids.push_back(static_cast<int32_t>(i));
        auto sub = ollivier_curvature_edges(g, alpha, ids.data(), static_cast<int64_t>(ids.size()), 2, nullptr);
        for (size_t p = 0; p < ids.size(); ++p)
          if (sub[p] != ref[ids[p]]) {
            std::printf("case %d alpha %g: edge subset differs at position %zu\n", cases, alpha, p);
            ++failures;
            break;
          }
      }
      for (int strategy : {1, 2})
        for (int threads : {1, 2, 8}) {
          auto got = detail::ollivier_curvature_with(g, alpha, threads, nullptr, strategy);
          for (int64_t i = 0; i < m; ++i)
            if (got[i] != ref[i]) {
              std::printf("case %d alpha %g: strategy %d threads %d differs at edge %lld\n", cases, alpha, strategy,
                          threads, (long long)i);
              ++failures;
              break;
            }
        }
    }
  }
  if (!timing) std::printf("%d cases, %d failures, worst |diff| %.3g\n", cases, failures, worst);
  return failures ? 1 : 0;
}
