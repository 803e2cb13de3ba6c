// Element-wise activation kernels, written once over a SIMD vector type and included by activations.c for
// each instruction-set level, after simd_math.h (same macros: VF, VI, W, TARGET, FN).
//
// Every transcendental is computed from simd_math.h's exp and log, so results stay within a few ulp of the
// correctly rounded value; the formulas are the numerically stable forms (no overflow at ±1000, no NaN for
// finite input, no cancellation in 1 − σ(x): it is computed as σ(−x)) and follow PyTorch's definitions and
// derivative conventions at kinks. Fused multiply-adds are explicit (FMA) and divisions exact, so every
// level gives the same bits.

// ---------------------------------------------------------------------------------------------
// Primitives.

/// ln(1 + u) for u ≥ 0, accurate for tiny u: ln w − ((w − 1) − u)/w with w = 1 + u.
static inline TARGET VF FN(vlog1p)(VF u) {
    VF w = u + 1.0f;
    VF y = FN(vlog)(w) - ((w - 1.0f) - u) / w;
    return w == 1.0f ? u : y;
}

/// tanh x: Cephes' odd polynomial for |x| < 0.625, else 1 − 2/(e^{2|x|} + 1) with the sign of x.
static inline TARGET VF FN(vtanh)(VF x) {
    VF a = FN(vabs)(x);
    VF z = x * x;
    VF p = (VF)-5.70498872745E-3f;
    p = FMA(p, z, 2.06390887954E-2f);
    p = FMA(p, z, -5.37397155531E-2f);
    p = FMA(p, z, 1.33314422036E-1f);
    p = FMA(p, z, -3.33332819422E-1f);
    VF small = FMA(x * z, p, x);
    VF large = FN(with_sign_of)(1.0f - 2.0f / (FN(vexp)(a + a) + 1.0f), x);
    return a < 0.625f ? small : large;
}

/// σ(x) = 1/(1 + e^−x) and σ(−x) = 1 − σ(x), both from e^−|x| (never overflows, never cancels).
typedef struct { VF positive, negative; } FN(sigmoid_pair);
static inline TARGET FN(sigmoid_pair) FN(vsigmoid2)(VF x) {
    VF e = FN(vexp)(-FN(vabs)(x));
    VF r = 1.0f / (1.0f + e), er = e * r;
    VI nonnegative = x >= 0.0f;
    FN(sigmoid_pair) s = {nonnegative ? r : er, nonnegative ? er : r};
    return s;
}

static inline TARGET VF FN(vsigmoid)(VF x) { return FN(vsigmoid2)(x).positive; }

/// softplus(t) = max(t, 0) + ln(1 + e^−|t|).
static inline TARGET VF FN(vsoftplus)(VF t) {
    return __builtin_elementwise_max(t, (VF)0.0f) + FN(vlog1p)(FN(vexp)(-FN(vabs)(t)));
}

/// e^x − 1, accurate near 0 (a degree-8 Taylor polynomial for |x| < 0.5).
static inline TARGET VF FN(vexpm1)(VF x) {
    VF p = (VF)(1.0f / 40320.0f);
    p = FMA(p, x, 1.0f / 5040.0f);
    p = FMA(p, x, 1.0f / 720.0f);
    p = FMA(p, x, 1.0f / 120.0f);
    p = FMA(p, x, 1.0f / 24.0f);
    p = FMA(p, x, 1.0f / 6.0f);
    p = FMA(p, x, 0.5f);
    VF small = FMA(x * x, p, x);
    return FN(vabs)(x) < 0.5f ? small : FN(vexp)(x) - 1.0f;
}

