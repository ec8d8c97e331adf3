// The C++ atomics of unmodified code: each of TSan's __tsan_atomic* entry
// points, wrapped at link time (-Wl,--wrap), is a scheduling point, then
// TSan's own. A load is one that may also show, under strategy controlled,
// a busy wait nothing can end (point_load()).
#include <sanitizer/tsan_interface_atomic.h>

#include "intercept.h"

#define RACELAB_TYPE(bits) __tsan_atomic##bits

#define RACELAB_ATOMIC_LOAD(bits, op)                                                                        \
  RACELAB_TYPE(bits) __real___tsan_atomic##bits##_##op(const volatile RACELAB_TYPE(bits)*, __tsan_memory_order); \
  RACELAB_TYPE(bits) __wrap___tsan_atomic##bits##_##op(const volatile RACELAB_TYPE(bits)* a, __tsan_memory_order mo) { \
    if (racelab::intercept::point_load(a)) racelab::intercept::spin_hang(RACELAB_SITE(), a);                      \
    return __real___tsan_atomic##bits##_##op(a, mo);                                                        \
  }

#define RACELAB_ATOMIC_STORE(bits, op)                                                                        \
  void __real___tsan_atomic##bits##_##op(volatile RACELAB_TYPE(bits)*, RACELAB_TYPE(bits), __tsan_memory_order); \
  void __wrap___tsan_atomic##bits##_##op(volatile RACELAB_TYPE(bits)* a, RACELAB_TYPE(bits) v,                 \
                                         __tsan_memory_order mo) {                                            \
    racelab::intercept::point();                                                                              \
    __real___tsan_atomic##bits##_##op(a, v, mo);                                                             \
  }

#define RACELAB_ATOMIC_RMW(bits, op)                                                                          \
  RACELAB_TYPE(bits) __real___tsan_atomic##bits##_##op(volatile RACELAB_TYPE(bits)*, RACELAB_TYPE(bits),      \
                                                       __tsan_memory_order);                                  \
  RACELAB_TYPE(bits) __wrap___tsan_atomic##bits##_##op(volatile RACELAB_TYPE(bits)* a, RACELAB_TYPE(bits) v,  \
                                                       __tsan_memory_order mo) {                              \
    racelab::intercept::point();                                                                              \
    return __real___tsan_atomic##bits##_##op(a, v, mo);                                                      \
  }

#define RACELAB_ATOMIC_CAS(bits, op)                                                                          \
  int __real___tsan_atomic##bits##_##op(volatile RACELAB_TYPE(bits)*, RACELAB_TYPE(bits)*, RACELAB_TYPE(bits), \
                                        __tsan_memory_order, __tsan_memory_order);                            \
  int __wrap___tsan_atomic##bits##_##op(volatile RACELAB_TYPE(bits)* a, RACELAB_TYPE(bits)* c,                \
                                        RACELAB_TYPE(bits) v, __tsan_memory_order mo,                         \
                                        __tsan_memory_order fail) {                                           \
    racelab::intercept::point();                                                                              \
    return __real___tsan_atomic##bits##_##op(a, c, v, mo, fail);                                             \
  }

#define RACELAB_ATOMIC_CASVAL(bits, op)                                                                       \
  RACELAB_TYPE(bits) __real___tsan_atomic##bits##_##op(volatile RACELAB_TYPE(bits)*, RACELAB_TYPE(bits),      \
                                                       RACELAB_TYPE(bits), __tsan_memory_order,               \
                                                       __tsan_memory_order);                                  \
  RACELAB_TYPE(bits) __wrap___tsan_atomic##bits##_##op(volatile RACELAB_TYPE(bits)* a, RACELAB_TYPE(bits) c,  \
                                                       RACELAB_TYPE(bits) v, __tsan_memory_order mo,          \
                                                       __tsan_memory_order fail) {                            \
    racelab::intercept::point();                                                                              \
    return __real___tsan_atomic##bits##_##op(a, c, v, mo, fail);                                             \
  }

#define RACELAB_ATOMIC_FENCE(op)                                                                              \
  void __real___tsan_atomic_##op(__tsan_memory_order);                                                        \
  void __wrap___tsan_atomic_##op(__tsan_memory_order mo) {                                                    \
    racelab::intercept::point();                                                                              \
    __real___tsan_atomic_##op(mo);                                                                            \
  }

extern "C" {
#include "atomic_entry_points.inc"
}
