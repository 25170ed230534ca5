/// The caption words winnow can vouch for, from measured facts only. A fact that was not measured
/// (nil) gives no word: a caption never guesses.
public struct MeasuredTokens: Sendable, Equatable {
    /// Face direction as seen in the image, e.g. "three-quarter view facing left, looking up".
    public var view: String?
    /// How much of the frame the face fills: "close-up", "portrait", "upper body".
    public var framing: String?
    /// "smiling", "open mouth", "eyes closed".
    public var expression: String?
    /// "black and white".
    public var color: String?
    /// Flaws of an image kept anyway: "blurry", "upscaled", "low quality".
    public var quality: String?

    public init(view: String? = nil, framing: String? = nil, expression: String? = nil,
                color: String? = nil, quality: String? = nil) {
        self.view = view
        self.framing = framing
        self.expression = expression
        self.color = color
        self.quality = quality
    }

    /// The tokens for one image's facts; `resolution` is the training resolution (for "low quality").
    public init(facts: ImageFacts?, settings: CaptionSettings, resolution: Int) {
        guard let facts else { return }
        if let faces = facts.faces, faces.count == 1 {
            view = Self.view(faces)
            framing = Self.framing(faces, imageHeight: facts.height)
            expression = faces.expression.flatMap(Self.expression)
        }
        if let measured = facts.quality {
            let tokens = settings.qualityTokens
            if measured.grayscale { color = tokens.grayscale }
            var flaws: [String] = []
            if measured.blurry { flaws.append(tokens.blurry) }
            if measured.upscaled { flaws.append(tokens.upscaled) }
            if let detail = measured.detailPixels, detail < resolution, !measured.upscaled { flaws.append(tokens.lowDetail) }
            quality = Self.join(flaws.filter { !$0.isEmpty })
        }
    }

    /// Every token, in caption order.
    public var all: [String] { [view, framing, expression, color, quality].compactMap { $0 } }

    static func view(_ faces: FaceFacts) -> String? {
        var parts: [String] = []
        switch faces.yawBin {
        case .profileLeft: parts.append("profile facing left")
        case .threeQuarterLeft: parts.append("three-quarter view facing left")
        case .frontal: parts.append("front view")
        case .threeQuarterRight: parts.append("three-quarter view facing right")
        case .profileRight: parts.append("profile facing right")
        case nil: break
        }
        switch faces.pitchBin {
        case .up: parts.append("looking up")
        case .down: parts.append("looking down")
        case .level, nil: break
        }
        return join(parts)
    }

    /// From the face box height as a share of the image height. A head is roughly 1/7 of a standing
    /// body, so a face under ~10% of the frame could be anything from half body to a crowd: no word.
    static func framing(_ faces: FaceFacts, imageHeight: Int) -> String? {
        guard let box = faces.box, box.count == 4, imageHeight > 0, box[3] > 0 else { return nil }
        let share = Double(box[3]) / Double(imageHeight)
        switch share {
        case 0.45...: return "close-up"
        case 0.22...: return "portrait"
        case 0.10...: return "upper body"
        default: return nil
        }
    }

    static func expression(_ cues: FaceFacts.Expression) -> String? {
        var parts: [String] = []
        if cues.smiling { parts.append("smiling") }
        if cues.mouthOpen && !cues.smiling { parts.append("open mouth") }
        if cues.eyesClosed { parts.append("eyes closed") }
        return join(parts)
    }

    private static func join(_ parts: [String]) -> String? {
        parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}
