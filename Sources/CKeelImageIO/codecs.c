#include "CKeelImageIO.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

static void set_error(char *error, const char *message) {
    if (error) {
        strncpy(error, message, 255);
        error[255] = 0;
    }
}

/* The header's size against the limits, before any pixel memory is allocated. */
static int size_allowed(unsigned long width, unsigned long height, long max_side, long long max_pixels, char *error) {
    if (width == 0 || height == 0 || width > (unsigned long)max_side || height > (unsigned long)max_side ||
        (long long)width * (long long)height > max_pixels) {
        char message[256];
        snprintf(message, sizeof message, "the header declares %lux%lu pixels, beyond the limit of %ld per side and %lld in all "
                 "(raise it with --max-image-pixels)", width, height, max_side, max_pixels);
        set_error(error, message);
        return 0;
    }
    return 1;
}

unsigned char *keel_png_decode(const unsigned char *data, size_t size, long max_side, long long max_pixels, int *width, int *height,
                               int *channels, char *error) {
    png_image image;
    memset(&image, 0, sizeof(image));
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, size)) {
        set_error(error, image.message[0] ? image.message : "not a PNG file");
        return NULL;
    }
    if (!size_allowed(image.width, image.height, max_side, max_pixels, error)) {
        png_image_free(&image);
        return NULL;
    }
    int wanted = *channels;
    if (wanted == 0) {
        const int has_color = (image.format & PNG_FORMAT_FLAG_COLOR) != 0;
        const int has_alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
        wanted = has_alpha ? 4 : (has_color ? 3 : 1);
    }
    image.format = wanted == 1 ? PNG_FORMAT_GRAY : wanted == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
    const size_t bytes = PNG_IMAGE_SIZE(image);
    unsigned char *pixels = malloc(bytes);
    if (!pixels) {
        png_image_free(&image);
        set_error(error, "out of memory");
        return NULL;
    }
    if (!png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
        set_error(error, image.message[0] ? image.message : "corrupt PNG data");
        free(pixels);
        png_image_free(&image);
        return NULL;
    }
    *width = (int)image.width;
    *height = (int)image.height;
    *channels = wanted;
    return pixels;
}

unsigned char *keel_png_encode(const unsigned char *pixels, int width, int height, int channels, size_t *size, char *error) {
    png_image image;
    memset(&image, 0, sizeof(image));
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)width;
    image.height = (png_uint_32)height;
    image.format = channels == 1 ? PNG_FORMAT_GRAY : channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
    png_alloc_size_t bytes = 0;
    if (!png_image_write_to_memory(&image, NULL, &bytes, 0, pixels, 0, NULL)) {
        set_error(error, image.message[0] ? image.message : "PNG encoding failed");
        return NULL;
    }
    unsigned char *out = malloc(bytes);
    if (!out || !png_image_write_to_memory(&image, out, &bytes, 0, pixels, 0, NULL)) {
        set_error(error, image.message[0] ? image.message : "PNG encoding failed");
        free(out);
        return NULL;
    }
    *size = bytes;
    return out;
}

struct keel_jpeg_error {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
};

static void keel_jpeg_error_exit(j_common_ptr info) {
    struct keel_jpeg_error *e = (struct keel_jpeg_error *)info->err;
    char buffer[JMSG_LENGTH_MAX];
    (*info->err->format_message)(info, buffer);
    set_error(e->message, buffer);
    longjmp(e->jump, 1);
}

static void keel_jpeg_silence(j_common_ptr info, int level) { (void)info; (void)level; }

unsigned char *keel_jpeg_decode(const unsigned char *data, size_t size, long max_side, long long max_pixels, int *width, int *height,
                                int *channels, char *error) {
    struct jpeg_decompress_struct info;
    struct keel_jpeg_error e;
    unsigned char *volatile pixels = NULL;
    info.err = jpeg_std_error(&e.base);
    e.base.error_exit = keel_jpeg_error_exit;
    e.base.emit_message = keel_jpeg_silence;
    e.message = error;
    if (setjmp(e.jump)) {
        jpeg_destroy_decompress(&info);
        free(pixels);
        return NULL;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    if (jpeg_read_header(&info, TRUE) != JPEG_HEADER_OK) {
        set_error(error, "not a JPEG file");
        jpeg_destroy_decompress(&info);
        return NULL;
    }
    if (!size_allowed(info.image_width, info.image_height, max_side, max_pixels, error)) {
        jpeg_destroy_decompress(&info);
        return NULL;
    }
    info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&info);
    const int c = info.output_components, w = (int)info.output_width, h = (int)info.output_height;
    pixels = malloc((size_t)w * (size_t)h * (size_t)c);
    if (!pixels) {
        set_error(error, "out of memory");
        jpeg_destroy_decompress(&info);
        return NULL;
    }
    while (info.output_scanline < info.output_height) {
        unsigned char *row = pixels + (size_t)info.output_scanline * (size_t)w * (size_t)c;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    *width = w;
    *height = h;
    *channels = c;
    return pixels;
}

unsigned char *keel_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality,
                                size_t *size, char *error) {
    struct jpeg_compress_struct info;
    struct keel_jpeg_error e;
    unsigned char *out = NULL;
    unsigned long out_size = 0;
    info.err = jpeg_std_error(&e.base);
    e.base.error_exit = keel_jpeg_error_exit;
    e.base.emit_message = keel_jpeg_silence;
    e.message = error;
    if (setjmp(e.jump)) {
        jpeg_destroy_compress(&info);
        free(out);
        return NULL;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &out, &out_size);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = channels;
    info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * (size_t)width * (size_t)channels);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *size = out_size;
    return out;
}

void keel_image_free(void *buffer) { free(buffer); }
