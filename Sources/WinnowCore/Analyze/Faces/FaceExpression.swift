import Foundation

/// Expression cues read off the 68 landmarks. Coarse on purpose: they feed the "several expressions"
/// bonus of the coverage checklist and caption hints, not an emotion classifier.
public enum ExpressionCues {
    /// Inner-lip gap over mouth width above which the mouth counts as open.
    static let openRatio = 0.18
    /// Mouth width over eye distance above which a face counts as smiling (a smile widens the mouth) …
    static let smileWidth = 0.98
    /// … or mouth corners raised above the lips' centre line (over eye distance).
    static let smileLift = 0.06
    /// Eye aspect ratio (height over width) below which an eye counts as closed (Soukupová & Čech 2016).
    static let closedEye = 0.17

    public static func measure(_ p: [Point2]) -> FaceFacts.Expression {
        func dist(_ a: Int, _ b: Int) -> Double { hypot(p[a].x - p[b].x, p[a].y - p[b].y) }
        func eyeRatio(_ o: Int) -> Double { (dist(o + 1, o + 5) + dist(o + 2, o + 4)) / (2 * max(dist(o, o + 3), 1e-6)) }
        let eyeDistance = max(hypot((p[36].x + p[39].x - p[42].x - p[45].x) / 2, (p[36].y + p[39].y - p[42].y - p[45].y) / 2), 1e-6)
        let mouthWidth = max(dist(48, 54), 1e-6)
        let gap = (dist(61, 67) + dist(62, 66) + dist(63, 65)) / 3
        // Corner lift measured perpendicular to the eye line would be exact; roll is small on kept faces.
        let cornersY = (p[48].y + p[54].y) / 2
        let centreY = (p[62].y + p[66].y) / 2
        let lift = (centreY - cornersY) / eyeDistance
        let open = gap / mouthWidth > openRatio
        let smiling = mouthWidth / eyeDistance > smileWidth || (!open && lift > smileLift)
        let closed = eyeRatio(36) < closedEye && eyeRatio(42) < closedEye
        return FaceFacts.Expression(smiling: smiling, mouthOpen: open, eyesClosed: closed)
    }
}
