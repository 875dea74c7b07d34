/* sitegpt-c: sg_wipe (see sg_base.h). */
#include <sitegpt/sg_base.h>

#include <string.h>

/*
 * memset through a volatile function pointer: the compiler cannot know what it calls, so it
 * cannot prove the stores dead and remove them (a plain memset before a buffer's end is).
 */
static void *(*const volatile wipe_memset)(void *, int, size_t) = memset;

void sg_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0) {
        (void)wipe_memset(p, 0, n);
    }
}
