// The least-squares statistics as one vector (probe.h export_state/import_state, ABI 1.2), so that a sharded
// study sums them across processes: [pixels, Σy², moment (F), packed upper Gram (F(F+1)/2)], F = C (+1 with
// bias). Importing adds, so a fresh probe that imports a vector holds exactly the exporter's statistics.
import PluginKit

extension LeastSquaresStats {
    /// 2 + F + F(F+1)/2 doubles.
    var stateCount: Int { 2 + features + gram.count }

    var state: [Double] { [pixels, targetSquares] + moment + gram }

    mutating func add(state s: UnsafeBufferPointer<Double>) throws {
        guard s.count == stateCount else {
            throw PluginKitError.invalidArgument("linear: import_state got \(s.count) values, this probe's statistics have \(stateCount) (hint: the same channels and bias on both sides)")
        }
        pixels += s[0]
        targetSquares += s[1]
        for i in 0..<features { moment[i] += s[2 + i] }
        let g = 2 + features
        for i in 0..<gram.count { gram[i] += s[g + i] }
    }
}

extension LinearProbe {
    /// Only fit=lstsq keeps statistics; Adam keeps its examples.
    func checkStateful(_ function: String) throws {
        guard config.fit == .lstsq else {
            throw PluginKitError.unsupported("linear: \(function) needs fit=lstsq (Adam keeps every example, not statistics)")
        }
    }
}
