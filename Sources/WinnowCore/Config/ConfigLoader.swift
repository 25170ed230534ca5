import Foundation
import TOMLKit

/// A config problem, pointing at the key and line so the user can fix it.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var key: String
    public var line: Int?
    public var message: String

    public var description: String {
        let place = line.map { "line \($0): " } ?? ""
        return "\(place)\(key): \(message)"
    }
}

/// Reads `config.toml` into a `WinnowConfig`. Unknown keys are errors: a typo must not be silently ignored.
public struct ConfigLoader {
    public let paths: XDGPaths

    public init(paths: XDGPaths = XDGPaths()) { self.paths = paths }

    /// Loads `file` if it exists, else the built-in default.
    public func load(file: URL? = nil) throws -> WinnowConfig {
        let file = file ?? paths.configFile
        guard FileManager.default.fileExists(atPath: file.path) else { return .builtInDefault(paths: paths) }
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw ConfigError(key: file.path, line: nil, message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text)
    }

    public func parse(_ text: String) throws -> WinnowConfig {
        let root: TOMLTable
        do { root = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw ConfigError(key: "syntax", line: error.source.begin.line, message: error.description)
        }
        let reader = TableReader(table: root, prefix: "", text: text)
        var config = WinnowConfig.builtInDefault(paths: paths)
        try reader.allow(["library", "state_dir", "drop", "subjects", "analysis", "dataset", "captions", "notify", "faces"])
        if let library = try reader.string("library") { config.library = paths.expand(library) }
        if let state = try reader.string("state_dir") { config.stateDirectory = paths.expand(state) }
        if let drops = try reader.tables("drop") {
            config.dropFolders = try drops.map { try dropFolder($0) }
            if config.dropFolders.isEmpty {
                throw ConfigError(key: "drop", line: reader.line(of: "drop"), message: "needs at least one [[drop]] folder")
            }
        }
        if let subjects = try reader.table("subjects") {
            for name in subjects.table.keys {
                guard let entry = try subjects.table(name) else { continue }
                try entry.allow(["trigger", "class", "caption_template", "reg_from"])
                var settings = SubjectSettings()
                if let trigger = try entry.string("trigger") { settings.trigger = try entry.token(trigger, key: "trigger") }
                if let cls = try entry.string("class") { settings.classToken = try entry.token(cls, key: "class") }
                settings.captionTemplate = try entry.string("caption_template")
                if let from = try entry.strings("reg_from") { settings.regularizationFrom = from }
                config.subjects[name] = settings
            }
        }
        if let analysis = try reader.table("analysis") {
            try analysis.allow(["max_pixels", "working_side", "workers"])
            if let value = try analysis.int("max_pixels", range: 1_000_000...2_000_000_000) { config.analysis.maxPixels = Int64(value) }
            if let value = try analysis.int("working_side", range: 256...4096) { config.analysis.workingSide = value }
            if let value = try analysis.int("workers", range: 1...16) { config.analysis.workers = value }
        }
        if let notify = try reader.table("notify") { config.notify = try notifySettings(notify) }
        if let dataset = try reader.table("dataset") {
            try DatasetSettingsReader.read(dataset, into: &config.dataset)
        }
        if let captions = try reader.table("captions") {
            try DatasetSettingsReader.read(captions, into: &config.captions)
        }
        // One training resolution for both: the face check follows `[dataset] resolution` unless told otherwise.
        config.analysis.faces.minFaceSide = config.dataset.resolution
        if let faces = try reader.table("faces") {
            try faces.allow(["enabled", "min_face_side", "detection_side"])
            if let value = try faces.bool("enabled") { config.analysis.faces.enabled = value }
            if let value = try faces.int("min_face_side", range: 0...8192) { config.analysis.faces.minFaceSide = value }
            if let value = try faces.int("detection_side", range: 320...2048) { config.analysis.faces.detectionSide = value }
        }
        return config
    }

