import CKeelKernels

/// Element-wise math with autograd: exp, log, sqrt, pow, abs, clamp, maximum/minimum, ReLU.
extension Tensor {
    /// eˣ; d/dx = eˣ.
    public func exp() -> Tensor {
        let y = Elementwise.map(self) { keel_vexp($0, $1, $2) }
        return Tensor.record(y, op: "exp", inputs: [self]) { g, _ in
            [Elementwise.zip(g, y, MultiplyFunction.self, op: "exp backward")]
        }
    }

    /// Natural logarithm; d/dx = 1/x.
    public func log() -> Tensor {
        let y = Elementwise.map(self) { keel_vlog($0, $1, $2) }
        return Tensor.record(y, op: "log", inputs: [self]) { g, _ in
            [Elementwise.zip(g, self, DivideFunction.self, op: "log backward")]
        }
    }

    /// √x; d/dx = 1/(2√x).
    public func sqrt() -> Tensor {
        let y = Elementwise.map(self, SqrtFunction.self)
        return Tensor.record(y, op: "sqrt", inputs: [self]) { g, _ in
            [Elementwise.zip(g, y, SqrtBackwardFunction.self, op: "sqrt backward")]
        }
    }

    /// xᵖ for a constant exponent; d/dx = p·xᵖ⁻¹.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 {
            let y = Elementwise.zip(self, self, MultiplyFunction.self, op: "pow")
            return Tensor.record(y, op: "pow", inputs: [self]) { g, _ in [g * self * 2] }
        }
        let y = Elementwise.zip(self, Tensor(exponent), PowerFunction.self, op: "pow")
        return Tensor.record(y, op: "pow", inputs: [self]) { g, _ in
            [g * Elementwise.zip(self, Tensor(exponent - 1), PowerFunction.self, op: "pow backward") * exponent]
        }
    }

    /// aᵇ element-wise with broadcasting; d/da = b·aᵇ⁻¹, d/db = aᵇ·ln a.
    public func pow(_ exponent: Tensor) -> Tensor {
        let y = Elementwise.zip(self, exponent, PowerFunction.self, op: "pow")
        return Tensor.record(y, op: "pow", inputs: [self, exponent]) { g, needs in
            [
                needs[0]
                    ? (g * exponent * Elementwise.zip(self, exponent - 1, PowerFunction.self, op: "pow backward"))
                        .sum(toShape: self.shape) : nil,
                needs[1] ? (g * y * Elementwise.map(self, LogFunction.self)).sum(toShape: exponent.shape) : nil,
            ]
        }
    }

    /// |x|; d/dx = sign(x) (0 at 0, as PyTorch).
    public func abs() -> Tensor {
        let y = Elementwise.map(self, AbsFunction.self)
        return Tensor.record(y, op: "abs", inputs: [self]) { g, _ in
            [Elementwise.zip(g, self, AbsBackwardFunction.self, op: "abs backward")]
        }
    }

    /// sign(x) ∈ {−1, 0, 1}; not differentiable (no gradient recorded).
    public func sign() -> Tensor { Elementwise.map(self, SignFunction.self) }

    /// max(0, x), NaN propagating; d/dx = 1 for x > 0, else 0 (the activation kernel).
    public func relu() -> Tensor { activation(.relu) }

    /// min(max(x, lower), upper); the gradient passes where lower ≤ x ≤ upper (as PyTorch's clamp).
    public func clamp(min lower: Float = -.infinity, max upper: Float = .infinity) -> Tensor {
        ensure(!(lower > upper), "clamp: min \(lower) is greater than max \(upper)")
        let y = Elementwise.zip(
            Elementwise.zip(self, Tensor(lower), MaximumFunction.self, op: "clamp"),
            Tensor(upper), MinimumFunction.self, op: "clamp")
        return Tensor.record(y, op: "clamp", inputs: [self]) { g, _ in
            let inside =
                Elementwise.zip(self, Tensor(lower), GreaterEqualFunction.self, op: "clamp backward")
                * Elementwise.zip(self, Tensor(upper), LessEqualFunction.self, op: "clamp backward")
            return [g * inside]
        }
    }
}

/// Element-wise maximum with broadcasting (NaN propagates). On ties the gradient is split evenly.
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
    let y = Elementwise.zip(a, b, MaximumFunction.self, op: "maximum")
    return Tensor.record(y, op: "maximum", inputs: [a, b]) { g, needs in
        [
            needs[0] ? (g * Elementwise.zip(a, b, SelectFirstFunction.self, op: "maximum")).sum(toShape: a.shape) : nil,
            needs[1] ? (g * Elementwise.zip(b, a, SelectFirstFunction.self, op: "maximum")).sum(toShape: b.shape) : nil,
        ]
    }
}

/// Element-wise minimum with broadcasting (NaN propagates). On ties the gradient is split evenly.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
    let y = Elementwise.zip(a, b, MinimumFunction.self, op: "minimum")
    return Tensor.record(y, op: "minimum", inputs: [a, b]) { g, needs in
        [
            needs[0] ? (g * Elementwise.zip(b, a, SelectFirstFunction.self, op: "minimum")).sum(toShape: a.shape) : nil,
            needs[1] ? (g * Elementwise.zip(a, b, SelectFirstFunction.self, op: "minimum")).sum(toShape: b.shape) : nil,
        ]
    }
}
