import Foundation

/// What a captioner gets: the image on disk, what winnow measured, and whose image it is.
public struct CaptionRequest: Sendable {
    public var imagePath: String
    public var facts: ImageFacts?
    public var subject: SubjectSettings

    public init(imagePath: String, facts: ImageFacts?, subject: SubjectSettings) {
        self.imagePath = imagePath
        self.facts = facts
        self.subject = subject
    }
}

/// Writes the descriptive part of a caption. The built-in one composes measured facts; external ones
/// (an OpenAI-compatible endpoint, a command) look at the image. `CaptionComposer` turns any of their
/// answers into the final one-line caption that starts with `<trigger> <class>,`.
public protocol Captioner: Sendable {
    /// Identifies the captioner in the caption store, so a changed model or endpoint captions again.
    var identity: String { get }
    func caption(_ request: CaptionRequest) async throws -> String
}

/// Why an external captioner gave no caption; the built-in caption stays and the image is retried later.
public struct CaptionerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
