#include "JPEGShim.h"
#include <setjmp.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

/// libjpeg's error manager, made to jump back here instead of calling exit().
typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} catching_errors;

/// One component's coefficient array, in storage this shim provides instead of libjpeg's memory
/// manager: the whole image (see `zeroed_storage`), or, for a single-scan file, only the rows libjpeg
/// is filling (see `access_coefficient_array`).
typedef struct coefficient_array {
    int component;
    JBLOCKARRAY rows;
    JDIMENSION blocks_per_row, row_count, max_access;
    /// Streaming: the scratch rows, and the block rows they hold (start, count) once filled.
    JBLOCK *scratch;
    JDIMENSION pending_start, pending_count;
    struct coefficient_array *next;
} coefficient_array;

struct winnow_jpeg {
    /// First member: libjpeg's callbacks get &cinfo and find the rest of the handle from it.
    struct jpeg_decompress_struct cinfo;
    catching_errors errors;
    FILE *file;
    /// The coefficient arrays requested of the memory manager (in component order), and the storage
    /// they live in.
    coefficient_array *arrays;
    int array_count;
    JBLOCK *storage;
    size_t storage_bytes;
    void (*libjpeg_realize)(j_common_ptr);
    /// Set for a single-scan file: each block row is complete once libjpeg moves on to the next, so it
    /// goes to `handler` then and its storage is reused.
    int streaming;
    winnow_jpeg_row_handler handler;
    void *context;
    uint16_t quant[3][64];
};

/// libjpeg's memory manager takes the coefficient arrays from malloc and zeroes each row before the
/// entropy decoder fills it (it writes only the non-zero coefficients). Arrays of many megabytes come
/// from the kernel as fresh pages, which the kernel has already zeroed, one 4 kB page fault at a time:
/// on DEV the faults, the kernel's zeroing and libjpeg's second zeroing were over a tenth of a scan's
/// CPU. This shim maps the arrays itself, asks for 2 MB pages (one fault per 2 MB), and skips the
/// second zeroing. Nothing is kept between images, so memory is what libjpeg's own manager takes.
#define HUGE_PAGE_BYTES ((size_t)2 << 20)

/// `bytes` of zeroed storage straight from the kernel, or NULL. Sizes past 2 MB are rounded up to
/// whole 2 MB pages (the kernel aligns only those for huge pages); *mapped gets the size mapped.
static JBLOCK *zeroed_storage(size_t bytes, size_t *mapped) {
    if (bytes >= HUGE_PAGE_BYTES) bytes = (bytes + HUGE_PAGE_BYTES - 1) / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES;
    void *storage = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (storage == MAP_FAILED) return NULL;
#ifdef MADV_HUGEPAGE
    if (bytes >= HUGE_PAGE_BYTES) madvise(storage, bytes, MADV_HUGEPAGE);
#endif
    *mapped = bytes;
    return storage;
}

/// libjpeg's request_virt_barray: every array is all in memory and zeroed, whatever `pre_zero` asks.
/// libjpeg's coefficient controller requests one per component, in component order.
static jvirt_barray_ptr request_coefficient_array(j_common_ptr cinfo, int pool_id, boolean pre_zero,
                                                  JDIMENSION blocks_per_row, JDIMENSION row_count,
                                                  JDIMENSION max_access) {
    (void)pre_zero;
    winnow_jpeg *jpeg = (winnow_jpeg *)cinfo;
    coefficient_array *array = (*cinfo->mem->alloc_small)(cinfo, pool_id, sizeof *array);
    memset(array, 0, sizeof *array);
    array->component = jpeg->array_count++;
    array->blocks_per_row = blocks_per_row;
    array->row_count = row_count;
    array->max_access = max_access;
    // Appended, so that rows are handed over component by component in order.
    coefficient_array **last = &jpeg->arrays;
    while (*last) last = &(*last)->next;
    *last = array;
    return (jvirt_barray_ptr)array;
}

/// libjpeg's realize_virt_arrays: one mapping for every coefficient array, rows pointing into it; when
/// streaming, only `max_access` rows per array.
static void realize_arrays(j_common_ptr cinfo) {
    winnow_jpeg *jpeg = (winnow_jpeg *)cinfo;
    jpeg->libjpeg_realize(cinfo);   // virtual sample arrays, if any, stay libjpeg's
    if (jpeg->storage) return;
    size_t blocks = 0;
    for (coefficient_array *a = jpeg->arrays; a; a = a->next)
        blocks += (size_t)a->blocks_per_row * (jpeg->streaming ? a->max_access : a->row_count);
    if (blocks == 0) return;
    jpeg->storage = zeroed_storage(blocks * sizeof(JBLOCK), &jpeg->storage_bytes);
    if (!jpeg->storage) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 10);
    JBLOCK *next = jpeg->storage;
    for (coefficient_array *a = jpeg->arrays; a; a = a->next) {
        JDIMENSION rows = jpeg->streaming ? a->max_access : a->row_count;
        a->rows = (*cinfo->mem->alloc_small)(cinfo, JPOOL_IMAGE, (size_t)rows * sizeof(JBLOCKROW));
        a->scratch = next;
        for (JDIMENSION r = 0; r < rows; r++, next += a->blocks_per_row) a->rows[r] = next;
    }
}

