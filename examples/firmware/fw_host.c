/*
 * What both QEMU firmwares read from and say to the host through semihosting: their command
 * line, the CA file and the console lines (QEMU's stderr).
 */
#include <string.h>

#include "cortexm.h"
#include "fw.h"

bool fw_parse_args(char *line, fw_args *a)
{
    memset(a, 0, sizeof *a);
    for (char *p = line; *p != '\0';) {
        while (*p == ' ') {
            *p++ = '\0';
        }
        char *word = p;
        while (*p != '\0' && *p != ' ') {
            p++;
        }
        if (strncmp(word, "base=", 5) == 0) {
            a->base_url = word + 5;
        } else if (strncmp(word, "ca=", 3) == 0) {
            a->ca_file = word + 3;
        } else if (strncmp(word, "kv=", 3) == 0) {
            a->kv_dir = word + 3;
        } else if (strncmp(word, "seed=", 5) == 0) {
            a->seed = word + 5;
        } else if (strncmp(word, "host=", 5) == 0) {
            char *eq = strchr(word + 5, '=');
            if (eq != NULL && eq != word + 5) {
                *eq = '\0';
                a->host_name = word + 5;
                a->host_ip = eq + 1;
            }
        }
    }
    return a->base_url != NULL && a->ca_file != NULL && a->kv_dir != NULL;
}

sg_status fw_read_pem(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    if (cap == 0) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    sg_status st = cm_sh_file_read(path, buf, cap - 1u, len);
    if (st == SG_OK) {
        buf[*len] = 0;
        *len += 1u; /* mbedTLS wants the PEM's NUL counted */
    }
    return st;
}

void fw_say(const char *label, const char *value)
{
    cm_sh_puts("fw: ");
    cm_sh_puts(label);
    cm_sh_puts(value);
    cm_sh_puts("\n");
}

void fw_say_num(const char *label, size_t value, const char *unit)
{
    cm_sh_puts("fw: ");
    cm_sh_puts(label);
    cm_sh_put_u32((uint32_t)value);
    cm_sh_puts(unit);
    cm_sh_puts("\n");
}

void fw_say_error(const char *what, sg_status st, int tls_error, int net_error)
{
    cm_sh_puts("fw: error: ");
    cm_sh_puts(what);
    cm_sh_puts(": ");
    cm_sh_puts(sg_strerror(st));
    if (st < 0) { /* with SG_STRERROR_TEXTS 0 the text names only the layer */
        cm_sh_puts(" (status -");
        cm_sh_put_u32((uint32_t) - (int32_t)st);
        cm_sh_puts(")");
    }
    if (tls_error < 0) {
        cm_sh_puts(" (mbedTLS error -");
        cm_sh_put_u32((uint32_t)-tls_error);
        cm_sh_puts(")");
    }
    if (net_error != 0) {
        cm_sh_puts(" (lwIP error -");
        cm_sh_put_u32((uint32_t)(-(int32_t)net_error));
        cm_sh_puts(")");
    }
    cm_sh_puts("\n");
}
