// Each binding unit registers its functions on the module's exports. Optional units are declared
// weak so the module links while a unit is being developed; addon.cpp skips absent ones.
#pragma once
#include <napi.h>

void register_geometry(Napi::Env env, Napi::Object exports);
__attribute__((weak)) void register_ollivier(Napi::Env env, Napi::Object exports);
__attribute__((weak)) void register_mlp(Napi::Env env, Napi::Object exports);
