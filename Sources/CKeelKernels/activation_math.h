// Element-wise activation kernels, written once over a SIMD vector type and included by activations.c for
// each instruction-set level. Before including, define:
//   VF, VI      float and int vector types of W lanes (clang ext_vector_type)
//   W           lanes
//   TARGET      the function attribute selecting the instruction set (may be empty)
//   FN(name)    a suffixing macro giving each level its own symbol names
//   RECIP(v)    1/v (a hardware estimate refined by one Newton step where the level has one)
//
// Every transcendental is computed from exp (Cephes' reduction and polynomial), so results stay within a
// few ulp of the correctly rounded value; the formulas are the numerically stable forms (no overflow at
// ±1000, no NaN for finite input) and follow PyTorch's definitions and derivative conventions at kinks.

// ---------------------------------------------------------------------------------------------
// Primitives.

static inline TARGET VF FN(splat)(float v) { return (VF)v; }

static inline TARGET VF FN(vabs)(VF x) { return (VF)((VI)x & (VI)0x7FFFFFFF); }

/// e^x (Cephes expf) for the activations: x = n·ln2 + r, e^r by a degree-6 polynomial, times 2^n.
/// Inputs are clamped to [−87.3, 88.7] (results saturate at ≈1.2e−38 and ≈3.4e38 instead of 0 and ∞,
/// which no activation below can tell apart); NaN is handled once per activation, in the loops.
static inline TARGET VF FN(vexp)(VF x) {
    VF c = __builtin_elementwise_min(__builtin_elementwise_max(x, (VF)-87.3f), (VF)88.7f);
    VF n = __builtin_elementwise_roundeven(c * 1.44269504088896341f);
    VF r = c - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    VF p = (VF)1.9875691500E-4f;
    p = p * r + 1.3981999507E-3f;
    p = p * r + 8.3334519073E-3f;
    p = p * r + 4.1665795894E-2f;
    p = p * r + 1.6666665459E-1f;
    p = p * r + 5.0000001201E-1f;
    p = p * (r * r) + r + 1.0f;
    return p * (VF)((__builtin_convertvector(n, VI) + 127) << 23);
}

/// ln x for x ≥ 1 (Cephes logf; only used on arguments of the form 1 + u, u ≥ 0).
static inline TARGET VF FN(vlog_ge1)(VF x) {
    VI bits = (VI)x;
    VF e = __builtin_convertvector((bits >> 23) - 126, VF);
    VF m = (VF)((bits & 0x007FFFFF) | 0x3F000000);  // [0.5, 1)
    VI small = m < 0.707106781186547524f;
    m = small ? m + m : m;
    e = small ? e - 1.0f : e;
    VF f = m - 1.0f, z = f * f;
    VF p = (VF)7.0376836292E-2f;
    p = p * f - 1.1514610310E-1f;
    p = p * f + 1.1676998740E-1f;
    p = p * f - 1.2420140846E-1f;
    p = p * f + 1.4249322787E-1f;
    p = p * f - 1.6668057665E-1f;
    p = p * f + 2.0000714765E-1f;
    p = p * f - 2.4999993993E-1f;
    p = p * f + 3.3333331174E-1f;
    VF y = p * f * z + e * -2.12194440e-4f - 0.5f * z;
    return f + y + e * 0.693359375f;
}

/// ln(1 + u) for u ≥ 0, accurate for tiny u: ln w − ((w − 1) − u)/w with w = 1 + u.
static inline TARGET VF FN(vlog1p)(VF u) {
    VF w = u + 1.0f;
    VF y = FN(vlog_ge1)(w) - ((w - 1.0f) - u) * RECIP(w);
    return w == 1.0f ? u : y;
}

/// tanh x: Cephes' odd polynomial for |x| < 0.625, else 1 − 2/(e^{2|x|} + 1) with the sign of x.
static inline TARGET VF FN(vtanh)(VF x) {
    VF a = FN(vabs)(x);
    VF z = x * x;
    VF p = (VF)-5.70498872745E-3f;
    p = p * z + 2.06390887954E-2f;
    p = p * z - 5.37397155531E-2f;
    p = p * z + 1.33314422036E-1f;
    p = p * z - 3.33332819422E-1f;
    VF small = x + x * z * p;
    VF large = 1.0f - 2.0f * RECIP(FN(vexp)(a + a) + 1.0f);
    large = (VF)((VI)large | ((VI)x & (VI)0x80000000));
    return a < 0.625f ? small : large;
}

/// σ(x) = 1/(1 + e^−x), computed from e^−|x| so that it never overflows.
static inline TARGET VF FN(vsigmoid)(VF x) {
    VF e = FN(vexp)(-FN(vabs)(x));
    VF r = RECIP(1.0f + e);
    return x >= 0.0f ? r : e * r;
}

/// softplus(t) = max(t, 0) + ln(1 + e^−|t|).
static inline TARGET VF FN(vsoftplus)(VF t) {
    return __builtin_elementwise_max(t, (VF)0.0f) + FN(vlog1p)(FN(vexp)(-FN(vabs)(t)));
}

/// e^x − 1, accurate near 0 (a degree-8 Taylor polynomial for |x| < 0.5).
static inline TARGET VF FN(vexpm1)(VF x) {
    VF p = (VF)(1.0f / 40320.0f);
    p = p * x + 1.0f / 5040.0f;
    p = p * x + 1.0f / 720.0f;
    p = p * x + 1.0f / 120.0f;
    p = p * x + 1.0f / 24.0f;
    p = p * x + 1.0f / 6.0f;
    p = p * x + 0.5f;
    VF small = x + x * x * p;
    return FN(vabs)(x) < 0.5f ? small : FN(vexp)(x) - 1.0f;
}

