import Testing
@testable import WinnowCore

@Suite struct SettleRulesTests {
    @Test(arguments: ["a.jpg", "photo.final.png", "IMG_0001.JPG", "x.webp"])
    func finishedNamesCount(_ name: String) {
        #expect(SettleRules.counts(name))
    }

    @Test(arguments: ["a.jpg.crdownload", "a.jpg.part", "a.tmp", ".hidden.jpg", "A.JPG.CRDOWNLOAD", ""])
    func partialAndHiddenNamesWait(_ name: String) {
        #expect(!SettleRules.counts(name))
    }
}
