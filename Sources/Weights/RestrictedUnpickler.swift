// RestrictedUnpickler: a pickle virtual machine that never imports or calls anything outside an allow-list given
// per use (torch tensors for .ckpt/.pth, plain numpy arrays for .pkl). A GLOBAL outside the list stops loading
// with an error naming it, before anything is built; opcodes that call arbitrary classes (INST, OBJ, EXT*) and
// out-of-band buffers are refused. Supports protocols 0–5 as written by torch.save and pickle.dump.

/// Which globals a pickle may name, and what calling them (REDUCE/NEWOBJ) or BUILD on their results does.
public struct PickleAllowList {
    public typealias Call = (_ args: [PickleValue]) throws -> PickleValue
    /// Globals allowed as plain values (e.g. storage classes named in persistent ids), "module.name".
    public var values: Set<String> = []
    /// Globals allowed as callables, with their implementation.
    public var calls: [String: Call] = [:]
    /// BUILD on an object made by an allowed call (e.g. numpy's ndarray.__setstate__).
    public var build: ((PickleObject, PickleValue) throws -> Void)?
    /// persistent_load for BINPERSID/PERSID (torch storages); nil refuses persistent ids.
    public var persistentLoad: ((PickleValue) throws -> PickleValue)?

    public init() {}

    /// Whether `global` may appear at all.
    public func allows(_ global: String) -> Bool { values.contains(global) || calls[global] != nil }

    /// Both lists together (later entries win).
    public func merged(with other: PickleAllowList) -> PickleAllowList {
        var m = self
        m.values.formUnion(other.values)
        m.calls.merge(other.calls) { _, new in new }
        if other.build != nil { m.build = other.build }
        if other.persistentLoad != nil { m.persistentLoad = other.persistentLoad }
        return m
    }
}

/// Runs one pickle stream under an allow-list.
public struct RestrictedUnpickler {
    /// Deepest container nesting accepted. Freeing or walking a value recurses once per level, so an input of
    /// nested tuples must not decide how deep; torch and numpy files nest fewer than ten levels.
    public static let maxDepth = 200

    private let data: UnsafeRawBufferPointer
    private let file: String
    private let allow: PickleAllowList

    /// `file` names the source in errors (for a zip member: "model.ckpt:archive/data.pkl").
    public init(data: UnsafeRawBufferPointer, file: String, allowList: PickleAllowList) {
        self.data = data
        self.file = file
        self.allow = allowList
    }

