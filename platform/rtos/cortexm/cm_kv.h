/*
 * sitegpt-c: the sg_rtos key-value hooks as one host file per key, "<folder>/<key>", through
 * semihosting (cm_sh_file_*). For the emulator and a board on a debugger; a device keeps its
 * keys in flash instead (see the examples in include/sitegpt/sg_rtos.h).
 */
#ifndef SG_CM_KV_H
#define SG_CM_KV_H

#include <sitegpt/sg_rtos.h>

/* Longest "<folder>/<key>" with its NUL; a longer one is refused (SG_ERR_INVALID_ARG). */
#define CM_KV_PATH_MAX 128u

/*
 * Set hooks->kv_read, kv_write and kv_erase to host files in folder, and nothing else.
 * The hooks ignore their ctx (one store per program), so they share any ctx the other hooks
 * use. folder must stay valid while they are in use. A key that is empty, starts with '.' or
 * holds a '/' is refused: it could name a file outside the folder.
 */
void cm_kv_hooks(const char *folder, sg_rtos_hooks *hooks);

#endif /* SG_CM_KV_H */
