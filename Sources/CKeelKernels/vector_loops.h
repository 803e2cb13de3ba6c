// exp, log and sum over float arrays, written once over the vector type of simd_math.h (same macros) and
// compiled per instruction-set level by vector_math.c.

/// y[i] = f(x[i]) over whole vectors, the tail through a zero-padded one.
#define KEEL_MAP_ARRAY(NAME, F)                                                                         \
    static TARGET void FN(NAME)(const float *x, float *y, long n) {                                    \
        long i = 0;                                                                                     \
        for (; i + W <= n; i += W) FN(store_partial)(y + i, FN(F)(FN(load_partial)(x + i, W)), W);      \
        if (i < n) FN(store_partial)(y + i, FN(F)(FN(load_partial)(x + i, n - i)), n - i);             \
    }
KEEL_MAP_ARRAY(exp_array, vexp)
KEEL_MAP_ARRAY(log_array, vlog)
#undef KEEL_MAP_ARRAY

/// y[i] += x[i]: one IEEE addition per element, the same at every width.
static TARGET void FN(add_array)(const float *x, float *y, long n) {
    long i = 0;
    for (; i + W <= n; i += W) FN(store_partial)(y + i, FN(load_partial)(y + i, W) + FN(load_partial)(x + i, W), W);
    if (i < n) FN(store_partial)(y + i, FN(load_partial)(y + i, n - i) + FN(load_partial)(x + i, n - i), n - i);
}

/// Σ x[i] by one logical tree for every level: 64 lanes, lane j adding x[64·b + j] for b = 0, 1, … in order
/// (the last, partial block padded with +0), then the lanes folded in halves: lane j += lane j + 32,
/// then + 16, + 8, + 4, + 2, + 1. A level with W-lane registers keeps 64/W of them.
static TARGET float FN(sum_array)(const float *x, long n) {
    enum { R = 64 / W };
    VF acc[R];
    for (int r = 0; r < R; r++) acc[r] = (VF)0.0f;
    long i = 0;
    for (; i + 64 <= n; i += 64) {
        for (int r = 0; r < R; r++) {
            VF v;
            __builtin_memcpy(&v, x + i + r * W, sizeof(v));
            acc[r] = acc[r] + v;
        }
    }
    if (i < n) {
        for (int r = 0; r < R; r++) {
            long left = n - i - (long)r * W;
            left = left < 0 ? 0 : (left > W ? W : left);
            acc[r] = acc[r] + FN(load_partial)(x + i + r * W, left);
        }
    }
    for (int half = R / 2; half >= 1; half /= 2)
        for (int r = 0; r < half; r++) acc[r] = acc[r] + acc[r + half];
    float lanes[W];
    __builtin_memcpy(lanes, &acc[0], sizeof(lanes));
    for (int half = W / 2; half >= 1; half /= 2)
        for (int j = 0; j < half; j++) lanes[j] = lanes[j] + lanes[j + half];
    return lanes[0];
}
