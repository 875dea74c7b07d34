/* sitegpt-c: the library's half of sg_check_layout() (sitegpt.h). */
#include <sitegpt/sitegpt.h>

sg_status sg_layout_compare(uint64_t app_digest)
{
    return app_digest == sg_layout_digest() ? SG_OK : SG_ERR_LAYOUT;
}