/// Hands `array`'s block rows start..<start+count to the handler (those inside the image: the array is
/// rounded up to whole MCUs).
static void hand_over(winnow_jpeg *jpeg, coefficient_array *array, JDIMENSION start, JDIMENSION count) {
    jpeg_component_info *component = &jpeg->cinfo.comp_info[array->component];
    for (JDIMENSION r = start; r < start + count && r < component->height_in_blocks; r++) {
        JBLOCKROW row = jpeg->streaming ? array->rows[r - start] : array->rows[r];
        jpeg->handler(jpeg->context, array->component, (int)r, (const int16_t *)row, jpeg->quant[array->component]);
    }
}

/// libjpeg's access_virt_barray: the rows asked for. Whole image: straight from the mapping (zero
/// already: fresh from the kernel, so libjpeg's own zeroing is skipped). Streaming: libjpeg fills each
/// row once, in order, so a request for new rows means the scratch rows are complete: they are handed
/// over, zeroed and reused.
static JBLOCKARRAY access_coefficient_array(j_common_ptr cinfo, jvirt_barray_ptr ptr, JDIMENSION start_row,
                                            JDIMENSION num_rows, boolean writable) {
    (void)writable;
    winnow_jpeg *jpeg = (winnow_jpeg *)cinfo;
    coefficient_array *array = (coefficient_array *)ptr;
    JDIMENSION end_row = start_row + num_rows;
    if (!array->rows || end_row > array->row_count || end_row < start_row) ERREXIT(cinfo, JERR_BAD_VIRTUAL_ACCESS);
    if (!jpeg->streaming) return array->rows + start_row;
    if (num_rows > array->max_access) ERREXIT(cinfo, JERR_BAD_VIRTUAL_ACCESS);
    if (array->pending_count == 0 || array->pending_start != start_row) {
        if (array->pending_count) hand_over(jpeg, array, array->pending_start, array->pending_count);
        memset(array->scratch, 0, (size_t)array->max_access * array->blocks_per_row * sizeof(JBLOCK));
        array->pending_start = start_row;
        array->pending_count = num_rows;
    }
    return array->rows;
}

static void error_exit(j_common_ptr cinfo) {
    catching_errors *errors = (catching_errors *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, errors->message);
    longjmp(errors->jump, 1);
}

/// Warnings are tolerated (browsers save plenty of slightly odd files) except a premature end of the
/// file: libjpeg would pad it with grey, and a half-grey image must not be judged (libvips' fail_on=error
/// draws the same line).
static void emit_message(j_common_ptr cinfo, int level) {
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) error_exit(cinfo);
    if (level < 0) cinfo->err->num_warnings++;
}

static void output_message(j_common_ptr cinfo) { (void)cinfo; }

static char *copy_message(const char *message) {
    return strdup(message && *message ? message : "JPEG decode failed");
}

