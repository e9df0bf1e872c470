// libffi (Debian: libffi-dev): calls plugin-declared actions with a signature known only at run time.
#include <ffi.h>
