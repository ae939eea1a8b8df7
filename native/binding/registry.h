// The binding units, one per concept of the core; addon.cpp registers each on the module's exports.
#pragma once
#include <napi.h>

void register_threads(Napi::Env env, Napi::Object exports);     // threads_binding.cpp: Control, thread budget
void register_knn(Napi::Env env, Napi::Object exports);         // knn_binding.cpp: kNN lists and graphs
void register_distances(Napi::Env env, Napi::Object exports);   // distances_binding.cpp
void register_geodesics(Napi::Env env, Napi::Object exports);   // geodesics_binding.cpp
void register_curvature(Napi::Env env, Napi::Object exports);   // curvature_binding.cpp: combinatorial curvatures
void register_ollivier(Napi::Env env, Napi::Object exports);    // ollivier_binding.cpp: exact Ollivier-Ricci
void register_mlp(Napi::Env env, Napi::Object exports);         // mlp_binding.cpp: the network trainer
