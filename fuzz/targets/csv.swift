// Fuzz target: a prompts CSV (prompts,seeds,prompt_inds) parsed into rows, in both text encodings.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    _ = try? PromptRow.parse(bytes, path: "input.csv")
    _ = try? PromptRow.parse(bytes, encoding: .latin1, path: "input.csv")
    return 0
}
