import Synchronization

/// Bytes that look random to anyone without the server secret but are the same every time for the same label
/// (HMAC-SHA256 of the label and a block counter). For choices that must not be re-rolled by asking again, like the
/// security questions a user is asked (docs/security.md#security-questions); never for codes or tokens.
public final class KeyedRandomStream: RandomSource {
    private let secret: ServerSecret
    private let label: String
    private let state = Mutex<(block: Int, buffer: [UInt8])>((0, []))

    public init(secret: ServerSecret, label: String) {
        self.secret = secret
        self.label = label
    }

    public func bytes(_ count: Int) -> [UInt8] {
        state.withLock { state in
            while state.buffer.count < count {
                state.buffer += secret.mac("\(label)|\(state.block)")
                state.block += 1
            }
            let output = Array(state.buffer.prefix(count))
            state.buffer.removeFirst(output.count)
            return output
        }
    }
}
