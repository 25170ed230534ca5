import Foundation

/// Everything winnow measured about one image. Each analysis stage fills its own part;
/// a part that did not run stays nil, so the JSON says "not measured" rather than a guess.
public struct ImageFacts: Codable, Sendable, Equatable {
    /// Hex sha256 of the file's bytes: the identity of the content.
    public var sha256: String
    public var byteCount: Int64
    /// Full-resolution size after EXIF orientation (what the trainer sees).
    public var width: Int
    public var height: Int
    /// libvips loader that read it, e.g. "jpegload".
    public var format: String
    /// Perceptual and sharpness facts (the judging stage).
    public var quality: QualityFacts?
    /// Face facts (the face stage).
    public var faces: FaceFacts?

    public init(sha256: String, byteCount: Int64, width: Int, height: Int, format: String,
                quality: QualityFacts? = nil, faces: FaceFacts? = nil) {
        self.sha256 = sha256
        self.byteCount = byteCount
        self.width = width
        self.height = height
        self.format = format
        self.quality = quality
        self.faces = faces
    }

    public var longSide: Int { max(width, height) }
}

/// Hashes and high-frequency measurements used to find duplicates, blur and upscales.
public struct QualityFacts: Codable, Sendable, Equatable {
    /// 64-bit difference hash of the shrunk image, as hex.
    public var dhash: String
    /// 64-bit DCT hash of the shrunk image, and of its mirror (flips are found, and told apart), as hex.
    public var phash: String?
    public var phashMirror: String?
    /// The image squashed to 64×64 grey bytes, base64: what the second look at a candidate pair aligns.
    public var look: String?
    /// Whether the image is (nearly) grey: drives the `black and white` caption token.
    public var grayscale: Bool
    /// Estimated long side, in pixels, of the real detail the image carries.
    public var detailPixels: Int?
    public var blurry: Bool
    public var upscaled: Bool
    /// Higher is sharper; comparable between copies of one picture (keep-best).
    public var sharpness: Double
    /// The whitened native-resolution power profile of the most detailed tiles: the evidence behind
    /// `detailPixels`, `blurry` and `upscaled`.
    public var spectrum: [Double]?
    /// The numbers the blur/upscale decision was made from (nil for images under one 64-px tile).
    public var detailFeatures: DetailFeatures?
    /// For JPEGs, the quality the file was saved at (estimated from its quantisation table).
    public var jpegQuality: Int?

    public init(dhash: String, phash: String? = nil, phashMirror: String? = nil, look: String? = nil,
                grayscale: Bool, detailPixels: Int?, blurry: Bool, upscaled: Bool, sharpness: Double,
                spectrum: [Double]? = nil, detailFeatures: DetailFeatures? = nil,
                jpegQuality: Int? = nil) {
        self.dhash = dhash
        self.phash = phash
        self.phashMirror = phashMirror
        self.look = look
        self.grayscale = grayscale
        self.detailPixels = detailPixels
        self.blurry = blurry
        self.upscaled = upscaled
        self.sharpness = sharpness
        self.spectrum = spectrum
        self.detailFeatures = detailFeatures
        self.jpegQuality = jpegQuality
    }

    /// The decoded look bytes, if stored.
    public var lookBytes: [UInt8]? { look.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } }
}

/// What the face stage found. Angles in degrees, image-based: yaw > 0 turns toward the image's left.
public struct FaceFacts: Codable, Sendable, Equatable {
    public var count: Int
    /// Main face box in full-resolution pixels: x, y, width, height.
    public var box: [Int]?
    public var yaw: Double?
    public var pitch: Double?
    public var roll: Double?
    public var yawBin: YawBin?
    public var pitchBin: PitchBin?
    public var expression: Expression?

    public init(count: Int, box: [Int]? = nil, yaw: Double? = nil, pitch: Double? = nil, roll: Double? = nil,
                yawBin: YawBin? = nil, pitchBin: PitchBin? = nil, expression: Expression? = nil) {
        self.count = count
        self.box = box
        self.yaw = yaw
        self.pitch = pitch
        self.roll = roll
        self.yawBin = yawBin
        self.pitchBin = pitchBin
        self.expression = expression
    }

    public struct Expression: Codable, Sendable, Equatable {
        public var smiling: Bool
        public var mouthOpen: Bool
        public var eyesClosed: Bool
        public init(smiling: Bool, mouthOpen: Bool, eyesClosed: Bool) {
            self.smiling = smiling
            self.mouthOpen = mouthOpen
            self.eyesClosed = eyesClosed
        }
    }
}

/// Yaw bins as seen in the image: `profileLeft` means the nose points at the image's left edge.
public enum YawBin: String, Codable, Sendable, CaseIterable {
    case profileLeft = "profile-left", threeQuarterLeft = "3q-left", frontal
    case threeQuarterRight = "3q-right", profileRight = "profile-right"

    /// |yaw| ≤ 20° frontal, 20–60° three-quarter, > 60° profile.
    public init(yaw: Double) {
        switch yaw {
        case ..<(-60): self = .profileRight
        case ..<(-20): self = .threeQuarterRight
        case ...20: self = .frontal
        case ...60: self = .threeQuarterLeft
        default: self = .profileLeft
        }
    }
}

public enum PitchBin: String, Codable, Sendable, CaseIterable {
    case up, level, down

    /// > +15° up, < −15° down.
    public init(pitch: Double) {
        self = pitch > 15 ? .up : (pitch < -15 ? .down : .level)
    }
}