/// erf x given e^{−x²} (shared with callers that need it too): Abramowitz–Stegun 7.1.26,
/// |error| ≤ 1.5e−7 (every use below multiplies it by x or adds it to 1, so this is within 1e−6 + 1e−5·|f|).
static inline TARGET VF FN(verf_given_exp)(VF x, VF expMinusSquare) {
    VF t = 1.0f / FMA(0.3275911f, FN(vabs)(x), 1.0f);
    VF q = (VF)1.061405429f;
    q = FMA(q, t, -1.453152027f);
    q = FMA(q, t, 1.421413741f);
    q = FMA(q, t, -0.284496736f);
    q = FMA(q, t, 0.254829592f);
    return FN(with_sign_of)(FMA(-(q * t), expMinusSquare, 1.0f), x);
}

// ---------------------------------------------------------------------------------------------
// f(x) and f′(x) per activation (parameters in p[]).

#ifndef SELU_ALPHA
#define SELU_ALPHA 1.6732632423543772848170429916717f
#define SELU_SCALE 1.0507009873554804934193349852946f
#define GELU_TANH_BETA 0.7978845608028654f  /* √(2/π) */
#define GELU_TANH_KAPPA 0.044715f
#define INV_SQRT2 0.70710678118654752f
#define INV_SQRT_2PI 0.3989422804014327f
#endif

static inline TARGET VF FN(forward1)(int kind, VF x, const float *p) {
    switch (kind) {
    case KEEL_ACT_IDENTITY: return x;
    case KEEL_ACT_SIGMOID: return FN(vsigmoid)(x);
    case KEEL_ACT_TANH: return FN(vtanh)(x);
    case KEEL_ACT_RELU: return x < 0.0f ? (VF)0.0f : x;
    case KEEL_ACT_LEAKY_RELU: return x > 0.0f ? x : x * p[0];
    case KEEL_ACT_SOFTPLUS: {
        VF t = x * p[0];
        return t > p[1] ? x : FN(vsoftplus)(t) / p[0];
    }
    case KEEL_ACT_ELU: return x > 0.0f ? x : FN(vexpm1)(x) * p[0];
    case KEEL_ACT_SELU: return (x > 0.0f ? x : FN(vexpm1)(x) * SELU_ALPHA) * SELU_SCALE;
    case KEEL_ACT_CELU: return x > 0.0f ? x : FN(vexpm1)(x / p[0]) * p[0];
    case KEEL_ACT_GELU: return x * 0.5f * (1.0f + FN(verf_given_exp)(x * INV_SQRT2, FN(vexp)(x * x * -0.5f)));
    case KEEL_ACT_GELU_TANH:
        return x * 0.5f * (1.0f + FN(vtanh)(FMA(x * x * x, GELU_TANH_KAPPA, x) * GELU_TANH_BETA));
    case KEEL_ACT_SILU: return x * FN(vsigmoid)(x);
    case KEEL_ACT_MISH: return x * FN(vtanh)(FN(vsoftplus)(x));
    case KEEL_ACT_HARDSIGMOID:
        return x <= -3.0f ? (VF)0.0f : (x >= 3.0f ? (VF)1.0f : FMA(x, 1.0f / 6.0f, 0.5f));
    case KEEL_ACT_HARDSWISH:
        return x * __builtin_elementwise_min(__builtin_elementwise_max(x + 3.0f, (VF)0.0f), (VF)6.0f) / 6.0f;
    case KEEL_ACT_RELU6: return x < 0.0f ? (VF)0.0f : (x > 6.0f ? (VF)6.0f : x);
    case KEEL_ACT_SOFTSIGN: return x / (1.0f + FN(vabs)(x));
    case KEEL_ACT_LOGSIGMOID:
        return __builtin_elementwise_min(x, (VF)0.0f) - FN(vlog1p)(FN(vexp)(-FN(vabs)(x)));
    default: return x;
    }
}

