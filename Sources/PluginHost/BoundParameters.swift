// PluginHost — a plugin's complete, validated parameter list, and its C form for create() (params.h).
import Foundation
import PluginABI

/// One parameter's value, host side.
public struct BoundValue: Sendable, Equatable {
    public var name: String
    public var type: ParamType
    public var isSet: Bool
    public var intValue: Int64
    public var floatValue: Double
    /// STRING/PATH/CHOICE value (paths resolved to absolute); the raw text for the other types.
    public var stringValue: String
}

/// The complete, validated parameter list for one plugin.
public struct BoundParameters: Sendable {
    public var plugin: String
    public var values: [BoundValue]

    public subscript(name: String) -> BoundValue? { values.first { $0.name == name } }

    /// Calls `body` with a C array of the values; their strings live until `body` returns.
    public func withCValues<R>(_ body: (UnsafePointer<ldmp_param_value>?, UInt32) throws -> R) rethrows -> R {
        var strings: [UnsafeMutablePointer<CChar>?] = []
        defer { strings.forEach { free($0) } }
        var cvalues: [ldmp_param_value] = []
        for v in values {
            let name = strdup(v.name)
            let text = strdup(v.stringValue)
            strings += [name, text]
            cvalues.append(ldmp_param_value(
                struct_size: UInt32(MemoryLayout<ldmp_param_value>.size), name: UnsafePointer(name),
                type: v.type.cValue.rawValue, is_set: v.isSet ? 1 : 0, int_value: v.intValue, float_value: v.floatValue,
                string_value: UnsafePointer(text)))
        }
        return try cvalues.withUnsafeBufferPointer { try body($0.isEmpty ? nil : $0.baseAddress, UInt32($0.count)) }
    }
}
