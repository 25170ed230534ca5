import Foundation

/// The user's folders, resolved the way the desktop does it (XDG base dirs and `user-dirs.dirs`).
public struct XDGPaths: Sendable {
    public let home: URL
    private let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        self.home = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory(), isDirectory: true)
    }

    public var configHome: URL { base("XDG_CONFIG_HOME", default: ".config") }
    public var stateHome: URL { base("XDG_STATE_HOME", default: ".local/state") }
    public var dataHome: URL { base("XDG_DATA_HOME", default: ".local/share") }

    /// `XDG_DOWNLOAD_DIR` from `user-dirs.dirs`, else `~/Downloads`.
    public var downloads: URL { userDir("XDG_DOWNLOAD_DIR", default: "Downloads") }
    /// `XDG_PICTURES_DIR` from `user-dirs.dirs`, else `~/Pictures`.
    public var pictures: URL { userDir("XDG_PICTURES_DIR", default: "Pictures") }

    public var configFile: URL { configHome.appendingPathComponent("winnow/config.toml") }
    public var defaultStateDirectory: URL { stateHome.appendingPathComponent("winnow", isDirectory: true) }

    /// Expands a leading `~` and `$HOME`, the two forms people write in config files.
    public func expand(_ path: String) -> URL {
        var text = path.replacingOccurrences(of: "$HOME", with: home.path)
        if text == "~" { text = home.path } else if text.hasPrefix("~/") { text = home.path + text.dropFirst(1) }
        return URL(fileURLWithPath: text, isDirectory: true).standardizedFileURL
    }

    private func base(_ variable: String, default relative: String) -> URL {
        if let value = environment[variable], value.hasPrefix("/") {
            return URL(fileURLWithPath: value, isDirectory: true)
        }
        return home.appendingPathComponent(relative, isDirectory: true)
    }

    private func userDir(_ key: String, default relative: String) -> URL {
        let file = configHome.appendingPathComponent("user-dirs.dirs")
        if let text = try? String(contentsOf: file, encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix(key + "=") {
                let value = line.dropFirst(key.count + 1).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                let url = expand(value)
                // user-dirs.dirs sets a dir to $HOME itself to mean "disabled".
                if url.path != home.path { return url }
            }
        }
        return home.appendingPathComponent(relative, isDirectory: true)
    }
}