/// f′(x) given x and y = f(x), with PyTorch's conventions at kinks.
static inline TARGET VF FN(derivative1)(int kind, VF x, VF y, const float *p) {
    switch (kind) {
    case KEEL_ACT_IDENTITY: return (VF)1.0f;
    case KEEL_ACT_SIGMOID: return y * (1.0f - y);
    case KEEL_ACT_TANH: return FMA(-y, y, 1.0f);
    case KEEL_ACT_RELU: return x > 0.0f ? (VF)1.0f : (VF)0.0f;
    case KEEL_ACT_LEAKY_RELU: return x > 0.0f ? (VF)1.0f : (VF)p[0];
    case KEEL_ACT_SOFTPLUS: {
        VF t = x * p[0];
        return t > p[1] ? (VF)1.0f : FN(vsigmoid)(t);
    }
    case KEEL_ACT_ELU: return x > 0.0f ? (VF)1.0f : FN(vexp)(x) * p[0];
    case KEEL_ACT_SELU: return x > 0.0f ? (VF)SELU_SCALE : FN(vexp)(x) * (SELU_SCALE * SELU_ALPHA);
    case KEEL_ACT_CELU: return x > 0.0f ? (VF)1.0f : FN(vexp)(x / p[0]);
    case KEEL_ACT_GELU: {
        // Φ(x) + x·φ(x); e^{−x²/2} serves both erf(x/√2) and φ.
        VF e = FN(vexp)(x * x * -0.5f);
        return FMA(x * e, INV_SQRT_2PI, 0.5f * (1.0f + FN(verf_given_exp)(x * INV_SQRT2, e)));
    }
    case KEEL_ACT_GELU_TANH: {
        VF t = FN(vtanh)(FMA(x * x * x, GELU_TANH_KAPPA, x) * GELU_TANH_BETA);
        VF inner = FMA((VF)(3.0f * GELU_TANH_KAPPA), x * x, 1.0f) * GELU_TANH_BETA;
        return FMA(0.5f * x * FMA(-t, t, 1.0f), inner, 0.5f * (1.0f + t));
    }
    case KEEL_ACT_SILU: {
        // σ(x)·(1 + x·σ(−x)): σ(−x) instead of 1 − σ(x), which cancels for large x.
        FN(sigmoid_pair) s = FN(vsigmoid2)(x);
        return s.positive * FMA(x, s.negative, 1.0f);
    }
    case KEEL_ACT_MISH: {
        VF t = FN(vtanh)(FN(vsoftplus)(x));
        return FMA(x * FN(vsigmoid)(x), FMA(-t, t, 1.0f), t);
    }
    case KEEL_ACT_HARDSIGMOID: return ((x > -3.0f) & (x < 3.0f)) ? (VF)(1.0f / 6.0f) : (VF)0.0f;
    case KEEL_ACT_HARDSWISH: return x <= -3.0f ? (VF)0.0f : (x >= 3.0f ? (VF)1.0f : x / 3.0f + 0.5f);
    case KEEL_ACT_RELU6: return ((x > 0.0f) & (x < 6.0f)) ? (VF)1.0f : (VF)0.0f;
    case KEEL_ACT_SOFTSIGN: {
        VF r = 1.0f / (1.0f + FN(vabs)(x));
        return r * r;
    }
    case KEEL_ACT_LOGSIGMOID: return FN(vsigmoid2)(x).negative;  // d/dx −softplus(−x) = σ(−x)
    default: return (VF)1.0f;
    }
}

// ---------------------------------------------------------------------------------------------
// Array loops: whole vectors, the tail through a zero-padded vector.

/// f(x), NaN in → NaN out.
static inline TARGET VF FN(forward)(int kind, VF x, const float *p) {
    VF y = FN(forward1)(kind, x, p);
    return x != x ? x : y;
}

/// f′(x), NaN in → NaN out.
static inline TARGET VF FN(derivative)(int kind, VF x, VF y, const float *p) {
    VF d = FN(derivative1)(kind, x, y, p);
    return x != x ? x : d;
}


