extension Collection {
    /// The element at `index`, or `nil` past either end: how parsers read a field that outside input may not have
    /// (docs/security.md#traps).
    public subscript(checked index: Index) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
