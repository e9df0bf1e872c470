// ConfigError: a config.json field outside the range the model code can be built from. Checked when the file is
// loaded (UNetConfig / VAEConfig / CLIPTextConfig `validate`), so a bad value never reaches the layer code.

/// "<file>: key '<key>' = <value> is out of range (valid: <range>)", one line.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var key: String
    public var value: String
    public var valid: String

    public var description: String {
        "\(file): key '\(key)' = \(value) is out of range (valid: \(valid); hint: compare with the model's published config.json)"
    }

    /// Throws unless `value` lies in `range`.
    static func check(_ value: Int, _ range: ClosedRange<Int>, key: String, file: String) throws {
        guard range.contains(value) else {
            throw ConfigError(file: file, key: key, value: "\(value)", valid: "\(range.lowerBound)…\(range.upperBound)")
        }
    }

    /// Throws unless `value` is finite and lies in `range`.
    static func check(_ value: Float, _ range: ClosedRange<Float>, key: String, file: String) throws {
        guard value.isFinite, range.contains(value) else {
            throw ConfigError(file: file, key: key, value: "\(value)", valid: "\(range.lowerBound)…\(range.upperBound)")
        }
    }

    /// Throws unless `channels` splits into `parts` equal groups (GroupNorm groups, attention heads).
    static func checkDivides(_ channels: Int, by parts: Int, key: String, of what: String, file: String) throws {
        guard parts >= 1, channels % parts == 0 else {
            throw ConfigError(file: file, key: key, value: "\(parts)", valid: "a divisor of \(what) \(channels)")
        }
    }
}
