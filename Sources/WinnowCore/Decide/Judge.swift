/// Turns measured facts into a verdict. The user's own decision always wins over this.
public struct Judge: Sendable {
    public init() {}

    public func verdict(for facts: ImageFacts) -> Verdict {
        Verdict(.kept)
    }
}
