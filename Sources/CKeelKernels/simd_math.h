// Element-wise math written once over clang vector types and compiled for each instruction-set level (see
// vector_math.c and activations.c). Before including, define:
//   VF, VI      float and int vector types of W lanes (ext_vector_type)
//   W           lanes
//   TARGET      the function attribute selecting the instruction set (may be empty)
//   FN(name)    a suffixing macro giving each level its own symbol names
//
// Bit-identical at every level: each lane goes through the same IEEE operations in the same order, every
// multiply-add that is fused is written as FMA (nothing is contracted implicitly: the including file says
// `#pragma clang fp contract(off)`), and divisions are true divisions (no reciprocal estimates).

#define FMA(a, b, c) __builtin_elementwise_fma((VF)(a), (VF)(b), (VF)(c))

#define KEEL_EXP_HI 88.72283935546875f    // above: +inf
#define KEEL_EXP_LO -103.97282409667969f  // below: 0
#define KEEL_SQRT_HALF 0.707106781186547524f
#define KEEL_LN2_HI 0.693359375f
#define KEEL_LN2_LO -2.12194440e-4f

static inline TARGET VF FN(vabs)(VF x) { return (VF)((VI)x & (VI)0x7FFFFFFF); }

/// Copies the sign bit of `s` onto `magnitude` (which must be non-negative).
static inline TARGET VF FN(with_sign_of)(VF magnitude, VF s) { return (VF)((VI)magnitude | ((VI)s & (VI)0x80000000)); }

/// e^x within 2 ulp over the whole float range (Cephes expf): x = n·ln 2 + r with |r| ≤ ln2/2 (ln 2 in two
/// parts), e^r by a degree-6 polynomial, then · 2^n in two exact halves so that subnormal results round once.
/// e^x = +inf above 88.72…, 0 below −103.97…, NaN stays NaN.
static inline TARGET VF FN(vexp)(VF x) {
    VF c = __builtin_elementwise_min(__builtin_elementwise_max(x, (VF)KEEL_EXP_LO), (VF)KEEL_EXP_HI);
    VF n = __builtin_elementwise_roundeven(c * 1.44269504088896341f);
    VF r = FMA(-n, KEEL_LN2_HI, c);
    r = FMA(-n, KEEL_LN2_LO, r);
    VF p = (VF)1.9875691500E-4f;
    p = FMA(p, r, 1.3981999507E-3f);
    p = FMA(p, r, 8.3334519073E-3f);
    p = FMA(p, r, 4.1665795894E-2f);
    p = FMA(p, r, 1.6666665459E-1f);
    p = FMA(p, r, 5.0000001201E-1f);
    p = FMA(p, r * r, r + 1.0f);
    VI ni = __builtin_convertvector(n, VI);
    VI n1 = ni >> 1, n2 = ni - n1;
    VF result = p * (VF)((n1 + 127) << 23) * (VF)((n2 + 127) << 23);
    result = x > KEEL_EXP_HI ? (VF)__builtin_inff() : result;
    result = x < KEEL_EXP_LO ? (VF)0.0f : result;
    return x != x ? x : result;
}

/// ln x within 2 ulp (Cephes logf): x = m·2^e with m in [√½, √2) (subnormals scaled by 2^23 first),
/// ln(1 + f) by a degree-9 polynomial, plus e·ln 2 in two parts. ln 0 = −inf, ln(x < 0) = NaN, ln ∞ = ∞.
static inline TARGET VF FN(vlog)(VF x) {
    VI tiny = x < 1.17549435e-38f;
    VF xs = tiny ? x * 8388608.0f : x;
    VI bits = (VI)xs;
    VF e = __builtin_convertvector((bits >> 23) - 126, VF);
    e = tiny ? e - 23.0f : e;
    VF m = (VF)((bits & 0x007FFFFF) | 0x3F000000);  // [0.5, 1)
    VI small = m < KEEL_SQRT_HALF;
    m = small ? m + m : m;
    e = small ? e - 1.0f : e;
    VF f = m - 1.0f, z = f * f;
    VF p = (VF)7.0376836292E-2f;
    p = FMA(p, f, -1.1514610310E-1f);
    p = FMA(p, f, 1.1676998740E-1f);
    p = FMA(p, f, -1.2420140846E-1f);
    p = FMA(p, f, 1.4249322787E-1f);
    p = FMA(p, f, -1.6668057665E-1f);
    p = FMA(p, f, 2.0000714765E-1f);
    p = FMA(p, f, -2.4999993993E-1f);
    p = FMA(p, f, 3.3333331174E-1f);
    VF y = p * f * z;
    y = FMA(e, KEEL_LN2_LO, y);
    y = FMA(-z, 0.5f, y);
    VF result = FMA(e, KEEL_LN2_HI, f + y);
    result = x == __builtin_inff() ? x : result;
    result = x == 0.0f ? (VF)-__builtin_inff() : result;
    result = x < 0.0f ? (VF)__builtin_nanf("") : result;
    return x != x ? x : result;
}

/// The first `count` (≤ W) floats at p, the other lanes 0.
static inline TARGET VF FN(load_partial)(const float *p, long count) {
    VF v = (VF)0.0f;
    __builtin_memcpy(&v, p, (size_t)count * sizeof(float));
    return v;
}

static inline TARGET void FN(store_partial)(float *p, VF v, long count) {
    __builtin_memcpy(p, &v, (size_t)count * sizeof(float));
}
