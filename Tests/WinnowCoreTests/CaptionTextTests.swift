import Foundation
import Testing
@testable import WinnowCore

@Suite struct BuiltInCaptionTests {
    let anne = SubjectSettings(trigger: "ohwx", classToken: "woman")
    let captioner = BuiltInCaptioner(settings: CaptionSettings(), resolution: 512)

    func facts(faces: FaceFacts? = nil, quality: QualityFacts? = nil, height: Int = 1000) -> ImageFacts {
        ImageFacts(sha256: "x", byteCount: 1, width: 800, height: height, format: "jpegload", quality: quality, faces: faces)
    }

    func quality(grayscale: Bool = false, blurry: Bool = false, upscaled: Bool = false, detail: Int? = nil) -> QualityFacts {
        QualityFacts(dhash: "0", grayscale: grayscale, detailPixels: detail, blurry: blurry, upscaled: upscaled, sharpness: 1)
    }

    func caption(_ facts: ImageFacts?) -> String {
        captioner.compose(CaptionRequest(imagePath: "/x.jpg", facts: facts, subject: anne))
    }

    @Test func nothingMeasuredStillGivesTriggerAndClass() {
        #expect(caption(nil) == "ohwx woman,")
        #expect(caption(facts()) == "ohwx woman,")
    }

    @Test func viewFramingAndExpressionComeFromTheFaceFacts() {
        let face = FaceFacts(count: 1, box: [100, 100, 300, 500], yawBin: .threeQuarterLeft, pitchBin: .up,
                             expression: .init(smiling: true, mouthOpen: true, eyesClosed: false))
        #expect(caption(facts(faces: face)) == "ohwx woman, three-quarter view facing left, looking up, close-up, smiling")
    }

    @Test(arguments: [(YawBin.profileRight, "profile facing right"), (.profileLeft, "profile facing left"), (.frontal, "front view")])
    func yawBinsNameTheImageSide(_ bin: YawBin, _ words: String) {
        #expect(caption(facts(faces: FaceFacts(count: 1, yawBin: bin, pitchBin: .level))) == "ohwx woman, \(words)")
    }

    @Test func framingFollowsTheFaceShareOfTheHeight() {
        let share = { (h: Int) in MeasuredTokens.framing(FaceFacts(count: 1, box: [0, 0, h, h]), imageHeight: 1000) }
        #expect(share(500) == "close-up")
        #expect(share(300) == "portrait")
        #expect(share(150) == "upper body")
        #expect(share(50) == nil)
    }

    @Test func severalFacesGiveNoViewWords() {
        #expect(caption(facts(faces: FaceFacts(count: 3, box: [0, 0, 500, 500], yawBin: .frontal))) == "ohwx woman,")
    }

    @Test func keptFlawsAndBlackAndWhiteBecomeTokens() {
        #expect(caption(facts(quality: quality(grayscale: true, blurry: true, upscaled: true)))
                == "ohwx woman, black and white, blurry, upscaled")
        #expect(caption(facts(quality: quality(detail: 400))) == "ohwx woman, low quality")
        #expect(caption(facts(quality: quality(detail: 2000))) == "ohwx woman,")
    }

    @Test func subjectTemplateShapesTheCaptionButNotItsStart() {
        var subject = anne
        subject.captionTemplate = "photo of {class}, {view}, {color}, film grain"
        let text = captioner.compose(CaptionRequest(imagePath: "/x", facts: facts(faces: FaceFacts(count: 1, yawBin: .frontal)), subject: subject))
        #expect(text == "ohwx woman, photo of woman, front view, film grain")
    }

    @Test func captionIsOneLine() {
        var subject = anne
        subject.captionTemplate = "{trigger} {class}, a\nb"
        let text = captioner.compose(CaptionRequest(imagePath: "/x", facts: nil, subject: subject))
        #expect(!text.contains("\n"))
        #expect(text.hasPrefix("ohwx woman,"))
    }
}

@Suite struct CaptionTextTests {
    let anne = SubjectSettings(trigger: "ohwx", classToken: "woman")

    @Test func externalCaptionGetsThePrefixOnceAndTheMeasuredTokens() {
        let tokens = MeasuredTokens(view: "profile facing left", quality: "blurry")
        let merged = CaptionText.merge(external: "ohwx woman, a woman in a red coat, standing in snow.\n", tokens: tokens,
                                       subject: anne, maxWords: 100)
        #expect(merged == "ohwx woman, a woman in a red coat, standing in snow, profile facing left, blurry")
    }

    @Test func measuredTokensTheDescriptionSaysAreNotRepeated() {
        let merged = CaptionText.merge(external: "blurry photo of a woman", tokens: MeasuredTokens(quality: "blurry"),
                                       subject: anne, maxWords: 100)
        #expect(merged == "ohwx woman, blurry photo of a woman")
    }

    @Test func longDescriptionsAreCutAtAPhraseBreak() {
        let text = (1...30).map { "word\($0)" }.joined(separator: " ") + ", " + (31...60).map { "w\($0)" }.joined(separator: " ")
        let cut = CaptionText.limitWords(text, to: 40)
        #expect(cut.split(separator: " ").count == 30)
        #expect(cut.hasSuffix("word30"))
        #expect(CaptionText.limitWords("a b c", to: 5) == "a b c")
        #expect(CaptionText.limitWords("a b c d e f", to: 4) == "a b c d")
    }

    @Test func clipTokenEstimateCountsWordsAndPunctuation() {
        #expect(CaptionText.estimatedClipTokens("ohwx woman, smiling") == 4)
        let long = Array(repeating: "a woman,", count: 30).joined(separator: " ")
        #expect(CaptionText.estimatedClipTokens(long) == 90)
    }
}
