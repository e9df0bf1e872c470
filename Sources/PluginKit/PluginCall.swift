// PluginKit — wrap every vtable function body so that Swift errors cross the ABI as status + message.
//
//     step: { sampler, call, eps, x, noise, prev, x0 in
//         PluginCall.run {
//             let s = try InstanceBox.object(sampler, as: DDIM.self)
//             try s.step(...)
//         }
//     }
//
// `run` returns LDMP_OK, or reports the thrown error through the host (report_error) and returns its status.
// Never let a Swift error or trap escape into C: validate inputs and throw instead.
import PluginABI

public enum PluginCall {
    /// Runs `body`; on a thrown error reports it through `host` (or `LDMHost.current` when nil) and returns
    /// its status code.
    public static func run(_ host: UnsafePointer<ldmp_host>? = nil, _ body: () throws -> Void) -> Int32 {
        do {
            try body()
            return LDMP_OK.code
        } catch let error as PluginKitError {
            report(host, error.description)
            return error.status.code
        } catch {
            report(host, String(describing: error))
            return LDMP_ERR_INTERNAL.code
        }
    }

    private static func report(_ host: UnsafePointer<ldmp_host>?, _ message: String) {
        if let h = LDMHost(host) ?? LDMHost.current {
            h.reportError(message)
        }
    }
}
