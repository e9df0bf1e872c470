// transformers' CLIPTextEmbeddings: token embedding plus learned absolute position embedding.
import Tensor

/// Keys `text_model.embeddings.token_embedding.weight` [V, D], `…position_embedding.weight` [P, D].
public struct CLIPTextEmbeddings {
    public var tokenEmbedding: Tensor      // [V, D]
    public var positionEmbedding: Tensor   // [P, D]

    init(_ w: WeightLoader, _ path: String, config c: CLIPTextConfig) throws {
        tokenEmbedding = try w.take(join(path, "token_embedding.weight"), [c.vocabSize, c.hiddenSize])
        positionEmbedding = try w.take(join(path, "position_embedding.weight"), [c.maxPositionEmbeddings, c.hiddenSize])
    }

    /// ids [B][T] (T ≤ P, each < V) → [B, T, D]
    func callAsFunction(_ ids: [[Int]]) -> Tensor {
        let d = tokenEmbedding.shape[1]
        let t = ids.first?.count ?? 0
        var out = Tensor(zeros: [ids.count, t, d])
        out.data.withUnsafeMutableBufferPointer { o in
            tokenEmbedding.data.withUnsafeBufferPointer { te in
                positionEmbedding.data.withUnsafeBufferPointer { pe in
                    for (b, row) in ids.enumerated() {
                        for (p, id) in row.enumerated() {
                            let dst = o.baseAddress! + (b * t + p) * d
                            for j in 0..<d { dst[j] = te[id * d + j] + pe[p * d + j] }
                        }
                    }
                }
            }
        }
        return out
    }
}
