import Foundation

/// Where one subject's trainer-ready folder lives and how its parts are named (kohya DreamBooth layout):
/// `<library>/<subject>/dataset/img/<repeats>_<trigger> <class>/`, `reg/1_<class>/`, `dataset_config.toml`.
public struct DatasetLayout: Sendable {
    public let root: URL
    public let subject: SubjectSettings
    public let repeats: Int

    public init(library: LibraryLayout, subjectName: String, subject: SubjectSettings, repeats: Int) {
        self.root = library.subjectFolder(subjectName).appendingPathComponent("dataset", isDirectory: true)
        self.subject = subject
        self.repeats = repeats
    }

    public var imageParent: URL { root.appendingPathComponent("img", isDirectory: true) }
    public var regParent: URL { root.appendingPathComponent("reg", isDirectory: true) }
    /// `<repeats>_<trigger> <class>`: sd-scripts reads the repeats and class tokens from this name.
    public var imageFolderName: String { "\(repeats)_\(subject.trigger) \(subject.classToken)" }
    public var regFolderName: String { "1_\(subject.classToken)" }
    public var imageFolder: URL { imageParent.appendingPathComponent(imageFolderName, isDirectory: true) }
    public var regFolder: URL { regParent.appendingPathComponent(regFolderName, isDirectory: true) }
    public var configFile: URL { root.appendingPathComponent("dataset_config.toml") }

    /// The caption file that belongs to a dataset image.
    public static func captionFile(for image: URL) -> URL {
        image.deletingPathExtension().appendingPathExtension("txt")
    }
}
