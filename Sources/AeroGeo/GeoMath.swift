/// Sine and cosine for the circle test, written here because the module uses only the Swift
/// standard library (which has no trigonometry). Arguments are reduced to [-pi/4, pi/4] by
/// multiples of pi/2 (Cody-Waite, pi/2 split in two parts) and evaluated with Taylor
/// polynomials whose first omitted term is below 1e-17 there: results are within a few ulps of
/// libm for the arguments used here (|x| <= a few pi); far larger arguments lose precision.
enum GeoMath {
    static let pi = 3.141592653589793
    static let radiansPerDegree = pi / 180

    private static let piOver2Hi = 1.5707963267948966
    private static let piOver2Lo = 6.123233995736766e-17

    // Taylor coefficients: (-1)^k / (2k+1)! and (-1)^k / (2k)!.
    private static let sinCoefficients: [Double] = [
        1, -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800, 1.0 / 6227020800,
        -1.0 / 1307674368000, 1.0 / 355687428096000,
    ]
    private static let cosCoefficients: [Double] = [
        1, -1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800, 1.0 / 479001600,
        -1.0 / 87178291200, 1.0 / 20922789888000,
    ]

    private static func horner(_ c: [Double], _ x2: Double) -> Double {
        var acc = 0.0
        for k in c.indices.reversed() { acc = acc * x2 + c[k] }
        return acc
    }

    private static func sinKernel(_ r: Double) -> Double { r * horner(sinCoefficients, r * r) }
    private static func cosKernel(_ r: Double) -> Double { horner(cosCoefficients, r * r) }

    /// x = r + q * pi/2 with |r| <= pi/4; returns r and q mod 4.
    private static func reduce(_ x: Double) -> (r: Double, quadrant: Int) {
        let q = (x / piOver2Hi).rounded()
        let r = (x - q * piOver2Hi) - q * piOver2Lo
        let qi = Int(q) & 3  // two's complement: -1 & 3 == 3
        return (r, qi)
    }

    static func sin(_ x: Double) -> Double {
        guard x.isFinite else { return .nan }
        let (r, q) = reduce(x)
        switch q {
        case 0: return sinKernel(r)
        case 1: return cosKernel(r)
        case 2: return -sinKernel(r)
        default: return -cosKernel(r)
        }
    }

    static func cos(_ x: Double) -> Double {
        guard x.isFinite else { return .nan }
        let (r, q) = reduce(x)
        switch q {
        case 0: return cosKernel(r)
        case 1: return -sinKernel(r)
        case 2: return -cosKernel(r)
        default: return sinKernel(r)
        }
    }
}
