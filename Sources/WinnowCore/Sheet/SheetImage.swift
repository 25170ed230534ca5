import Foundation
import VipsShim

/// Why a picture could not be composed, in libvips' words.
public struct SheetError: Error, CustomStringConvertible {
    public var description: String
}

/// An 8-bit sRGB picture held by libvips, for composing the contact sheet. Immutable: every
/// operation returns a new image (libvips evaluates the whole pipeline once, when saving).
final class SheetImage {
    typealias RGB = (UInt8, UInt8, UInt8)
    let handle: OpaquePointer

    private init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { winnow_image_free(handle) }

    var width: Int { Int(winnow_image_width(handle)) }
    var height: Int { Int(winnow_image_height(handle)) }

    /// `path` shrunk to fit a `size`-pixel square, centred on `background`.
    static func cell(path: String, size: Int, background: RGB) throws -> SheetImage {
        try make { error in withColour(background) { winnow_image_thumbnail_cell(path, Int32(size), $0, &error) } }
    }

    static func blank(width: Int, height: Int, colour: RGB) throws -> SheetImage {
        try make { error in withColour(colour) { winnow_image_blank(Int32(width), Int32(height), $0, &error) } }
    }

    /// Pango markup (escape user text with `escape`) wrapped at `width` pixels.
    static func text(_ markup: String, font: String, width: Int, padding: Int = 0, ink: RGB, background: RGB) throws -> SheetImage {
        try make { error in
            withColour(ink) { inkPointer in
                withColour(background) { winnow_image_text(markup, font, Int32(width), Int32(padding), inkPointer, $0, &error) }
            }
        }
    }

    /// Images side by side (`horizontal`) or stacked, each keeping its size, top/left aligned.
    static func join(_ images: [SheetImage], horizontal: Bool, gap: Int, background: RGB) throws -> SheetImage {
        precondition(!images.isEmpty)
        let handles: [OpaquePointer?] = images.map(\.handle)
        return try withExtendedLifetime(images) {
            try make { error in
                withColour(background) { colour in
                    handles.withUnsafeBufferPointer {
                        winnow_image_join($0.baseAddress, Int32(images.count), horizontal ? 1 : 0, Int32(gap), colour, &error)
                    }
                }
            }
        }
    }

    /// `image` drawn over this one at x, y.
    func inserting(_ image: SheetImage, x: Int, y: Int) throws -> SheetImage {
        try withExtendedLifetime((self, image)) {
            try Self.make { error in winnow_image_insert(handle, image.handle, Int32(x), Int32(y), &error) }
        }
    }

    /// This image at x, y on a larger canvas.
    func embedded(x: Int, y: Int, width: Int, height: Int, background: RGB) throws -> SheetImage {
        try withExtendedLifetime(self) {
            try Self.make { error in
                Self.withColour(background) { winnow_image_embed(handle, Int32(x), Int32(y), Int32(width), Int32(height), $0, &error) }
            }
        }
    }

    func save(to file: URL) throws {
        var error: UnsafeMutablePointer<CChar>?
        if winnow_image_save(handle, file.path, &error) != 0 { throw SheetError(description: Vips.take(error)) }
    }

    /// Escapes text for Pango markup.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    private static func make(_ body: (inout UnsafeMutablePointer<CChar>?) -> OpaquePointer?) throws -> SheetImage {
        Vips.start()
        var error: UnsafeMutablePointer<CChar>?
        guard let handle = body(&error) else { throw SheetError(description: Vips.take(error)) }
        return SheetImage(handle)
    }

    private static func withColour<T>(_ colour: RGB, _ body: (UnsafePointer<UInt8>) -> T) -> T {
        let values = [colour.0, colour.1, colour.2]
        return values.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
