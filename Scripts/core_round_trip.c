// Core-to-core round trip on this machine: two threads hand one cache line back and forth (release store, spin
// on an acquire load) 200,000 times and print the mean round trip. On a shared VM it tells which phase the
// vCPUs are in (near: tens of ns; far: hundreds), which moves every many-job benchmark (see docs/PERFORMANCE.md).
// Development tool only:  cc -O2 -o /tmp/core_round_trip Scripts/core_round_trip.c -lpthread && /tmp/core_round_trip
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

enum { ROUNDS = 200000 };
static _Atomic long turn __attribute__((aligned(64)));

static void wait_for(long value) {
    while (atomic_load_explicit(&turn, memory_order_acquire) != value) {
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
    }
}

static void *answer(void *unused) {
    (void)unused;
    for (long i = 0; i < ROUNDS; i++) {
        wait_for(2 * i + 1);
        atomic_store_explicit(&turn, 2 * i + 2, memory_order_release);
    }
    return NULL;
}

int main(void) {
    pthread_t other;
    if (pthread_create(&other, NULL, answer, NULL) != 0) return 1;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < ROUNDS; i++) {
        atomic_store_explicit(&turn, 2 * i + 1, memory_order_release);
        wait_for(2 * i + 2);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    pthread_join(other, NULL);
    const double ns = (double)(end.tv_sec - start.tv_sec) * 1e9 + (double)(end.tv_nsec - start.tv_nsec);
    printf("round trip %.0f ns\n", ns / ROUNDS);
    return 0;
}
