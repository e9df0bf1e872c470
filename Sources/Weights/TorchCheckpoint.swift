// TorchCheckpoint: a torch.save file (zip format: .ckpt, .pth, .pt) as a WeightSource — unpickled with the
// restricted torch allow-list (TorchPickle), storages read in place from the mapped zip. The state dict is found as
// the top-level dict itself (torchvision .pth) or its "state_dict" entry (Lightning .ckpt, e.g. sd-v1-4.ckpt);
// nested dicts are flattened with "." as torch names modules. Legacy (pre-1.6, non-zip) files are refused.
import Tensor

public final class TorchCheckpoint: WeightSource, @unchecked Sendable {
    public let path: String
    /// The whole unpickled object, for callers that need more than tensors (epoch, global_step, …).
    public let root: PickleValue
    /// Tensors by state-dict name.
    public let tensors: [String: TorchTensorRef]
    private let archive: ZipArchive

    /// - Parameter extraAllowList: more globals for files that hold other plain data (added to torch's list).
    public init(path: String, extraAllowList: PickleAllowList? = nil) throws {
        self.path = path
        let archive: ZipArchive
        do {
            archive = try ZipArchive(path: path)
        } catch WeightSourceError.corrupt(_, _, let reason) where reason.contains("end-of-central-directory") {
            throw WeightSourceError.corrupt(file: path, tensor: nil,
                reason: "not a zip-format torch file (\(reason)); legacy torch.save files are not supported")
        }
        self.archive = archive
        guard let pickleName = archive.names.first(where: { $0 == "data.pkl" || $0.hasSuffix("/data.pkl") }) else {
            throw WeightSourceError.corrupt(file: path, tensor: nil, reason: "zip has no data.pkl: not a torch checkpoint")
        }
        let prefix = String(pickleName.dropLast("data.pkl".count))
        var allow = TorchPickle.allowList(file: path) { key, _, _ in try archive.data(prefix + "data/" + key) }
        allow = allow.merged(with: NumpyPickle.scalarAllowList(file: path))
        if let extra = extraAllowList { allow = allow.merged(with: extra) }
        let root = try RestrictedUnpickler(data: try archive.data(pickleName), file: path + ":" + pickleName,
                                           allowList: allow).load()
        self.root = root
        var stateDict = root
        if case .dict(let d) = root, let inner = d["state_dict"] { stateDict = inner }
        var tensors: [String: TorchTensorRef] = [:]
        var budget = Self.maxVisits
        try Self.collect(stateDict, prefix: "", into: &tensors, budget: &budget, file: path)
        self.tensors = tensors
    }

    /// Most dict entries walked: dicts shared through the pickle memo can nest into exponentially many paths.
    static let maxVisits = 10_000_000

    private static func collect(_ value: PickleValue, prefix: String, into out: inout [String: TorchTensorRef],
                                budget: inout Int, file: String) throws {
        budget -= 1
        guard budget >= 0 else {
            throw WeightSourceError.corrupt(file: file, tensor: nil,
                reason: "the state dict has more than \(maxVisits) entries (dicts shared many times over?)")
        }
        switch value {
        case .object(let o):
            if let t = o.payload as? TorchTensorRef { out[prefix] = t }
        case .dict(let d):
            for (k, v) in d.items {
                let name: String
                switch k {
                case .string(let s): name = s
                case .int(let i): name = String(i)
                default: continue
                }
                try collect(v, prefix: prefix.isEmpty ? name : prefix + "." + name, into: &out, budget: &budget, file: file)
            }
        default:
            break
        }
    }

    public var keys: [String] { tensors.keys.sorted() }

    public func shape(_ key: String) -> [Int]? { tensors[key]?.shape }

    public func dtype(_ key: String) -> WeightDType? { tensors[key]?.storage.dtype }

    public func tensor(_ key: String) throws -> Tensor {
        guard let t = tensors[key] else { throw WeightSourceError.missingKey(key) }
        return Tensor(shape: t.shape, data: t.floats())
    }
}
