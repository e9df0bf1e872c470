// Fuzz target: a pickle stream under the torch + numpy allow-lists (storages resolve to a fixed 4 KiB buffer),
// then the value described and walked as the checkpoint readers walk it.
import Foundation

private let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var allow = TorchPickle.allowList(file: "input.pkl") { _, _, _ in UnsafeRawBufferPointer(storage) }
    allow = allow.merged(with: NumpyPickle.allowList(file: "input.pkl"))
    guard let value = try? RestrictedUnpickler(data: bytes, file: "input.pkl", allowList: allow).load() else { return 0 }
    _ = value.description
    if case .object(let o) = value, let t = o.payload as? TorchTensorRef { _ = t.floats() }
    return 0
}