    private func notifySettings(_ table: TableReader) throws -> NotifySettings {
        try table.allow(["enabled", "quiet_hours", "burst_seconds", "update_seconds"])
        var settings = NotifySettings()
        if let enabled = try table.bool("enabled") { settings.enabled = enabled }
        if let text = try table.string("quiet_hours"), !text.isEmpty {
            guard let hours = QuietHours(parsing: text) else {
                throw ConfigError(key: table.prefix + "quiet_hours", line: table.line(of: "quiet_hours"),
                                  message: "\"\(text)\" is not a window like \"22:00-07:30\"")
            }
            settings.quietHours = hours
        }
        if let value = try table.double("burst_seconds", range: 0.5...600) { settings.burstSeconds = value }
        if let value = try table.double("update_seconds", range: 0.1...60) { settings.updateSeconds = value }
        return settings
    }

    private func dropFolder(_ entry: TableReader) throws -> DropFolder {
        try entry.allow(["path", "subject"])
        guard let path = try entry.string("path") else {
            throw ConfigError(key: entry.prefix + "path", line: entry.line(of: "path"), message: "is required")
        }
        if let subject = try entry.string("subject") {
            return DropFolder(path: paths.expand(path), mode: .fixedSubject(try Subject.validated(subject, key: entry.prefix + "subject", line: entry.line(of: "subject"))))
        }
        return DropFolder(path: paths.expand(path), mode: .subfolderPerSubject)
    }
}

/// Typed access to one TOML table, with errors that name the full key and its line.
struct TableReader {
    let table: TOMLTable
    let prefix: String
    let text: String

    func allow(_ keys: Set<String>) throws {
        for key in table.keys where !keys.contains(key) {
            throw ConfigError(key: prefix + key, line: line(of: key),
                              message: "unknown key (expected one of: \(keys.sorted().joined(separator: ", ")))")
        }
    }

    func string(_ key: String) throws -> String? {
        guard let value = table[key] else { return nil }
        guard let string = value.string else { throw typeError(key, "a string") }
        return string
    }

    func int(_ key: String, range: ClosedRange<Int>) throws -> Int? {
        guard let value = table[key] else { return nil }
        guard let int = value.int else { throw typeError(key, "an integer") }
        guard range.contains(int) else {
            throw ConfigError(key: prefix + key, line: line(of: key), message: "\(int) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return int
    }

    func double(_ key: String, range: ClosedRange<Double>) throws -> Double? {
        guard let value = table[key] else { return nil }
        guard let double = value.double ?? value.int.map(Double.init) else { throw typeError(key, "a number") }
        guard range.contains(double) else {
            throw ConfigError(key: prefix + key, line: line(of: key), message: "\(double) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return double
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = table[key] else { return nil }
        guard let bool = value.bool else { throw typeError(key, "true or false") }
        return bool
    }

    func strings(_ key: String) throws -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else { throw typeError(key, "an array of strings") }
        return try array.map { element in
            guard let string = element.string else { throw typeError(key, "an array of strings") }
            return string
        }
    }

    func table(_ key: String) throws -> TableReader? {
        guard let value = table[key] else { return nil }
        guard let sub = value.table else { throw typeError(key, "a table") }
        return TableReader(table: sub, prefix: prefix + key + ".", text: text)
    }

    func tables(_ key: String) throws -> [TableReader]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else { throw typeError(key, "an array of tables ([[\(key)]])") }
        return try array.enumerated().map { index, element in
            guard let sub = element.table else { throw typeError(key, "an array of tables ([[\(key)]])") }
            return TableReader(table: sub, prefix: "\(prefix)\(key)[\(index)].", text: text)
        }
    }

    /// A caption token: one word-ish string, no commas (they separate caption tags).
    func token(_ value: String, key: String) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.contains(",") || trimmed.contains("\n") {
            throw ConfigError(key: prefix + key, line: line(of: key), message: "must be a non-empty token without commas")
        }
        return trimmed
    }

    /// toml++ keeps no positions for keys, so find the first line that assigns or opens `key`.
    func line(of key: String) -> Int? {
        let bare = key.split(separator: "[").first.map(String.init) ?? key
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix(bare + " ") || line.hasPrefix(bare + "=") || line.hasPrefix("[" + bare)
                || line.hasPrefix("[[" + bare) || line.contains("." + bare + "]") {
                return index + 1
            }
        }
        return nil
    }

    private func typeError(_ key: String, _ expected: String) -> ConfigError {
        ConfigError(key: prefix + key, line: line(of: key), message: "must be \(expected)")
    }
}
