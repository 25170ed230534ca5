#ifndef WINNOW_VIPS_SHIM_H
#define WINNOW_VIPS_SHIM_H
// A thin, non-variadic C face over libvips: Swift cannot call vips' variadic API.
#include <stddef.h>
#include <stdint.h>

/// Interleaved 8-bit pixels owned by the shim; free with winnow_pixels_free.
typedef struct {
    int width;
    int height;
    int bands;
    uint8_t *data;
} winnow_pixels;

/// Starts libvips once per process. Returns 0 on success.
int winnow_vips_start(void);

/// Reads only the header: size and loader name ("jpegload", "pngload", ...).
/// Returns 0, or -1 with a message in *error (free with winnow_string_free).
int winnow_vips_header(const char *path, int *width, int *height, char **loader, char **error);

/// Decodes `path` shrunk on load so that its long side is at most `max_side`, auto-rotated,
/// as 8-bit sRGB (3 bands). `max_pixels` guards against decompression bombs: a header larger
/// than that is refused before any pixel is decoded.
int winnow_vips_thumbnail(const char *path, int max_side, int64_t max_pixels,
                          winnow_pixels *out, char **error);

/// Decodes a rectangle of the image at native resolution as 8-bit luminance (1 band).
int winnow_vips_region_gray(const char *path, int left, int top, int width, int height,
                            winnow_pixels *out, char **error);

/// Decodes the whole image at native resolution (no rotation) as 8-bit luminance (1 band),
/// streaming sequentially: sharpness is measured on the real pixels, never on a shrunk copy.
int winnow_vips_gray_native(const char *path, int64_t max_pixels, winnow_pixels *out, char **error);

/// Decodes every pixel of `path` once, flattened on white, as stored (not turned): 8-bit grey (1 band)
/// for a grey file, else 8-bit sRGB (3 bands); `orientation` gets its EXIF orientation (1 without one).
/// When `max_side` > 0, `small` is also made from those pixels as `winnow_vips_thumbnail` makes it
/// (auto-rotated). Both are freed on error.
int winnow_vips_native(const char *path, int max_side, int64_t max_pixels,
                       winnow_pixels *native, int *orientation, winnow_pixels *small, char **error);

/// Decodes every pixel of `path` at native resolution into memory and drops them: the plain full
/// decode that benchmarks compare winnow's analysis against. Returns 0, or -1 with a message.
int winnow_vips_decode_full(const char *path, char **error);

/// Writes a derived copy of `path` to `out` (format from the suffix, JPEG quality `quality`): resized
/// to `long_side` pixels on the long side (Lanczos down, bicubic up: how upscalers make big soft copies),
/// then, when `blur_sigma` > 0, Gaussian-blurred. Makes the real-image fixtures of the quality tests.
int winnow_vips_derive(const char *path, const char *out, int long_side, double blur_sigma, int quality,
                       char **error);

/// Writes 8-bit pixels (1 or 3 bands) to a file; the format follows the suffix.
int winnow_vips_save(const winnow_pixels *pixels, const char *path, char **error);

/* ---- Image handles, for composing pictures (the contact sheet) ----
   A winnow_image is a libvips image (3-band 8-bit sRGB). Every function returns a new handle the
   caller frees with winnow_image_free, or NULL with a message in *error. */
typedef struct winnow_image winnow_image;

/// `path` shrunk to fit a size x size square, auto-rotated, centred on a `background` square.
winnow_image *winnow_image_thumbnail_cell(const char *path, int size, const uint8_t background[3], char **error);

/// A plain rectangle.
winnow_image *winnow_image_blank(int width, int height, const uint8_t colour[3], char **error);

/// Pango `markup` rendered with `font` (e.g. "sans 11"), wrapped at `width` pixels, in `ink` on
/// `background`, with `padding` pixels around it.
winnow_image *winnow_image_text(const char *markup, const char *font, int width, int padding,
                                const uint8_t ink[3], const uint8_t background[3], char **error);

/// Joins `count` images side by side (`horizontal` != 0) or stacked, `gap` pixels apart, top/left
/// aligned; each keeps its own size and the gaps are filled with `background`.
winnow_image *winnow_image_join(winnow_image *const *images, int count, int horizontal, int gap,
                                const uint8_t background[3], char **error);

/// `sub` drawn over `base` with its top-left corner at x, y.
winnow_image *winnow_image_insert(const winnow_image *base, const winnow_image *sub, int x, int y, char **error);

/// `image` placed at x, y on a width x height canvas of `background`.
winnow_image *winnow_image_embed(const winnow_image *image, int x, int y, int width, int height,
                                 const uint8_t background[3], char **error);

int winnow_image_width(const winnow_image *image);
int winnow_image_height(const winnow_image *image);

/// Writes the image; the format follows the suffix (".png").
int winnow_image_save(const winnow_image *image, const char *path, char **error);

void winnow_image_free(winnow_image *image);

void winnow_pixels_free(winnow_pixels *pixels);
void winnow_string_free(char *string);

#endif