#define KEEL_ACTIVATION_LOOPS(KIND)                                                                     \
    static TARGET void FN(forward_##KIND)(const float *x, float *y, long n, const float *p) {           \
        long i = 0;                                                                                     \
        for (; i + W <= n; i += W)                                                                      \
            FN(store_partial)(y + i, FN(forward)(KIND, FN(load_partial)(x + i, W), p), W);              \
        if (i < n) FN(store_partial)(y + i, FN(forward)(KIND, FN(load_partial)(x + i, n - i), p), n - i); \
    }                                                                                                   \
    static TARGET void FN(backward_##KIND)(const float *x, const float *y, const float *g, float *dx,   \
                                           long n, const float *p) {                                    \
        long i = 0;                                                                                     \
        for (; i + W <= n; i += W) {                                                                    \
            VF d = FN(derivative)(KIND, FN(load_partial)(x + i, W), FN(load_partial)(y + i, W), p);     \
            FN(store_partial)(dx + i, FN(load_partial)(g + i, W) * d, W);                               \
        }                                                                                               \
        if (i < n) {                                                                                    \
            VF d = FN(derivative)(KIND, FN(load_partial)(x + i, n - i), FN(load_partial)(y + i, n - i), p); \
            FN(store_partial)(dx + i, FN(load_partial)(g + i, n - i) * d, n - i);                       \
        }                                                                                               \
    }

KEEL_ACTIVATION_LOOPS(KEEL_ACT_IDENTITY)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_SIGMOID)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_TANH)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_RELU)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_LEAKY_RELU)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_SOFTPLUS)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_ELU)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_SELU)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_CELU)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_GELU)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_GELU_TANH)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_SILU)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_MISH)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_HARDSIGMOID)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_HARDSWISH)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_RELU6)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_SOFTSIGN)
KEEL_ACTIVATION_LOOPS(KEEL_ACT_LOGSIGMOID)

typedef void (*FN(forward_fn))(const float *, float *, long, const float *);
typedef void (*FN(backward_fn))(const float *, const float *, const float *, float *, long, const float *);

static const FN(forward_fn) FN(forward_table)[KEEL_ACT_COUNT] = {
    FN(forward_KEEL_ACT_IDENTITY), FN(forward_KEEL_ACT_SIGMOID), FN(forward_KEEL_ACT_TANH),
    FN(forward_KEEL_ACT_RELU), FN(forward_KEEL_ACT_LEAKY_RELU), FN(forward_KEEL_ACT_SOFTPLUS),
    FN(forward_KEEL_ACT_ELU), FN(forward_KEEL_ACT_SELU), FN(forward_KEEL_ACT_CELU), FN(forward_KEEL_ACT_GELU),
    FN(forward_KEEL_ACT_GELU_TANH), FN(forward_KEEL_ACT_SILU), FN(forward_KEEL_ACT_MISH),
    FN(forward_KEEL_ACT_HARDSIGMOID), FN(forward_KEEL_ACT_HARDSWISH), FN(forward_KEEL_ACT_RELU6),
    FN(forward_KEEL_ACT_SOFTSIGN), FN(forward_KEEL_ACT_LOGSIGMOID),
};

static const FN(backward_fn) FN(backward_table)[KEEL_ACT_COUNT] = {
    FN(backward_KEEL_ACT_IDENTITY), FN(backward_KEEL_ACT_SIGMOID), FN(backward_KEEL_ACT_TANH),
    FN(backward_KEEL_ACT_RELU), FN(backward_KEEL_ACT_LEAKY_RELU), FN(backward_KEEL_ACT_SOFTPLUS),
    FN(backward_KEEL_ACT_ELU), FN(backward_KEEL_ACT_SELU), FN(backward_KEEL_ACT_CELU), FN(backward_KEEL_ACT_GELU),
    FN(backward_KEEL_ACT_GELU_TANH), FN(backward_KEEL_ACT_SILU), FN(backward_KEEL_ACT_MISH),
    FN(backward_KEEL_ACT_HARDSIGMOID), FN(backward_KEEL_ACT_HARDSWISH), FN(backward_KEEL_ACT_RELU6),
    FN(backward_KEEL_ACT_SOFTSIGN), FN(backward_KEEL_ACT_LOGSIGMOID),
};

#undef KEEL_ACTIVATION_LOOPS