int winnow_jpeg_open(const char *path, winnow_jpeg **out, winnow_jpeg_info *info, char **error) {
    *out = NULL;
    memset(info, 0, sizeof *info);
    winnow_jpeg *jpeg = calloc(1, sizeof *jpeg);
    if (!jpeg) { *error = copy_message("out of memory"); return 1; }
    jpeg->file = fopen(path, "rb");
    if (!jpeg->file) { free(jpeg); *error = copy_message("cannot open the file"); return 1; }
    unsigned char magic[3] = {0};
    if (fread(magic, 1, 3, jpeg->file) != 3 || magic[0] != 0xFF || magic[1] != 0xD8 || magic[2] != 0xFF) {
        fclose(jpeg->file);
        free(jpeg);
        *error = copy_message("not a JPEG");
        return 1;
    }
    rewind(jpeg->file);
    jpeg->cinfo.err = jpeg_std_error(&jpeg->errors.pub);
    jpeg->errors.pub.error_exit = error_exit;
    jpeg->errors.pub.emit_message = emit_message;
    jpeg->errors.pub.output_message = output_message;
    if (setjmp(jpeg->errors.jump)) {
        *error = copy_message(jpeg->errors.message);
        winnow_jpeg_close(jpeg);
        return 1;
    }
    jpeg_create_decompress(&jpeg->cinfo);
    jpeg->libjpeg_realize = jpeg->cinfo.mem->realize_virt_arrays;
    jpeg->cinfo.mem->request_virt_barray = request_coefficient_array;
    jpeg->cinfo.mem->realize_virt_arrays = realize_arrays;
    jpeg->cinfo.mem->access_virt_barray = access_coefficient_array;
    jpeg_stdio_src(&jpeg->cinfo, jpeg->file);
    jpeg_save_markers(&jpeg->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&jpeg->cinfo, TRUE);
    struct jpeg_decompress_struct *c = &jpeg->cinfo;
    int supported = c->data_precision == 8 &&
        ((c->num_components == 1 && c->jpeg_color_space == JCS_GRAYSCALE) ||
         (c->num_components == 3 && c->jpeg_color_space == JCS_YCbCr));
    // Luma must carry the full resolution (the usual 4:4:4, 4:2:2, 4:2:0 layouts).
    if (supported && (c->comp_info[0].h_samp_factor != c->max_h_samp_factor ||
                      c->comp_info[0].v_samp_factor != c->max_v_samp_factor)) supported = 0;
    if (!supported) {
        *error = copy_message("a JPEG layout the coefficient path does not read");
        winnow_jpeg_close(jpeg);
        return 1;
    }
    info->width = (int)c->image_width;
    info->height = (int)c->image_height;
    info->components = c->num_components;
    info->multiple_scans = jpeg_has_multiple_scans(c) ? 1 : 0;
    for (int i = 0; i < c->num_components; i++) {
        jpeg_component_info *component = &c->comp_info[i];
        info->width_in_blocks[i] = (int)component->width_in_blocks;
        info->height_in_blocks[i] = (int)component->height_in_blocks;
    }
    for (jpeg_saved_marker_ptr marker = c->marker_list; marker; marker = marker->next) {
        if (marker->marker == JPEG_APP0 + 1 && marker->data_length >= 6 && memcmp(marker->data, "Exif\0\0", 6) == 0) {
            info->exif = marker->data;
            info->exif_length = marker->data_length;
            break;
        }
    }
    *out = jpeg;
    return 0;
}

/// The quantisation tables: libjpeg's latched copies once a scan has started, else those the header
/// defined (all a single-scan file has before its one scan).
static int copy_quantisation(winnow_jpeg *jpeg) {
    struct jpeg_decompress_struct *c = &jpeg->cinfo;
    for (int i = 0; i < c->num_components && i < 3; i++) {
        JQUANT_TBL *table = c->comp_info[i].quant_table;
        int slot = c->comp_info[i].quant_tbl_no;
        if (!table && slot >= 0 && slot < NUM_QUANT_TBLS) table = c->quant_tbl_ptrs[slot];
        if (!table) return -1;
        memcpy(jpeg->quant[i], table->quantval, sizeof jpeg->quant[i]);
    }
    return 0;
}

int winnow_jpeg_read(winnow_jpeg *jpeg, int whole_image, winnow_jpeg_row_handler handler, void *context,
                     char **error) {
    if (setjmp(jpeg->errors.jump)) {
        *error = copy_message(jpeg->errors.message);
        return -1;
    }
    jpeg->handler = handler;
    jpeg->context = context;
    jpeg->streaming = !whole_image && !jpeg_has_multiple_scans(&jpeg->cinfo);
    if (jpeg->streaming && copy_quantisation(jpeg) != 0) {
        *error = copy_message("no quantisation table");
        return -1;
    }
    if (!jpeg_read_coefficients(&jpeg->cinfo)) { *error = copy_message("JPEG decode failed"); return -1; }
    if (jpeg->streaming) {
        for (coefficient_array *a = jpeg->arrays; a; a = a->next)
            if (a->pending_count) hand_over(jpeg, a, a->pending_start, a->pending_count);
        return 0;
    }
    if (copy_quantisation(jpeg) != 0) { *error = copy_message("no quantisation table"); return -1; }
    // In the order a single-scan file streams them: per MCU row, each component's rows.
    struct jpeg_decompress_struct *c = &jpeg->cinfo;
    JDIMENSION mcu_rows = (c->image_height + 8 * c->max_v_samp_factor - 1) / (8 * c->max_v_samp_factor);
    for (JDIMENSION m = 0; m < mcu_rows; m++)
        for (coefficient_array *a = jpeg->arrays; a; a = a->next) {
            JDIMENSION v = (JDIMENSION)c->comp_info[a->component].v_samp_factor;
            hand_over(jpeg, a, m * v, v);
        }
    return 0;
}

void winnow_jpeg_close(winnow_jpeg *jpeg) {
    if (!jpeg) return;
    // jpeg_destroy frees every pool; it never raises an error.
    jpeg_destroy_decompress(&jpeg->cinfo);
    if (jpeg->storage) munmap(jpeg->storage, jpeg->storage_bytes);
    if (jpeg->file) fclose(jpeg->file);
    free(jpeg);
}

void winnow_jpeg_string_free(char *string) { free(string); }
