import Foundation

/// Which names in a drop folder are finished files. Browsers write to a temporary name and
/// rename when the download completes; only the final name counts.
public enum SettleRules {
    static let partialSuffixes = [".crdownload", ".part", ".tmp", ".partial", ".download", ".opdownload"]

    /// True for names that may be a finished user file.
    public static func counts(_ name: String) -> Bool {
        if name.isEmpty || name.hasPrefix(".") || name.hasPrefix("~") { return false }
        let lower = name.lowercased()
        return !partialSuffixes.contains { lower.hasSuffix($0) }
    }
}
