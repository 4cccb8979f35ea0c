/* A ticket-free test-and-set spinlock on Normal memory (load-acquire exclusive,
 * store-release; ARM ARM B2.9). */
#ifndef WV_LOCK_H
#define WV_LOCK_H
#include <stdint.h>

typedef struct { volatile uint32_t v; } wv_spinlock_t;

static inline void wv_lock(wv_spinlock_t *l)
{
    while (__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->v, __ATOMIC_RELAXED)) { }
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
