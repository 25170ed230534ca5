import Foundation

/// One line of `winnow scan --json`. Every stored property is written, nil as `null`, key in snake_case:
/// adding a fact to the output is adding one property here.
public struct ScanRecord: Encodable, Sendable {
    public var path: String
    public var sha256: String?
    public var width: Int?
    public var height: Int?
    public var format: String?
    public var verdict: String
    public var reason: String?
    public var exactDuplicateOf: String?
    public var nearDuplicateOf: String?
    public var cluster: String?
    public var mirrorOf: String?
    public var blurry: Bool?
    public var upscaled: Bool?
    public var detailPx: Int?
    public var sharpness: Double?
    public var grayscale: Bool?
    public var phash: String?
    public var dhash: String?
    public var spectrum: [Double]?
    /// What the blur/upscale decision was made from (`scripts/fit_quality.py` reads it).
    public var detailFeatures: DetailFeatures?
    /// Estimated JPEG save quality (JPEGs only).
    public var jpegQuality: Int?
    /// Face fields (null where the face stage did not run or found no face).
    public var faces: Int?
    public var faceBox: [Int]?
    public var yaw: Double?
    public var pitch: Double?
    public var roll: Double?
    public var yawBin: String?
    public var pitchBin: String?
    public var expression: FaceFacts.Expression?
    public var error: String?

    public init(path: String, verdict: String) {
        self.path = path
        self.verdict = verdict
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Reflection keeps the field list in one place (the properties) and writes nil as null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for child in Mirror(reflecting: self).children {
            guard let label = child.label, let value = child.value as? any Encodable else { continue }
            try container.encode(value, forKey: Key(stringValue: label))
        }
    }
}
