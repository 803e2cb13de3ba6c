// Batch normalization's per-channel loops, written once and compiled per instruction-set level by batch_norm.c.
// A channel is `rows` rows of `inner` floats, `stride` floats apart (NCHW: rows = N, stride = C·H·W, inner = H·W).
// Sums run in double precision over 16 lanes — lane j takes elements 16·b + j of each row, in row order; a row's
// tail goes to lanes 0… — folded in halves at the end: one order for every level, so every level gives the same
// bits (nothing is contracted: batch_norm.c says `fp contract(off)`).

static TARGET void FN(bn_fold)(const keel_bn_vd8 *a, const keel_bn_vd8 *b, double *out) {
    double lanes[16];
    __builtin_memcpy(lanes, a, sizeof(*a));
    __builtin_memcpy(lanes + 8, b, sizeof(*b));
    for (int half = 8; half >= 1; half /= 2)
        for (int j = 0; j < half; j++) lanes[j] = lanes[j] + lanes[j + half];
    *out = lanes[0];
}

/// Σ (x − c) and Σ (x − c)² over the channel.
static TARGET void FN(bn_moments)(const float *x, long rows, long stride, long inner, double c, double *sum, double *squares) {
    keel_bn_vd8 s0 = 0, s1 = 0, q0 = 0, q1 = 0;
    const keel_bn_vd8 center = c;
    for (long r = 0; r < rows; r++) {
        const float *row = x + r * stride;
        long i = 0;
        for (; i + 16 <= inner; i += 16) {
            keel_bn_vf8 a, b;
            __builtin_memcpy(&a, row + i, sizeof(a));
            __builtin_memcpy(&b, row + i + 8, sizeof(b));
            keel_bn_vd8 da = __builtin_convertvector(a, keel_bn_vd8) - center;
            keel_bn_vd8 db = __builtin_convertvector(b, keel_bn_vd8) - center;
            s0 = s0 + da;
            s1 = s1 + db;
            q0 = q0 + da * da;
            q1 = q1 + db * db;
        }
        for (int j = 0; i < inner; i++, j++) {
            double d = (double)row[i] - c;
            if (j < 8) {
                s0[j] = s0[j] + d;
                q0[j] = q0[j] + d * d;
            } else {
                s1[j - 8] = s1[j - 8] + d;
                q1[j - 8] = q1[j - 8] + d * d;
            }
        }
    }
    FN(bn_fold)(&s0, &s1, sum);
    FN(bn_fold)(&q0, &q1, squares);
}

/// dy · ReLU′(v) as the ReLU's own backward computes it: dy · 1 where v > 0, dy · 0 elsewhere, NaN where v is NaN —
/// v the fused ReLU's input, recomputed from x exactly as the forward pass computed it (a macro, so that the 8-float
/// vectors are never passed by value at the portable level).
#define KEEL_BN_RELU_GATE(g, v) ((g) * ((v) != (v) ? (v) : ((v) > 0.0f ? 1.0f : 0.0f)))
#define KEEL_BN_RELU_GATE8(g, v) \
    ((g) * ((v) != (v) ? (v) : ((v) > 0.0f ? (keel_bn_vf8)1.0f : (keel_bn_vf8)0.0f)))

/// Σ dy and Σ dy · x̂ over the channel, x̂ = (x − mean) · invstd in single precision; with `relu`, dy is first gated by
/// ReLU′ at v = (x − mean) · reluScale + reluShift (the forward's normalization).
static TARGET void FN(bn_gradient_sums)(
    const float *dy, const float *x, long rows, long stride, long inner, float mean, float invstd, int relu,
    float reluScale, float reluShift, double *sumDy, double *sumDyXhat) {
    keel_bn_vd8 s0 = 0, s1 = 0, p0 = 0, p1 = 0;
    for (long r = 0; r < rows; r++) {
        const float *row = x + r * stride, *g = dy + r * stride;
        long i = 0;
        for (; i + 16 <= inner; i += 16) {
            keel_bn_vf8 xa, xb, ga, gb;
            __builtin_memcpy(&xa, row + i, sizeof(xa));
            __builtin_memcpy(&xb, row + i + 8, sizeof(xb));
            __builtin_memcpy(&ga, g + i, sizeof(ga));
            __builtin_memcpy(&gb, g + i + 8, sizeof(gb));
            if (relu) {
                const keel_bn_vf8 va = (xa - mean) * reluScale + reluShift, vb = (xb - mean) * reluScale + reluShift;
                ga = KEEL_BN_RELU_GATE8(ga, va);
                gb = KEEL_BN_RELU_GATE8(gb, vb);
            }
            keel_bn_vd8 da = __builtin_convertvector(ga, keel_bn_vd8), db = __builtin_convertvector(gb, keel_bn_vd8);
            keel_bn_vd8 ha = __builtin_convertvector((xa - mean) * invstd, keel_bn_vd8);
            keel_bn_vd8 hb = __builtin_convertvector((xb - mean) * invstd, keel_bn_vd8);
            s0 = s0 + da;
            s1 = s1 + db;
            p0 = p0 + da * ha;
            p1 = p1 + db * hb;
        }
        for (int j = 0; i < inner; i++, j++) {
            const float v = (row[i] - mean) * reluScale + reluShift;
            double d = (double)(relu ? KEEL_BN_RELU_GATE(g[i], v) : g[i]), h = (double)((row[i] - mean) * invstd);
            if (j < 8) {
                s0[j] = s0[j] + d;
                p0[j] = p0[j] + d * h;
            } else {
                s1[j - 8] = s1[j - 8] + d;
                p1[j - 8] = p1[j - 8] + d * h;
            }
        }
    }
    FN(bn_fold)(&s0, &s1, sumDy);
    FN(bn_fold)(&p0, &p1, sumDyXhat);
}

/// y = (x − mean) · scale + shift over the channel, then ReLU (v < 0 ? 0 : v, as the ReLU's own) when `relu`.
static TARGET void FN(bn_normalize)(
    const float *x, float *y, long rows, long stride, long inner, float mean, float scale, float shift, int relu) {
    for (long r = 0; r < rows; r++) {
        const float *row = x + r * stride;
        float *out = y + r * stride;
        if (relu) {
            for (long i = 0; i < inner; i++) {
                const float v = (row[i] - mean) * scale + shift;
                out[i] = v < 0.0f ? 0.0f : v;
            }
        } else {
            for (long i = 0; i < inner; i++) out[i] = (row[i] - mean) * scale + shift;
        }
    }
}

/// dx = scale · (dy − meanDy − (x − mean) · invstd · meanDyXhat) over the channel; with `relu`, dy is first gated by
/// ReLU′ at v = (x − mean) · reluScale + reluShift.
static TARGET void FN(bn_input_gradient)(
    const float *dy, const float *x, float *dx, long rows, long stride, long inner, float mean, float invstd, float scale,
    float meanDy, float meanDyXhat, int relu, float reluScale, float reluShift) {
    for (long r = 0; r < rows; r++) {
        const float *row = x + r * stride, *g = dy + r * stride;
        float *out = dx + r * stride;
        if (relu) {
            for (long i = 0; i < inner; i++) {
                const float v = (row[i] - mean) * reluScale + reluShift;
                const float gi = KEEL_BN_RELU_GATE(g[i], v);
                out[i] = scale * (gi - meanDy - (row[i] - mean) * invstd * meanDyXhat);
            }
        } else {
            for (long i = 0; i < inner; i++) out[i] = scale * (g[i] - meanDy - (row[i] - mean) * invstd * meanDyXhat);
        }
    }
}
