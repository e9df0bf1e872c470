// PluginHost — host->json_number / json_string / json_numbers (host.h): a C plugin reads its scheduler config
// by key without a JSON parser of its own.
//
// NOT_FOUND (NULL text, missing key, null value) is returned without a message: the plugin takes its default.
// Every other failure reports one line naming the key, what it holds and what was wanted.
import Foundation
import PluginABI

enum HostJSON {
    private static var ok: Int32 { Int32(bitPattern: LDMP_OK.rawValue) }
    private static var notFound: Int32 { Int32(bitPattern: LDMP_ERR_NOT_FOUND.rawValue) }

    private static func invalid(_ host: UnsafePointer<ldmp_host>?, _ message: String) -> Int32 {
        HostServices.setLastError("\(HostServices.name(of: host)): \(message)")
        return Int32(bitPattern: LDMP_ERR_INVALID_ARGUMENT.rawValue)
    }

    /// The value at `key`, or a status: notFound, or invalid (reported) when the text is not a JSON object.
    private static func value(_ host: UnsafePointer<ldmp_host>?, _ json: UnsafePointer<CChar>?,
                              _ key: UnsafePointer<CChar>?) -> Result<(String, Any), StatusCode> {
        guard let key else { return .failure(StatusCode(invalid(host, "json: key is NULL"))) }
        let k = String(cString: key)
        guard let json else { return .failure(StatusCode(notFound)) }
        let data = Data(bytes: json, count: strlen(json))
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            return .failure(StatusCode(invalid(host, "scheduler config: not a JSON object (while reading '\(k)')")))
        }
        guard let v = object[k], !(v is NSNull) else { return .failure(StatusCode(notFound)) }
        return .success((k, v))
    }

    /// A JSON number or bool as Double; nil for anything else.
    private static func asNumber(_ v: Any) -> Double? {
        (v as? NSNumber)?.doubleValue  // true/false arrive as NSNumber 1/0
    }

    private static func describe(_ v: Any) -> String {
        if v is String { return "a string" }
        if v is [Any] { return "an array" }
        if v is [String: Any] { return "an object" }
        return "a number"
    }

    /// The value at `key` as `convert` makes it, or the status to return (reported unless NOT_FOUND).
    private static func typed<T>(_ host: UnsafePointer<ldmp_host>?, _ json: UnsafePointer<CChar>?,
                                 _ key: UnsafePointer<CChar>?, _ expected: String,
                                 _ convert: (Any) -> T?) -> Result<(String, T), StatusCode> {
        value(host, json, key).flatMap { k, v in
            guard let t = convert(v) else {
                let why = "scheduler config key '\(k)' is \(describe(v)), expected \(expected)"
                return .failure(StatusCode(invalid(host, why)))
            }
            return .success((k, t))
        }
    }

    static func number(_ host: UnsafePointer<ldmp_host>?, _ json: UnsafePointer<CChar>?,
                       _ key: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
        switch typed(host, json, key, "a number", asNumber) {
        case .failure(let s): return s.status
        case .success(let (_, d)):
            out?.pointee = d
            return ok
        }
    }

    static func string(_ host: UnsafePointer<ldmp_host>?, _ json: UnsafePointer<CChar>?, _ key: UnsafePointer<CChar>?,
                       _ buf: UnsafeMutablePointer<CChar>?, _ capacity: UInt64,
                       _ length: UnsafeMutablePointer<UInt64>?) -> Int32 {
        switch typed(host, json, key, "a string", { $0 as? String }) {
        case .failure(let s): return s.status
        case .success(let (k, str)):
            let utf8 = Array(str.utf8)
            length?.pointee = UInt64(utf8.count)
            guard let buf else { return ok }
            guard UInt64(utf8.count) < capacity else {
                return invalid(host, "scheduler config key '\(k)': string of \(utf8.count) bytes does not fit a "
                               + "buffer of \(capacity) (hint: pass buf NULL to ask the length)")
            }
            for (i, b) in utf8.enumerated() { buf[i] = CChar(bitPattern: b) }
            buf[utf8.count] = 0
            return ok
        }
    }

    static func numbers(_ host: UnsafePointer<ldmp_host>?, _ json: UnsafePointer<CChar>?, _ key: UnsafePointer<CChar>?,
                        _ out: UnsafeMutablePointer<Double>?, _ capacity: UInt64,
                        _ count: UnsafeMutablePointer<UInt64>?) -> Int32 {
        switch typed(host, json, key, "an array of numbers", { $0 as? [Any] }) {
        case .failure(let s): return s.status
        case .success(let (k, array)):
            var values: [Double] = []
            for (i, e) in array.enumerated() {
                guard let d = asNumber(e) else {
                    return invalid(host, "scheduler config key '\(k)': element \(i) is \(describe(e)), expected a number")
                }
                values.append(d)
            }
            count?.pointee = UInt64(values.count)
            guard let out else { return ok }
            guard UInt64(values.count) <= capacity else {
                return invalid(host, "scheduler config key '\(k)': \(values.count) numbers do not fit a buffer of "
                               + "\(capacity) (hint: pass out NULL to ask the count)")
            }
            for (i, d) in values.enumerated() { out[i] = d }
            return ok
        }
    }

    struct StatusCode: Error {
        var status: Int32
        init(_ s: Int32) { status = s }
    }
}
