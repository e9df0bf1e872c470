// PluginHost — `name[:key=value,key=value]` as the user types it (`--sampler ddim:eta=0.0`).
//
// The name may instead be a library path (it contains '/' or ends in .so/.dylib): `./libmine.so:k=v`.
// A ',' inside a value is written '\,'.
import Foundation

public struct PluginSpec: Equatable, Sendable {
    /// A plugin name, or a library path when `isPath`.
    public var name: String
    public var settings: [Setting]
    public var isPath: Bool

    public struct Setting: Equatable, Sendable {
        public var key: String
        public var value: String
    }

    public static func parse(_ text: String) throws -> PluginSpec {
        let (head, tail) = split(text)
        guard !head.isEmpty else { throw PluginError.badSpec(spec: text, reason: "empty plugin name") }
        let isPath = head.contains("/") || head.hasSuffix(".so") || head.hasSuffix(".dylib")
        var settings: [Setting] = []
        if let tail, !tail.isEmpty {
            for item in splitItems(tail) {
                guard let eq = item.firstIndex(of: "=") else {
                    throw PluginError.badSpec(spec: text, reason: "'\(item)' is not key=value")
                }
                let key = String(item[..<eq]).trimmingCharacters(in: .whitespaces)
                let value = String(item[item.index(after: eq)...])
                guard !key.isEmpty else { throw PluginError.badSpec(spec: text, reason: "empty key in '\(item)'") }
                guard !settings.contains(where: { $0.key == key }) else {
                    throw PluginError.badSpec(spec: text, reason: "'\(key)' given twice")
                }
                settings.append(Setting(key: key, value: value))
            }
        }
        return PluginSpec(name: head, settings: settings, isPath: isPath)
    }

    /// Splits the name (or path) from the settings.
    private static func split(_ text: String) -> (String, String?) {
        // A library path ends at ".so:" / ".dylib:" (so a path may hold ':' only in its settings).
        for suffix in [".so:", ".dylib:"] {
            if let r = text.range(of: suffix) {
                let head = String(text[..<text.index(before: r.upperBound)])
                if !head.contains("=") && !head.contains(",") { return (head, String(text[r.upperBound...])) }
            }
        }
        guard let colon = text.firstIndex(of: ":") else { return (text, nil) }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// Splits "a=1,b=x\,y" at unescaped commas.
    private static func splitItems(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var escaped = false
        for c in text {
            if escaped { current.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "," { items.append(current); current = ""; continue }
            current.append(c)
        }
        if escaped { current.append("\\") }
        items.append(current)
        return items.filter { !$0.isEmpty }
    }
}
