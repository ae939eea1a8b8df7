// Per-environment state of the addon: the main thread and each worker_threads Worker load it
// separately, and each keeps its own references here (instance data, freed with the environment).
#pragma once
#include <napi.h>

namespace rfb {

struct EnvData {
  Napi::FunctionReference control;    // the Control class (task.cpp)
  Napi::FunctionReference errors[4];  // error classes by rfb::Kind (errors.cpp), empty until registered
};

inline EnvData& env_data(Napi::Env env) {
  EnvData* d = env.GetInstanceData<EnvData>();
  if (d == nullptr) {
    d = new EnvData();
    env.SetInstanceData<EnvData>(d);
  }
  return *d;
}

}  // namespace rfb
