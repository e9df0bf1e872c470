// Fuzz target: a scheduler_config.json read with each sampler's defaults, then its β schedule computed.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let json = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    for (defaults, name) in [(SchedulerConfig.ddim, "ddim"), (.pndm, "pndm"), (.lms, "lms")] {
        guard let c = try? SchedulerConfig(json: json, defaults: defaults, sampler: name) else { continue }
        _ = try? BetaSchedule(config: c, sampler: name)
    }
    return 0
}
