/* A ticket-free test-and-set spinlock on Normal memory (load-acquire exclusive,
 * store-release; ARM ARM B2.9).
 *
 * A waiter sleeps in WFE with the lock word in its exclusive monitor: the holder's
 * releasing store clears the monitor, which is an event that wakes it (ARM ARM D1.6.1,
 * "Wait for Event", and B2.9.5 on the global monitor). Spinning on plain loads instead
 * keeps the waiting CPU busy; under emulation, where CPUs take turns on one host
 * thread, that busy turn is time the holder cannot run, so a wait could last a whole
 * round-robin period. */
#ifndef WV_LOCK_H
#define WV_LOCK_H
#include <stdint.h>

typedef struct { volatile uint32_t v; } wv_spinlock_t;

/* The lock word, read exclusively: 1 while taken. */
static inline uint32_t wv_lock_peek(wv_spinlock_t *l)
{
#if defined(__aarch64__)
    uint32_t v;
    __asm__ volatile("ldaxr %w0, [%1]" : "=&r"(v) : "r"(&l->v) : "memory");
    return v;
#else
    return __atomic_load_n(&l->v, __ATOMIC_RELAXED);
#endif
}

static inline void wv_lock_wait(void)
{
#if defined(__aarch64__)
    __asm__ volatile("wfe" ::: "memory");
#endif
}

static inline void wv_lock(wv_spinlock_t *l)
{
    while (__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE))
        while (wv_lock_peek(l)) wv_lock_wait();
}

/* Take the lock only if it is free: 1 when taken. */
static inline int wv_trylock(wv_spinlock_t *l)
{
    return !__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE);
}

static inline void wv_unlock(wv_spinlock_t *l)
{
    __atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
}

#endif
