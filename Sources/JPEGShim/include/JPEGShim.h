#ifndef WINNOW_JPEG_SHIM_H
#define WINNOW_JPEG_SHIM_H
// A thin C face over libjpeg-turbo's coefficient API (jpeg_read_coefficients): one entropy-decoding
// pass, no IDCT, no colour conversion. libjpeg reports errors by longjmp; every call here catches
// them and returns -1 with a message, so a corrupt file never ends the process.
#include <stddef.h>
#include <stdint.h>

/// An open JPEG and, once read, its quantised DCT coefficients. Close with winnow_jpeg_close.
typedef struct winnow_jpeg winnow_jpeg;

/// What the header says (and, after winnow_jpeg_read, the quantisation tables).
typedef struct {
    /// Pixels as stored, before any EXIF orientation.
    int width;
    int height;
    /// 1 (grey) or 3 (YCbCr); other layouts are not opened.
    int components;
    int progressive;
    /// Per component: sampling factors and size in 8×8 blocks (luma first).
    int h_samp[3];
    int v_samp[3];
    int width_in_blocks[3];
    int height_in_blocks[3];
    /// The first APP1 "Exif" payload (starting with "Exif\0\0"), or NULL; owned by the handle.
    const uint8_t *exif;
    unsigned exif_length;
    /// Per component, filled by winnow_jpeg_read: the quantisation table in natural (row-major) order.
    uint16_t quant[3][64];
} winnow_jpeg_info;

/// Opens `path` and reads its header. Returns 0 with *out set; or 1 when this is not a JPEG the
/// coefficient path reads (not a JPEG, CMYK, RGB, 12-bit, odd sampling: the caller uses libvips),
/// with the reason in *error (free with winnow_jpeg_string_free).
int winnow_jpeg_open(const char *path, winnow_jpeg **out, winnow_jpeg_info *info, char **error);

/// Entropy-decodes every scan into the coefficient arrays (memory: 2 bytes per coefficient of every
/// component) and fills info->quant. A truncated file is an error. Returns 0, or -1 with *error.
int winnow_jpeg_read(winnow_jpeg *jpeg, winnow_jpeg_info *info, char **error);

/// Block row `row` of `component` after winnow_jpeg_read: width_in_blocks blocks of 64 quantised
/// coefficients each, natural order. NULL when out of range. Valid until winnow_jpeg_close.
const int16_t *winnow_jpeg_block_row(winnow_jpeg *jpeg, int component, int row);

void winnow_jpeg_close(winnow_jpeg *jpeg);
void winnow_jpeg_string_free(char *string);

#endif
