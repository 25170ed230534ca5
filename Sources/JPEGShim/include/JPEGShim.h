#ifndef WINNOW_JPEG_SHIM_H
#define WINNOW_JPEG_SHIM_H
// A thin C face over libjpeg-turbo's coefficient API (jpeg_read_coefficients): one entropy-decoding
// pass, no IDCT, no colour conversion. libjpeg reports errors by longjmp; every call here catches
// them and returns -1 with a message, so a corrupt file never ends the process.
#include <stddef.h>
#include <stdint.h>

/// An open JPEG. Close with winnow_jpeg_close.
typedef struct winnow_jpeg winnow_jpeg;

/// What the header says.
typedef struct {
    /// Pixels as stored, before any EXIF orientation.
    int width;
    int height;
    /// 1 (grey) or 3 (YCbCr); other layouts are not opened.
    int components;
    /// Set when the file has more than one scan (progressive, or components in separate scans): it is
    /// decoded whole before any row is handed over.
    int multiple_scans;
    /// Per component: size in 8×8 blocks (luma first).
    int width_in_blocks[3];
    int height_in_blocks[3];
    /// The first APP1 "Exif" payload (starting with "Exif\0\0"), or NULL; owned by the handle.
    const uint8_t *exif;
    unsigned exif_length;
} winnow_jpeg_info;

/// Opens `path` and reads its header. Returns 0 with *out set; or 1 when this is not a JPEG the
/// coefficient path reads (not a JPEG, CMYK, RGB, 12-bit, odd sampling: the caller uses libvips),
/// with the reason in *error (free with winnow_jpeg_string_free).
int winnow_jpeg_open(const char *path, winnow_jpeg **out, winnow_jpeg_info *info, char **error);

/// Receives one block row of one component: its width_in_blocks blocks of 64 quantised coefficients,
/// natural order, and the component's quantisation table (natural order). Valid during the call only.
typedef void (*winnow_jpeg_row_handler)(void *context, int component, int row, const int16_t *blocks,
                                        const uint16_t *quant);

/// Entropy-decodes every scan and hands every block row of every component to `handler`: per MCU row,
/// each component's rows in turn, top to bottom. A single-scan file (baseline, the common case) is
/// handed over while it decodes, from a few reused rows of memory; a multi-scan one (progressive) is
/// decoded whole first (2 bytes per coefficient of every component), and so is any file when
/// `whole_image` is set. A truncated file is an error (rows already handed over are then to be
/// discarded). Returns 0, or -1 with *error.
int winnow_jpeg_read(winnow_jpeg *jpeg, int whole_image, winnow_jpeg_row_handler handler, void *context,
                     char **error);

void winnow_jpeg_close(winnow_jpeg *jpeg);
void winnow_jpeg_string_free(char *string);

#endif
