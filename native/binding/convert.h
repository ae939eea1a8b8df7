// Argument conversion shared by every binding unit: options objects, point clouds, Int32Arrays and
// graph objects read from JS (validated before any worker runs), thread counts. Knows nothing of
// the science.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>

#include "../core/common.h"
#include "../core/graph.h"
#include "errors.h"
#include "memory.h"

namespace rfb {

// Options object helpers (undefined/null -> fallback).
Napi::Object options_arg(const Napi::CallbackInfo& info, size_t index);
int int_option(const Napi::Object& o, const char* key, int fallback);
double number_option(const Napi::Object& o, const char* key, double fallback);
bool bool_option(const Napi::Object& o, const char* key, bool fallback);
std::string string_option(const Napi::Object& o, const char* key, const std::string& fallback);

// Points from { data: Float32Array|Float64Array, n, d } (validated: shape, and finiteness unless
// `finite_checked_by_core`: the core function the points go to checks it on its compute threads,
// e.g. ricci::knn, so the JS thread does not scan them).
ricci::PointsView points_arg(Napi::Env env, Napi::Value v, const std::string& name, KeepAlive& keep,
                             bool finite_checked_by_core = false);
// Int32Array of an exact length (or any length when expected < 0).
const int32_t* int32_array_arg(Napi::Env env, Napi::Value v, const std::string& name,
                               int64_t expected, KeepAlive& keep, size_t* length = nullptr);
// Graph from the plain object the TS layer holds:
// { n, mode, offsets: Int32Array, neighbors: Int32Array, edges: Int32Array (2m, interleaved u,v), k, knn? }
// Validated (ricci::validate_graph) before any worker runs.
ricci::GraphView graph_arg(Napi::Env env, Napi::Value v, const std::string& name, KeepAlive& keep);
// Full graph validations run so far (diagnostics: natively built graphs must not need one).
uint64_t graph_validation_count();
// Records a graph built by the core (valid by construction) so graph_arg skips re-validating it
// while its arrays keep these addresses and contents. Main JS thread only.
void remember_validated(const ricci::GraphView& g, uint64_t fingerprint);

// A thread count from JS: a finite integer in [lo, ricci::max_threads()], else InvalidArgument.
int thread_count_arg(Napi::Env env, Napi::Value v, const std::string& name, int lo);

}  // namespace rfb
