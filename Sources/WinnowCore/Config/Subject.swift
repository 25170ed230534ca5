/// Subject names become folder names, so they are checked like folder names.
public enum Subject {
    public static let unsorted = "unsorted"

    /// A usable subject name: not empty, no slash, not a dot name, not too long.
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 100 && !name.contains("/") && !name.hasPrefix(".")
            && !name.contains("\0") && name.trimmingCharacters(in: .whitespaces) == name
    }

    static func validated(_ name: String, key: String, line: Int?) throws -> String {
        guard isValid(name) else {
            throw ConfigError(key: key, line: line, message: "\"\(name)\" is not a usable subject name (no slashes, no leading dot)")
        }
        return name
    }
}
