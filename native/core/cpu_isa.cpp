// Run-time instruction-set checks (cpu_isa.h).
#include "cpu_isa.h"

#include <cstring>

namespace ricci {

bool cpu_runs(const char* isa) {
  if (isa == nullptr) return false;
  if (std::strcmp(isa, "portable") == 0) return true;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (std::strcmp(isa, "avx2") == 0) return avx2;
  if (std::strcmp(isa, "avx512") == 0) return avx2 && __builtin_cpu_supports("avx512f");
#endif
  return false;
}

}  // namespace ricci
