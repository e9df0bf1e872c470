// libpng (Debian: libpng-dev). Use only the simplified API (png_image_*): the classic API reports errors by longjmp.
#include <png.h>
