/// Told about every file whose place or verdict changed, after the journal has it.
/// The caption/dataset and notification stages are observers; they must not throw into the pipeline.
public protocol IngestObserver: AnyObject {
    /// `row` was placed, re-placed (a better copy arrived) or re-judged (the user decided).
    func fileChanged(_ row: FileRecord)
    /// Nothing is being processed right now (called after each watcher event; debounce bursts yourself).
    func queueDrained()
    /// Something failed beyond one file's verdict (a full disk, an error while placing).
    func problem(_ problem: IngestProblem)
}

extension IngestObserver {
    public func queueDrained() {}
    public func problem(_ problem: IngestProblem) {}
}
