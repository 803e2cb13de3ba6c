// CKeelImageIO: thin glue over libpng's simplified API and libjpeg(-turbo), so that decoding errors
// come back as messages instead of libjpeg's default exit(). No image logic here.
#ifndef CKEELIMAGEIO_H
#define CKEELIMAGEIO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Decodes a PNG held in memory to 8-bit pixels, `channels` per pixel (1 gray, 3 RGB, 4 RGBA; 0 keeps the
/// file's own: gray, gray+alpha→RGBA, RGB, RGBA). Returns a malloc'ed buffer (free with keel_image_free) or
/// NULL with a message in `error` (at least 256 bytes).
unsigned char *keel_png_decode(const unsigned char *data, size_t size, long max_side, long long max_pixels, int *width, int *height,
                                int *channels, char *error);

/// Encodes 8-bit pixels as PNG; returns a malloc'ed buffer and its size, or NULL with a message.
unsigned char *keel_png_encode(const unsigned char *pixels, int width, int height, int channels, size_t *size, char *error);

/// Decodes a JPEG held in memory to 8-bit gray (1) or RGB (3) pixels.
unsigned char *keel_jpeg_decode(const unsigned char *data, size_t size, long max_side, long long max_pixels, int *width, int *height,
                                 int *channels, char *error);

/// Encodes 8-bit gray or RGB pixels as JPEG with `quality` 1–100.
unsigned char *keel_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality,
                                size_t *size, char *error);

void keel_image_free(void *buffer);

#ifdef __cplusplus
}
#endif
#endif