    /// Executes the stream up to STOP and returns the top of the stack.
    public func load() throws -> PickleValue {
        var stack: [PickleValue] = []
        // Nesting depth of each stack entry (lists and dicts keep theirs in the object, as they can grow).
        var depths: [Int] = []
        var marks: [Int] = []
        var memo: [Int: (value: PickleValue, depth: Int)] = [:]
        var pos = 0

        func fail(_ reason: String) -> WeightSourceError { .badPickle(file: file, reason: reason) }
        func need(_ n: Int) throws {
            guard n >= 0, pos + n <= data.count else { throw fail("truncated at byte \(pos)") }
        }
        func u8() throws -> Int { try need(1); defer { pos += 1 }; return Int(data[pos]) }
        func le(_ n: Int) throws -> UInt64 {
            try need(n)
            var v: UInt64 = 0
            for i in 0..<n { v |= UInt64(data[pos + i]) << (8 * UInt64(i)) }
            pos += n
            return v
        }
        func raw(_ n: Int) throws -> [UInt8] {
            try need(n)
            defer { pos += n }
            return Array(data[pos..<(pos + n)])
        }
        /// A length field of `n` bytes, checked against the bytes left before it becomes an Int.
        func length(_ n: Int) throws -> Int {
            let v = try le(n)
            guard v <= UInt64(data.count - pos) else {
                throw fail("length \(v) at byte \(pos - n) exceeds the \(data.count - pos) bytes left (truncated or corrupt)")
            }
            return Int(v)
        }
        func depth(_ v: PickleValue, _ recorded: Int) -> Int {
            switch v {
            case .list(let l): return l.nesting
            case .dict(let d): return d.nesting
            default: return recorded
            }
        }
        /// Depth of a container holding `items`; the items are sealed (pickle.dump never mutates a list or dict
        /// after nesting it, and refusing that keeps every recorded depth exact).
        func nest(_ items: [PickleValue], _ itemDepths: [Int]) throws -> Int {
            var d = 0
            for (v, r) in zip(items, itemDepths) {
                d = max(d, depth(v, r))
                if case .list(let l) = v { l.sealed = true }
                if case .dict(let x) = v { x.sealed = true }
            }
            guard d < Self.maxDepth else { throw fail("containers nested deeper than \(Self.maxDepth) levels at byte \(pos)") }
            return d + 1
        }
        func push(_ v: PickleValue, _ d: Int = 0) { stack.append(v); depths.append(d) }
        func push(_ vd: (PickleValue, Int)) { push(vd.0, vd.1) }
        /// A call's result at depth `d` (an OrderedDict built from its arguments records it in the dict).
        func made(_ v: PickleValue, _ d: Int) -> (PickleValue, Int) {
            if case .dict(let x) = v { x.nesting = max(x.nesting, d) }
            if case .list(let x) = v { x.nesting = max(x.nesting, d) }
            return (v, d)
        }
        func line() throws -> String {
            var end = pos
            while end < data.count, data[end] != 0x0a { end += 1 }
            guard end < data.count else { throw fail("unterminated text line at byte \(pos)") }
            let s = String(decoding: data[pos..<end], as: UTF8.self)
            pos = end + 1
            return s
        }
        func popD() throws -> (PickleValue, Int) {
            guard let v = stack.popLast(), let d = depths.popLast() else { throw fail("stack underflow at byte \(pos)") }
            if let m = marks.last, stack.count < m { throw fail("pop across a MARK at byte \(pos)") }
            return (v, d)
        }
        func pop() throws -> PickleValue { try popD().0 }
        func popMarkD() throws -> ([PickleValue], [Int]) {
            guard let m = marks.popLast(), m <= stack.count else { throw fail("no MARK at byte \(pos)") }
            let items = Array(stack[m...]), itemDepths = Array(depths[m...])
            stack.removeSubrange(m...)
            depths.removeSubrange(m...)
            return (items, itemDepths)
        }
        func popMark() throws -> [PickleValue] { try popMarkD().0 }
        /// Values popped together with their depth, as one container's items.
        func popItems(_ n: Int) throws -> (PickleValue, Int) {
            var items: [PickleValue] = [], ds: [Int] = []
            for _ in 0..<n { let (v, d) = try popD(); items.insert(v, at: 0); ds.insert(d, at: 0) }
            return (.tuple(items), try nest(items, ds))
        }
        func global(_ module: String, _ name: String) throws -> PickleValue {
            let full = module + "." + name
            guard allow.allows(full) else { throw WeightSourceError.forbiddenGlobal(file: file, global: full) }
            return .global(full)
        }
        func call(_ callable: PickleValue, _ args: PickleValue) throws -> PickleValue {
            guard case .global(let name) = callable, let fn = allow.calls[name] else {
                throw fail("call of \(callable), which is not an allowed callable")
            }
            guard let list = args.asTuple else { throw fail("arguments of \(name) are not a tuple") }
            return try fn(list)
        }
        func signedLE(_ bytes: [UInt8]) throws -> Int {
            guard bytes.count <= 8 else { throw fail("integer of \(bytes.count) bytes is too large") }
            if bytes.isEmpty { return 0 }
            var v: UInt64 = 0
            for (i, b) in bytes.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
            if bytes.count < 8, bytes.last! & 0x80 != 0 { v |= ~0 << (8 * UInt64(bytes.count)) }
            return Int(Int64(bitPattern: v))
        }
        func setItems(_ target: PickleValue, _ kv: [PickleValue], _ kvDepths: [Int]) throws {
            guard case .dict(let d) = target, kv.count % 2 == 0 else { throw fail("SETITEM(S) on a non-dict") }
            guard !d.sealed else { throw fail("SETITEM(S) on a dict already nested in another container at byte \(pos)") }
            d.nesting = max(d.nesting, try nest(kv, kvDepths))
            for i in stride(from: 0, to: kv.count, by: 2) { d.items.append((kv[i], kv[i + 1])) }
        }
        func append(_ target: PickleValue, _ items: [PickleValue], _ itemDepths: [Int]) throws {
            guard case .list(let l) = target else { throw fail("APPEND(S) on a non-list") }
            guard !l.sealed else { throw fail("APPEND(S) on a list already nested in another container at byte \(pos)") }
            l.nesting = max(l.nesting, try nest(items, itemDepths))
            l.items.append(contentsOf: items)
        }
        func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
        func latin1(_ bytes: [UInt8]) -> String { String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) })) }

        while true {
            let op = try u8()
            switch op {
            case 0x80: _ = try u8()                                   // PROTO
            case 0x95: _ = try le(8)                                  // FRAME
            case 0x2e:                                                // STOP
                guard let top = stack.last else { throw fail("empty stack at STOP") }
                return top
            case 0x28: marks.append(stack.count)                      // MARK
            case 0x30: _ = try pop()                                  // POP
            case 0x31: _ = try popMark()                              // POP_MARK
            case 0x32: guard let t = stack.last, let d = depths.last else { throw fail("DUP on empty stack") }; push(t, d)
            case 0x4e: push(.none)
            case 0x88: push(.bool(true))
            case 0x89: push(.bool(false))
            case 0x4a: push(.int(Int(Int32(truncatingIfNeeded: try le(4)))))   // BININT
            case 0x4b: push(.int(Int(try le(1))))                               // BININT1
            case 0x4d: push(.int(Int(try le(2))))                               // BININT2
            case 0x8a: push(.int(try signedLE(raw(try length(1)))))             // LONG1
            case 0x8b: push(.int(try signedLE(raw(try length(4)))))             // LONG4
            case 0x49:                                                                  // INT (text)
                let s = try line()
                if s == "00" { push(.bool(false)) } else if s == "01" { push(.bool(true)) }
                else { guard let v = Int(s) else { throw fail("bad INT '\(s)'") }; push(.int(v)) }
            case 0x4c:                                                                  // LONG (text)
                var s = try line()
                if s.hasSuffix("L") { s.removeLast() }
                guard let v = Int(s) else { throw fail("bad LONG '\(s)'") }
                push(.int(v))
            case 0x47: push(.float(Double(bitPattern: UInt64(bigEndian: try le(8)))))  // BINFLOAT
            case 0x46:
                let s = try line()
                guard let v = Double(s) else { throw fail("bad FLOAT '\(s)'") }
                push(.float(v))
            case 0x58: push(.string(text(try raw(try length(4)))))              // BINUNICODE
            case 0x8c: push(.string(text(try raw(try length(1)))))              // SHORT_BINUNICODE
            case 0x8d: push(.string(text(try raw(try length(8)))))              // BINUNICODE8
            case 0x54: push(.string(latin1(try raw(try length(4)))))            // BINSTRING (py2 str)
            case 0x55: push(.string(latin1(try raw(try length(1)))))            // SHORT_BINSTRING
            case 0x42: push(.bytes(try raw(try length(4))))                     // BINBYTES
            case 0x43: push(.bytes(try raw(try length(1))))                     // SHORT_BINBYTES
            case 0x8e, 0x96: push(.bytes(try raw(try length(8))))               // BINBYTES8, BYTEARRAY8
            case 0x7d: push(.dict(PickleDict()))                                // EMPTY_DICT
            case 0x5d: push(.list(PickleList()))                                // EMPTY_LIST
            case 0x29: push(.tuple([]))                                         // EMPTY_TUPLE
            case 0x8f: push(.set([]))                                           // EMPTY_SET
            case 0x74: let (items, ds) = try popMarkD(); push(.tuple(items), try nest(items, ds))   // TUPLE
            case 0x85: let (t, d) = try popItems(1); push(t, d)                         // TUPLE1
            case 0x86: let (t, d) = try popItems(2); push(t, d)                         // TUPLE2
            case 0x87: let (t, d) = try popItems(3); push(t, d)                         // TUPLE3
            case 0x6c:                                                                  // LIST
                let (items, ds) = try popMarkD()
                let l = PickleList(items)
                l.nesting = try nest(items, ds)
                push(.list(l))
            case 0x64:                                                                  // DICT
                let (kv, ds) = try popMarkD()
                let d = PickleValue.dict(PickleDict())
                try setItems(d, kv, ds)
                push(d)
            case 0x91: let (items, ds) = try popMarkD(); push(.set(items), try nest(items, ds))     // FROZENSET
            case 0x90:                                                                  // ADDITEMS
                let (items, ds) = try popMarkD()
                let (target, d) = try popD()
                guard case .set(var s) = target else { throw fail("ADDITEMS on a non-set") }
                s.append(contentsOf: items)
                push(.set(s), max(d, try nest(items, ds)))
            case 0x61:                                                                  // APPEND
                let (v, d) = try popD()
                guard let t = stack.last else { throw fail("APPEND") }
                try append(t, [v], [d])
            case 0x65:                                                                  // APPENDS
                let (items, ds) = try popMarkD()
                guard let t = stack.last else { throw fail("APPENDS") }
                try append(t, items, ds)
            case 0x73:                                                                  // SETITEM
                let (v, vd) = try popD(), (k, kd) = try popD()
                guard let t = stack.last else { throw fail("SETITEM") }
                try setItems(t, [k, v], [kd, vd])
            case 0x75:                                                                  // SETITEMS
                let (kv, ds) = try popMarkD()
                guard let t = stack.last else { throw fail("SETITEMS") }
                try setItems(t, kv, ds)
            case 0x71: guard let t = stack.last, let d = depths.last else { throw fail("BINPUT") }; memo[Int(try le(1))] = (t, d)
            case 0x72: guard let t = stack.last, let d = depths.last else { throw fail("LONG_BINPUT") }; memo[Int(try le(4))] = (t, d)
            case 0x70:
                guard let t = stack.last, let d = depths.last, let i = Int(try line()) else { throw fail("PUT") }
                memo[i] = (t, d)
            case 0x94: guard let t = stack.last, let d = depths.last else { throw fail("MEMOIZE") }; memo[memo.count] = (t, d)
            case 0x68, 0x6a, 0x67:                                                      // BINGET, LONG_BINGET, GET
                let index: Int
                if op == 0x68 { index = Int(try le(1)) } else if op == 0x6a { index = Int(try le(4)) }
                else { guard let i = Int(try line()) else { throw fail("GET") }; index = i }
                guard let v = memo[index] else { throw fail("memo key \(index) missing") }
                push(v.value, v.depth)
            case 0x63:                                                                  // GLOBAL
                let module = try line(), name = try line()
                push(try global(module, name))
            case 0x93:                                                                  // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard let m = module.asString, let n = name.asString else { throw fail("STACK_GLOBAL of non-strings") }
                push(try global(m, n))
            case 0x52, 0x81:                                                            // REDUCE, NEWOBJ
                let (args, d) = try popD(), fn = try pop()
                push(made(try call(fn, args), try nest([args], [d])))
            case 0x92:                                                                  // NEWOBJ_EX
                let kwargs = try pop(), (args, d) = try popD(), cls = try pop()
                if case .dict(let d) = kwargs, !d.items.isEmpty { throw fail("NEWOBJ_EX with keyword arguments") }
                push(made(try call(cls, args), try nest([args], [d])))
            case 0x62:                                                                  // BUILD
                let (state, sd) = try popD()
                guard let target = stack.last else { throw fail("BUILD on empty stack") }
                switch target {
                case .dict(let d):
                    guard !d.sealed else { throw fail("BUILD on a dict already nested in another container") }
                    d.nesting = max(d.nesting, try nest([state], [sd]))
                    d.attributes = state
                case .object(let o):
                    guard let build = allow.build else { throw fail("BUILD on <\(o.type)> is not allowed") }
                    try build(o, state)
                default: throw fail("BUILD on \(target)")
                }
            case 0x51:                                                                  // BINPERSID
                let pid = try pop()
                guard let load = allow.persistentLoad else { throw fail("persistent id without a persistent_load") }
                push(try load(pid), 1)
            case 0x50:                                                                  // PERSID
                let pid = PickleValue.string(try line())
                guard let load = allow.persistentLoad else { throw fail("persistent id without a persistent_load") }
                push(try load(pid), 1)
            default:
                throw fail(String(format: "opcode 0x%02x at byte %d is not supported (INST/OBJ/EXT/buffers are refused)", op, pos - 1))
            }
        }
    }
}
