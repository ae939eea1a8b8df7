// Older-glibc compatibility of the Linux addon (x86-64, AArch64) (docs/prebuilds.md, "Which Linux").
//
// The prebuilt binary links libstdc++ and libgcc statically, so it carries their references to
// glibc. Built on a new glibc, those references (and a few of our own) bind to symbol versions
// newer than RHEL 8's glibc 2.28. binding.gyp (and CMakeLists.txt with RICCIFLOW_PORTABLE) link
// with `-Wl,--wrap=SYMBOL` for each of them, which sends every undefined reference to SYMBOL, in
// our objects and in the static libraries alike, to `__wrap_SYMBOL` below:
//   - pthread_*, exp, exp2, log, log2, pow: forwarded to the oldest version of the same function (`.symver`), which
//     every glibc still exports. They behave the same (pthread_* moved from libpthread into libc
//     in 2.34 and got a new version; the 2.29 versions of exp/exp2/log/log2/pow only dropped
//     the SVID error wrapper around the same implementation).
//   - __libc_single_threaded (2.32, a variable libstdc++ reads to skip atomic reference counts):
//     replaced by a constant 0 ("maybe multi-threaded"): always atomic, always correct.
//   - arc4random (2.36, std::random_device): getentropy (2.25), then /dev/urandom.
//   - _dl_find_object (2.35, the static unwinder's way to find a PC's unwind tables): the real one
//     when the running glibc has it, else the same answer from dl_iterate_phdr (what libgcc did
//     before 2.35). C++ exceptions thrown inside the addon depend on it.
// Compiled only when RICCIFLOW_GLIBC_COMPAT is defined (the build sets it on Linux, together with
// the --wrap flags) for glibc on x86-64 or AArch64; elsewhere this file is empty.
#include <cstddef>  // defines __GLIBC__ on glibc systems
#if defined(RICCIFLOW_GLIBC_COMPAT) && defined(__linux__) && defined(__GLIBC__) && \
    (defined(__x86_64__) || defined(__aarch64__))

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dlfcn.h>
#include <errno.h>
#include <time.h>
#include <fcntl.h>
#include <link.h>
#include <math.h>
#include <pthread.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

// ---- old-version bindings -------------------------------------------------------------------------
// The first version of each function on the architecture: 2.2.5 on x86-64, 2.17 on AArch64.
#if defined(__x86_64__)
#define RICCIFLOW_GLIBC_BASE "GLIBC_2.2.5"
#else
#define RICCIFLOW_GLIBC_BASE "GLIBC_2.17"
#endif
#define RICCIFLOW_OLD(sym, ver) __asm__(".symver ricciflow_old_" #sym ", " #sym "@" ver)

