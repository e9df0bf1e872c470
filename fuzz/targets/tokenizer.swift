// Fuzz target: tokenizer files and a prompt. The input is vocab.json, a 0xFF 0x00 separator, merges.txt, another
// separator, then the prompt; a tokenizer that loads encodes the prompt into its 77-token window.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let (vocab, rest) = FuzzInput.split(bytes, at: [0xff, 0x00])
    let (merges, prompt) = rest.withUnsafeBytes { FuzzInput.split($0, at: [0xff, 0x00]) }
    let v = vocab.withUnsafeBytes { FuzzInput.file($0, name: "vocab.json") }
    let m = merges.withUnsafeBytes { FuzzInput.file($0, name: "merges.txt") }
    guard let t = try? CLIPTokenizer(vocabURL: URL(fileURLWithPath: v), mergesURL: URL(fileURLWithPath: m)) else { return 0 }
    let ids = t.encode(String(decoding: prompt, as: UTF8.self))
    // The invariant under test: every prompt fills exactly the window. A violation must crash, so libFuzzer keeps
    // the input (this is a fuzz harness, not product code; the product's tokenizer never traps).
    if ids.count != t.maxLength { fatalError("encode gave \(ids.count) ids, not \(t.maxLength)") }
    return 0
}
