import Foundation

/// The daemon's whole configuration, with every path resolved.
public struct WinnowConfig: Sendable, Equatable {
    /// Where processed images end up: `<library>/<subject>/…`.
    public var library: URL
    /// Where the SQLite state lives.
    public var stateDirectory: URL
    public var dropFolders: [DropFolder]
    /// Trigger word and class per subject; subjects not listed get `defaultSubject`'s tokens.
    public var subjects: [String: SubjectSettings]
    public var analysis: AnalysisSettings
    /// Desktop notifications (`[notify]`).
    public var notify = NotifySettings()
    /// The trainer-ready folder (`[dataset]`).
    public var dataset = DatasetSettings()
    /// Caption sources and length (`[captions]`).
    public var captions = CaptionSettings()

    public var databaseFile: URL { stateDirectory.appendingPathComponent("winnow.sqlite") }

    public func settings(for subject: String) -> SubjectSettings {
        subjects[subject] ?? SubjectSettings()
    }

    public init(library: URL, stateDirectory: URL, dropFolders: [DropFolder],
                subjects: [String: SubjectSettings] = [:], analysis: AnalysisSettings = AnalysisSettings()) {
        self.library = library
        self.stateDirectory = stateDirectory
        self.dropFolders = dropFolders
        self.subjects = subjects
        self.analysis = analysis
    }

    /// The configuration used when there is no config file at all.
    public static func builtInDefault(paths: XDGPaths = XDGPaths()) -> WinnowConfig {
        WinnowConfig(
            library: paths.pictures.appendingPathComponent("winnow", isDirectory: true),
            stateDirectory: paths.defaultStateDirectory,
            dropFolders: [DropFolder(path: paths.downloads.appendingPathComponent("winnow", isDirectory: true),
                                     mode: .subfolderPerSubject)]
        )
    }
}

/// A folder the browser saves into.
public struct DropFolder: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        /// `<drop>/<subject>/x.jpg` belongs to `<subject>`; loose files go to the current subject.
        case subfolderPerSubject
        /// Every file below the folder belongs to one subject.
        case fixedSubject(String)
    }

    public var path: URL
    public var mode: Mode

    public init(path: URL, mode: Mode) {
        self.path = path.standardizedFileURL
        self.mode = mode
    }
}

/// What the trainer needs to know about one subject.
public struct SubjectSettings: Sendable, Equatable {
    /// A rare token the LoRA binds the subject to, e.g. `ohwx`.
    public var trigger: String
    /// The class word, e.g. `man` or `woman`.
    public var classToken: String
    /// This subject's caption template (see `CaptionSettings.template`); nil = the `[captions]` one.
    public var captionTemplate: String?
    /// Other subjects whose kept images fill this subject's `reg/1_<class>/`.
    public var regularizationFrom: [String] = []

    public init(trigger: String = "ohwx", classToken: String = "person", captionTemplate: String? = nil) {
        self.trigger = trigger
        self.classToken = classToken
        self.captionTemplate = captionTemplate
    }
}

/// Limits and thresholds of the analysis.
public struct AnalysisSettings: Sendable, Equatable {
    /// Images with more pixels are refused before decoding (decompression bombs).
    public var maxPixels: Int64 = 250_000_000
    /// Long side of the shrunk image every analysis works from.
    public var workingSide: Int = 1024
    /// How many files of a burst are analysed at once (decisions and moves stay one at a time).
    public var workers: Int = 2
    /// The face stage's settings (`[faces]`).
    public var faces = FaceSettings()

    public init() {}
}
