import Foundation

/// The rules every caption file follows, whoever wrote its words: one line, never empty,
/// `<trigger> <class>,` first (sd-scripts uses the folder's class tokens only for images without a caption).
public enum CaptionText {
    /// `template` with its placeholders filled; segments whose placeholders are all empty drop out.
    public static func render(template: String, subject: SubjectSettings, tokens: MeasuredTokens) -> String {
        let values: [String: String] = [
            "{trigger}": subject.trigger, "{class}": subject.classToken,
            "{view}": tokens.view ?? "", "{framing}": tokens.framing ?? "", "{expression}": tokens.expression ?? "",
            "{color}": tokens.color ?? "", "{quality}": tokens.quality ?? "",
        ]
        let segments = oneLine(template).split(separator: ",").compactMap { raw -> String? in
            var segment = String(raw)
            var hadPlaceholder = false, filledAny = false
            for (key, value) in values where segment.contains(key) {
                hadPlaceholder = true
                if !value.isEmpty { filledAny = true }
                segment = segment.replacingOccurrences(of: key, with: value)
            }
            segment = collapseSpaces(segment)
            if segment.isEmpty || (hadPlaceholder && !filledAny) { return nil }
            return segment
        }
        return withPrefix(segments.joined(separator: ", "), subject: subject)
    }

    /// `text` starting with `<trigger> <class>,` exactly once.
    public static func withPrefix(_ text: String, subject: SubjectSettings) -> String {
        let prefix = "\(subject.trigger) \(subject.classToken)"
        var rest = collapseSpaces(oneLine(text))
        for lead in [prefix + ",", prefix] where rest.lowercased().hasPrefix(lead.lowercased()) {
            rest = String(rest.dropFirst(lead.count)).trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
            break
        }
        rest = rest.trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
        return rest.isEmpty ? prefix + "," : prefix + ", " + rest
    }

    /// An external description merged with what winnow measured: prefix, the description cut to
    /// `maxWords`, then the measured tokens the description does not already say.
    public static func merge(external: String, tokens: MeasuredTokens, subject: SubjectSettings, maxWords: Int) -> String {
        var description = collapseSpaces(oneLine(stripQuotes(external)))
        description = limitWords(description, to: maxWords)
        // "A woman in …" reads as "a woman in …" after the prefix; an acronym ("NASA …") stays.
        let firstWord = description.prefix(while: \.isLetter)
        if let first = firstWord.first, first.isUppercase, firstWord.dropFirst().allSatisfy(\.isLowercase) {
            description = first.lowercased() + description.dropFirst()
        }
        let lower = description.lowercased()
        let extra = tokens.all.flatMap { $0.components(separatedBy: ", ") }.filter { !lower.contains($0.lowercased()) }
        let parts = [description.trimmingCharacters(in: CharacterSet(charactersIn: " ,."))] + extra
        return withPrefix(parts.filter { !$0.isEmpty }.joined(separator: ", "), subject: subject)
    }

    /// The first `limit` words of `text`, ending at the last phrase or sentence break inside the limit when
    /// there is one in its second half (a caption cut mid-phrase teaches half a phrase).
    public static func limitWords(_ text: String, to limit: Int) -> String {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count > limit else { return text }
        let kept = words.prefix(limit)
        if let cut = kept.lastIndex(where: { $0.hasSuffix(",") || $0.hasSuffix(".") || $0.hasSuffix(";") }),
           cut >= kept.startIndex + limit / 2 {
            return kept[...cut].joined(separator: " ").trimmingCharacters(in: CharacterSet(charactersIn: ",.;"))
        }
        return kept.joined(separator: " ")
    }

    public static func wordCount(_ text: String) -> Int {
        text.split(whereSeparator: { $0 == " " || $0 == "," }).count
    }

    /// An estimate of CLIP's BPE token count (without its start/end tokens): one per punctuation mark,
    /// one per short word, one per ~6 letters of a long or rare word. It errs high on rare words like
    /// trigger tokens, which CLIP splits too.
    public static func estimatedClipTokens(_ text: String) -> Int {
        var count = 0
        var word = 0
        func flush() {
            if word > 0 { count += word <= 7 ? 1 : (word + 5) / 6 }
            word = 0
        }
        for character in text.lowercased() {
            if character.isLetter || character.isNumber { word += 1; continue }
            flush()
            if !character.isWhitespace { count += 1 }
        }
        flush()
        return count
    }

    static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\t", with: " ")
    }

    static func collapseSpaces(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    private static func stripQuotes(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "\"'`"))
    }
}
