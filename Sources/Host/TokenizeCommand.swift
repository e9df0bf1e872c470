// `ldmprobe tokenize`: the 77 CLIP token ids the text encoder gets for each prompt, exactly as diffusers'
// pipeline tokenizes it (transformers' CLIPTokenizer, padding "max_length", truncation).
import ArgumentParser
import Foundation
import Tokenizer

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the CLIP token ids of prompts: one JSON array of 77 ids per prompt, one per line.",
        discussion: "With no TEXT arguments, reads one prompt per line from standard input.")

    @Option(help: "Model folder (diffusers layout with tokenizer/) or a folder holding vocab.json and merges.txt.")
    var model: String

    @Flag(help: "Print the token strings instead of ids.")
    var showTokens = false

    @Argument(help: "Prompts (each one argument).")
    var text: [String] = []

    func run() throws {
        let root = URL(fileURLWithPath: model)
        let sub = root.appendingPathComponent("tokenizer")
        let folder = FileManager.default.fileExists(atPath: sub.appendingPathComponent("vocab.json").path) ? sub : root
        let tokenizer = try CLIPTokenizer(folder: folder)
        var prompts = text
        if prompts.isEmpty {
            while let line = readLine(strippingNewline: true) { prompts.append(line) }
        }
        for prompt in prompts {
            let ids = tokenizer.encode(prompt)
            if showTokens {
                let strings = tokenizer.tokens(ids)
                let data = try JSONSerialization.data(withJSONObject: strings, options: [.withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("[" + ids.map(String.init).joined(separator: ",") + "]")
            }
        }
    }
}
