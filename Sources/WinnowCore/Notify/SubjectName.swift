/// How a subject's folder name reads in a sentence: `anne-hathaway` → `Anne Hathaway`.
public enum SubjectName {
    public static func display(_ subject: String) -> String {
        let words = subject.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == " " })
        guard !words.isEmpty else { return subject }
        return words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }
}
