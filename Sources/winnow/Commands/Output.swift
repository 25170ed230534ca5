import Foundation
import WinnowCore

/// How commands print: JSON for machines, short aligned lines for people.
enum Output {
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Colour only on a terminal that can show it, and never when NO_COLOR is set (no-color.org).
    static let isTerminal = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        && ProcessInfo.processInfo.environment["TERM"] != "dumb"

    /// Colours a verdict on a terminal only.
    static func verdict(_ kind: VerdictKind?) -> String {
        guard let kind else { return "pending" }
        guard isTerminal else { return kind.rawValue }
        let code = kind == .kept ? "32" : (kind == .unreadable || kind == .notImage ? "31" : "33")
        return "\u{1B}[\(code)m\(kind.rawValue)\u{1B}[0m"
    }

    /// Shortens `path` to fit `width` columns, keeping the file name.
    static func fit(_ path: String, _ width: Int) -> String {
        guard path.count > width, width > 3 else { return path }
        return "…" + path.suffix(width - 1)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

/// One file as the CLI shows it.
struct FileSummary: Encodable {
    var id: Int64
    var subject: String
    var path: String
    var sourcePath: String
    var state: String
    var verdict: String?
    var reason: String?
    var duplicateOf: Int64?
    var userDecision: String?
    var sha256: String?

    init(_ row: FileRecord) {
        id = row.id ?? 0
        subject = row.subject
        path = row.currentPath
        sourcePath = row.sourcePath
        state = row.state.rawValue
        verdict = row.effectiveVerdict?.rawValue
        reason = row.reason
        duplicateOf = row.duplicateOf
        userDecision = row.userVerdict?.rawValue
        sha256 = row.sha256
    }
}

/// Opens the state database, as the CLI does it: a missing one means "nothing yet".
enum State {
    static func open(_ config: WinnowConfig) throws -> WinnowDatabase {
        do { return try WinnowDatabase(file: config.databaseFile) } catch {
            throw CLIError("cannot open \(config.databaseFile.path): \(error)")
        }
    }
}