extern "C" {
int ricciflow_old_pthread_create(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
int ricciflow_old_pthread_join(pthread_t, void**);
int ricciflow_old_pthread_detach(pthread_t);
int ricciflow_old_pthread_once(pthread_once_t*, void (*)(void));
int ricciflow_old_pthread_key_create(pthread_key_t*, void (*)(void*));
int ricciflow_old___pthread_key_create(pthread_key_t*, void (*)(void*));
int ricciflow_old_pthread_key_delete(pthread_key_t);
void* ricciflow_old_pthread_getspecific(pthread_key_t);
int ricciflow_old_pthread_setspecific(pthread_key_t, const void*);
double ricciflow_old_exp(double);
double ricciflow_old_exp2(double);
double ricciflow_old_log(double);
double ricciflow_old_log2(double);
double ricciflow_old_pow(double, double);
void* ricciflow_old_dlvsym(void*, const char*, const char*);
int ricciflow_old_getentropy(void*, size_t);
}
RICCIFLOW_OLD(pthread_create, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(pthread_join, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(pthread_detach, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(pthread_once, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(pthread_key_create, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(__pthread_key_create, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(pthread_key_delete, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(pthread_getspecific, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(pthread_setspecific, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(exp, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(exp2, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(log, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(log2, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(pow, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(dlvsym, RICCIFLOW_GLIBC_BASE);
RICCIFLOW_OLD(getentropy, "GLIBC_2.25");

extern "C" {

int __wrap_pthread_create(pthread_t* t, const pthread_attr_t* a, void* (*f)(void*), void* arg) {
  return ricciflow_old_pthread_create(t, a, f, arg);
}
int __wrap_pthread_join(pthread_t t, void** r) { return ricciflow_old_pthread_join(t, r); }
int __wrap_pthread_detach(pthread_t t) { return ricciflow_old_pthread_detach(t); }
int __wrap_pthread_once(pthread_once_t* o, void (*f)(void)) { return ricciflow_old_pthread_once(o, f); }
int __wrap_pthread_key_create(pthread_key_t* k, void (*d)(void*)) { return ricciflow_old_pthread_key_create(k, d); }
int __wrap___pthread_key_create(pthread_key_t* k, void (*d)(void*)) { return ricciflow_old___pthread_key_create(k, d); }
int __wrap_pthread_key_delete(pthread_key_t k) { return ricciflow_old_pthread_key_delete(k); }
void* __wrap_pthread_getspecific(pthread_key_t k) { return ricciflow_old_pthread_getspecific(k); }
int __wrap_pthread_setspecific(pthread_key_t k, const void* v) { return ricciflow_old_pthread_setspecific(k, v); }
double __wrap_exp(double x) { return ricciflow_old_exp(x); }
double __wrap_exp2(double x) { return ricciflow_old_exp2(x); }
double __wrap_log(double x) { return ricciflow_old_log(x); }
double __wrap_log2(double x) { return ricciflow_old_log2(x); }
double __wrap_pow(double x, double y) { return ricciflow_old_pow(x, y); }

// std::condition_variable::wait_for/wait_until on steady_clock call pthread_cond_clockwait
// (GLIBC_2.34). Same wait through pthread_cond_timedwait (GLIBC_2.3.2 / 2.17): the deadline on
// `clock` becomes the same remaining time on CLOCK_REALTIME, the clock of a default-initialised
// condition (std::condition_variable's). A clock step during the wait can only shorten or lengthen
// that one wait; callers loop on their predicate, as with any timed wait.
int __wrap_pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m, clockid_t clock,
                                  const struct timespec* abstime) {
  if (abstime == nullptr || abstime->tv_nsec < 0 || abstime->tv_nsec >= 1000000000L) return EINVAL;
  if (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME) return EINVAL;
  struct timespec now_on_clock, now_real;
  clock_gettime(clock, &now_on_clock);
  clock_gettime(CLOCK_REALTIME, &now_real);
  long long rem_ns = (static_cast<long long>(abstime->tv_sec) - now_on_clock.tv_sec) * 1000000000LL +
                     (abstime->tv_nsec - now_on_clock.tv_nsec);
  if (rem_ns < 0) rem_ns = 0;
  struct timespec deadline;
  long long ns = now_real.tv_nsec + rem_ns % 1000000000LL;
  deadline.tv_sec = now_real.tv_sec + static_cast<time_t>(rem_ns / 1000000000LL + ns / 1000000000LL);
  deadline.tv_nsec = static_cast<long>(ns % 1000000000LL);
  return pthread_cond_timedwait(c, m, &deadline);
}

// 0: the process may be multi-threaded, so libstdc++ always uses atomic operations.
char __wrap___libc_single_threaded = 0;

uint32_t __wrap_arc4random(void) {
  uint32_t v = 0;
  if (ricciflow_old_getentropy(&v, sizeof v) == 0) return v;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t got = read(fd, &v, sizeof v);
    close(fd);
    if (got == static_cast<ssize_t>(sizeof v)) return v;
  }
  return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(&v) ^ static_cast<uintptr_t>(getpid()));
}

// ---- _dl_find_object --------------------------------------------------------------------------------
// Layout of glibc 2.35's struct dl_find_object on 64-bit targets (declared here so that the file also
// compiles against older glibc headers).
struct ricciflow_dl_find_object {
  unsigned long long dlfo_flags;
  void* dlfo_map_start;
  void* dlfo_map_end;
  struct link_map* dlfo_link_map;
  void* dlfo_eh_frame;
  unsigned long long reserved[7];
};

using find_object_fn = int (*)(void*, ricciflow_dl_find_object*);
static find_object_fn real_find_object = nullptr;
static bool real_find_object_checked = false;

__attribute__((constructor)) static void ricciflow_find_real_dl_find_object() {
  real_find_object_checked = true;
  // Tests force the fallback to check that exceptions still unwind without _dl_find_object.
  if (const char* e = getenv("RICCIFLOW_FORCE_FIND_OBJECT_FALLBACK"); e != nullptr && *e == '1') return;
  real_find_object = reinterpret_cast<find_object_fn>(ricciflow_old_dlvsym(RTLD_DEFAULT, "_dl_find_object", "GLIBC_2.35"));
}

struct FindState {
  uintptr_t pc;
  ricciflow_dl_find_object* out;
  bool found;
};

static int find_callback(struct dl_phdr_info* info, size_t, void* data) {
  auto* st = static_cast<FindState*>(data);
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  bool contains = false;
  const ElfW(Phdr)* eh = nullptr;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD) {
      uintptr_t start = info->dlpi_addr + ph.p_vaddr, end = start + ph.p_memsz;
      if (start < lo) lo = start;
      if (end > hi) hi = end;
      if (st->pc >= start && st->pc < end) contains = true;
    } else if (ph.p_type == PT_GNU_EH_FRAME) {
      eh = &ph;
    }
  }
  if (!contains) return 0;
  std::memset(st->out, 0, sizeof *st->out);
  st->out->dlfo_map_start = reinterpret_cast<void*>(lo);
  st->out->dlfo_map_end = reinterpret_cast<void*>(hi);
  st->out->dlfo_eh_frame = eh ? reinterpret_cast<void*>(info->dlpi_addr + eh->p_vaddr) : nullptr;
  st->found = true;
  return 1;
}

// The fallback alone, for the test below and for glibc < 2.35.
int ricciflow_find_object_fallback(void* pc, ricciflow_dl_find_object* out) {
  FindState st{reinterpret_cast<uintptr_t>(pc), out, false};
  dl_iterate_phdr(find_callback, &st);
  return st.found ? 0 : -1;
}

int __wrap__dl_find_object(void* pc, ricciflow_dl_find_object* out) {
  if (!real_find_object_checked) ricciflow_find_real_dl_find_object();
  if (real_find_object != nullptr) return real_find_object(pc, out);
  return ricciflow_find_object_fallback(pc, out);
}

// Self-check used by the tests through the addon (glibcCompat()): for a few code
// addresses, the fallback must give the eh_frame and mapping the real _dl_find_object gives.
// Returns the number of addresses compared, or -(index + 1) of the first mismatch; 0 when the
// running glibc has no _dl_find_object to compare with.
int ricciflow_check_find_object(void* const* pcs, int count) {
  if (!real_find_object_checked) ricciflow_find_real_dl_find_object();
  find_object_fn real = real_find_object;
  if (real == nullptr)
    real = reinterpret_cast<find_object_fn>(ricciflow_old_dlvsym(RTLD_DEFAULT, "_dl_find_object", "GLIBC_2.35"));
  if (real == nullptr) return 0;
  for (int i = 0; i < count; ++i) {
    ricciflow_dl_find_object a{}, b{};
    int ra = real(pcs[i], &a), rb = ricciflow_find_object_fallback(pcs[i], &b);
    if (ra != rb) return -(i + 1);
    // libgcc reads only dlfo_eh_frame; glibc's map bounds are page-rounded, ours are not.
    if (ra == 0 && a.dlfo_eh_frame != b.dlfo_eh_frame) return -(i + 1);
  }
  return count;
}

}  // extern "C"

#endif

#include <cstddef>  // defines __GLIBC__ on glibc systems
#if defined(RICCIFLOW_GLIBC_COMPAT) && defined(__linux__) && defined(__GLIBC__) && \
    (defined(__x86_64__) || defined(__aarch64__))
extern "C" int ricciflow_find_object_uses_fallback() { return real_find_object == nullptr ? 1 : 0; }
#endif