/// erf x given e^{−x²} (shared with callers that need it too): Abramowitz–Stegun 7.1.26,
/// |error| ≤ 1.5e−7 (every use below multiplies it by x or adds it to 1, so this is within 1e−6 + 1e−5·|f|).
static inline TARGET VF FN(verf_given_exp)(VF x, VF expMinusSquare) {
    VF t = RECIP(1.0f + 0.3275911f * FN(vabs)(x));
    VF q = (VF)1.061405429f;
    q = q * t - 1.453152027f;
    q = q * t + 1.421413741f;
    q = q * t - 0.284496736f;
    q = q * t + 0.254829592f;
    VF y = 1.0f - q * t * expMinusSquare;
    return (VF)((VI)y | ((VI)x & (VI)0x80000000));
}

/// erf x.
static inline TARGET VF FN(verf)(VF x) { return FN(verf_given_exp)(x, FN(vexp)(-(x * x))); }

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
        return x * 0.5f * (1.0f + FN(vtanh)((x + x * x * x * GELU_TANH_KAPPA) * GELU_TANH_BETA));
    case KEEL_ACT_SILU: return x * FN(vsigmoid)(x);
    case KEEL_ACT_MISH: return x * FN(vtanh)(FN(vsoftplus)(x));
    case KEEL_ACT_HARDSIGMOID:
        return x <= -3.0f ? (VF)0.0f : (x >= 3.0f ? (VF)1.0f : x * (1.0f / 6.0f) + 0.5f);
    case KEEL_ACT_HARDSWISH:
        return x * __builtin_elementwise_min(__builtin_elementwise_max(x + 3.0f, (VF)0.0f), (VF)6.0f) * (1.0f / 6.0f);
    case KEEL_ACT_RELU6: return x < 0.0f ? (VF)0.0f : (x > 6.0f ? (VF)6.0f : x);
    case KEEL_ACT_SOFTSIGN: return x * RECIP(1.0f + FN(vabs)(x));
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
    case KEEL_ACT_TANH: return 1.0f - y * y;
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
        return 0.5f * (1.0f + FN(verf_given_exp)(x * INV_SQRT2, e)) + x * e * INV_SQRT_2PI;
    }
    case KEEL_ACT_GELU_TANH: {
        VF t = FN(vtanh)((x + x * x * x * GELU_TANH_KAPPA) * GELU_TANH_BETA);
        return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * GELU_TANH_BETA * (1.0f + 3.0f * GELU_TANH_KAPPA * x * x);
    }
    case KEEL_ACT_SILU: {
        VF s = FN(vsigmoid)(x);
        return s * (1.0f + x * (1.0f - s));
    }
    case KEEL_ACT_MISH: {
        VF t = FN(vtanh)(FN(vsoftplus)(x));
        return t + x * FN(vsigmoid)(x) * (1.0f - t * t);
    }
    case KEEL_ACT_HARDSIGMOID: return (x > -3.0f) & (x < 3.0f) ? (VF)(1.0f / 6.0f) : (VF)0.0f;
    case KEEL_ACT_HARDSWISH: return x <= -3.0f ? (VF)0.0f : (x >= 3.0f ? (VF)1.0f : x * (1.0f / 3.0f) + 0.5f);
    case KEEL_ACT_RELU6: return (x > 0.0f) & (x < 6.0f) ? (VF)1.0f : (VF)0.0f;
    case KEEL_ACT_SOFTSIGN: {
        VF r = RECIP(1.0f + FN(vabs)(x));
        return r * r;
    }
    case KEEL_ACT_LOGSIGMOID: {
        VF z = FN(vexp)(-FN(vabs)(x));
        VF r = z * RECIP(1.0f + z);
        return x < 0.0f ? 1.0f - r : r;
    }
    default: return (VF)1.0f;
    }
}

// ---------------------------------------------------------------------------------------------
// Array loops: whole vectors, then the tail through a padded vector.

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

static inline TARGET VF FN(load)(const float *p, long count) {
    VF v = (VF)0.0f;
    __builtin_memcpy(&v, p, (size_t)count * sizeof(float));
    return v;
}

static inline TARGET void FN(store)(float *p, VF v, long count) { __builtin_memcpy(p, &v, (size_t)count * sizeof(float)); }

#define KEEL_ACTIVATION_LOOPS(KIND)                                                                    \
    static TARGET void FN(forward_##KIND)(const float *x, float *y, long n, const float *p) {          \
        long i = 0;                                                                                    \
        for (; i + W <= n; i += W) FN(store)(y + i, FN(forward)(KIND, FN(load)(x + i, W), p), W);      \
        if (i < n) FN(store)(y + i, FN(forward)(KIND, FN(load)(x + i, n - i), p), n - i);             \
    }                                                                                                  \
    static TARGET void FN(backward_##KIND)(const float *x, const float *y, const float *g, float *dx,  \
                                           long n, const float *p) {                                   \
        long i = 0;                                                                                    \
        for (; i + W <= n; i += W)                                                                     \
            FN(store)(dx + i, FN(load)(g + i, W) * FN(derivative)(KIND, FN(load)(x + i, W),           \
                                                                 FN(load)(y + i, W), p), W);           \
        if (i < n)                                                                                     \
            FN(store)(dx + i, FN(load)(g + i, n - i) * FN(derivative)(KIND, FN(load)(x + i, n - i),   \
                                                                     FN(load)(y + i, n - i), p), n - i); \
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
