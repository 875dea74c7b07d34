/* sitegpt chatbots: list (one page or all of them) and get. */
#include <stdio.h>
#include <string.h>

#include "cli_apicmd.h"
#include "cli_identity.h"

#define ID_WIDTH 24
#define STATUS_WIDTH 10
#define DATE_WIDTH 12

static void help_main(FILE *out)
{
    fputs("Usage: sitegpt chatbots <list|get> [options]\n"
          "\n"
          "Read the chatbots the current credential can see (scope chatbots:read). A token\n"
          "restricted to some chatbots sees only those.\n"
          "\n"
          "Subcommands:\n"
          "  list   list chatbots, one page or --all\n"
          "  get    show one chatbot by id\n"
          "\n"
          "Examples:\n"
          "  sitegpt chatbots list\n"
          "  sitegpt chatbots list --all --json | jq -r '.data.chatbots[].id'\n"
          "  sitegpt chatbots get cb_0001\n"
          "\n"
          "Run 'sitegpt chatbots <subcommand> --help' for its options.\n",
          out);
}

static void help_list(FILE *out)
{
    fputs("Usage: sitegpt chatbots list [--limit N] [--cursor C] [--all] [--json]\n"
          "\n"
          "A table of id, status, creation date and name, one chatbot per line. Ids are\n"
          "printed whole, ready to copy into 'sitegpt chatbots get'.\n"
          "\n"
          "Options:\n"
          "  --limit N    chatbots per page (the server caps it; default 20)\n"
          "  --cursor C   start at this page (the 'next page' hint of a previous list)\n"
          "  --all        follow every page to the end, in constant memory\n"
          "  --json       print the API envelope unchanged; with --all, one envelope per\n"
          "               page, one per line (JSON lines)\n"
          "\n"
          "When more pages exist, a hint with the next cursor goes to stderr.\n"
          "\n"
          "Examples:\n"
          "  sitegpt chatbots list --limit 5\n"
          "  sitegpt chatbots list --cursor Yzoy\n"
          "  sitegpt chatbots list --all --json | jq -r '.data.chatbots[].name'\n",
          out);
}

static void help_get(FILE *out)
{
    fputs("Usage: sitegpt chatbots get <id> [--json]\n"
          "\n"
          "Every field the API returns for one chatbot, one per line; --json prints the\n"
          "envelope {\"ok\":true,\"data\":{\"chatbot\":{...}},\"meta\":{...}} unchanged.\n"
          "A token restricted to other chatbots gets CHATBOT_NOT_FOUND.\n"
          "\n"
          "Examples:\n"
          "  sitegpt chatbots get cb_0001\n"
          "  sitegpt chatbots get cb_0001 --json | jq .data.chatbot.name\n",
          out);
}

static bool is_help(const char *a)
{
    return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

typedef struct list_view {
    cli_apicmd *c;
    bool header_done;
} list_view;

static sg_status print_chatbot_row(void *ctx, const sg_json_element *item)
{
    list_view *v = ctx;
    if (v->c->g->json) {
        return SG_OK;
    }
    if (!v->header_done) {
        printf("%-*s %-*s %-*s %s\n", ID_WIDTH - 1, "ID", STATUS_WIDTH - 1, "STATUS",
               DATE_WIDTH - 1, "CREATED", "NAME");
        v->header_done = true;
    }
    char id[512], status[64], created[64], name[512];
    cli_elem_text(item, "id", id, sizeof id);
    cli_elem_text(item, "status", status, sizeof status);
    cli_elem_text(item, "createdAt", created, sizeof created);
    cli_elem_text(item, "name", name, sizeof name);
    if (strlen(created) > 10 && created[4] == '-' && created[10] == 'T') {
        created[10] = '\0'; /* the day is enough in a table; --json has the rest */
    }
    cli_print_cell(stdout, id, ID_WIDTH);
    cli_print_cell(stdout, status, STATUS_WIDTH);
    cli_print_cell(stdout, created, DATE_WIDTH);
    fputs(name, stdout);
    fputc('\n', stdout);
    return SG_OK;
}

static sg_status list_page_done(void *ctx, const sg_api_page *page)
{
    return cli_apicmd_on_page(((list_view *)ctx)->c, page);
}

static int chatbots_list(const cli_globals *g, int argc, char **argv)
{
    sg_api_list_params params = {0, NULL, false, false};
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        bool missing = false;
        unsigned long n;
        if (is_help(argv[i])) {
            help_list(stdout);
            return CLI_EXIT_OK;
        } else if (cli_opt(argc, argv, &i, "--limit", &v, &missing)) {
            if (!cli_parse_uint(v, 1, 1000000, &n)) {
                return cli_usage_error(g, "chatbots list", "--limit needs a number >= 1, not '%s'",
                                       v);
            }
            params.limit = (uint32_t)n;
        } else if (cli_opt(argc, argv, &i, "--cursor", &v, &missing)) {
            if (v[0] == '\0' || strlen(v) >= SG_API_CURSOR_MAX) {
                return cli_usage_error(g, "chatbots list", "--cursor needs a cursor of 1..%u "
                                       "characters", SG_API_CURSOR_MAX - 1);
            }
            params.cursor = v;
        } else if (strcmp(argv[i], "--all") == 0) {
            params.all_pages = true;
        } else if (missing) {
            return cli_usage_error(g, "chatbots list", "%s needs a value", argv[i]);
        } else {
            return cli_usage_error(g, "chatbots list", "unexpected argument '%s'", argv[i]);
        }
    }
    static cli_apicmd c;
    int rc = cli_apicmd_open(g, &c);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    list_view view = {&c, false};
    sg_api_list_out out;
    memset(&out, 0, sizeof out);
    out.on_item = print_chatbot_row;
    out.on_page = list_page_done;
    out.ctx = &view;
    sg_status st = sg_api_chatbots_list(&c.api, &params, &out, &c.env);
    if (st != SG_OK) {
        rc = cli_apicmd_fail(&c, st, "listing chatbots", "chatbots:read");
        cli_apicmd_close(&c);
        return rc;
    }
    if (!g->json) {
        if (out.total_items == 0) {
            fputs("No chatbots.\n", stderr);
        }
        if (out.last.has_next_page && !params.all_pages) {
            fputs("More chatbots: sitegpt chatbots list --cursor ", stderr);
            cli_puts_clean(out.last.next_cursor, stderr);
            if (params.limit > 0) {
                fprintf(stderr, " --limit %u", (unsigned)params.limit);
            }
            fputs("  (or --all)\n", stderr);
        }
    }
    cli_apicmd_close(&c);
    return CLI_EXIT_OK;
}

typedef struct get_view {
    cli_apicmd *c;
} get_view;

static sg_status print_chatbot(void *ctx, const sg_json_element *item)
{
    get_view *v = ctx;
    if (!v->c->g->json) {
        cli_print_object(stdout, item, "");
    }
    return SG_OK;
}

static int chatbots_get(const cli_globals *g, int argc, char **argv)
{
    const char *id = NULL;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            help_get(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--") == 0 && i + 1 < argc && id == NULL) {
            id = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(g, "chatbots get", "unknown option '%s'", argv[i]);
        } else if (id == NULL) {
            id = argv[i];
        } else {
            return cli_usage_error(g, "chatbots get", "unexpected argument '%s' (one id only)",
                                   argv[i]);
        }
    }
    if (id == NULL || id[0] == '\0') {
        return cli_usage_error(g, "chatbots get", "missing the chatbot id, e.g. "
                               "'sitegpt chatbots get cb_0001' (ids: 'sitegpt chatbots list')");
    }
    static cli_apicmd c;
    int rc = cli_apicmd_open(g, &c);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    get_view view = {&c};
    sg_status st = sg_api_chatbot_get(&c.api, id, print_chatbot, &view, &c.env);
    if (st != SG_OK) {
        rc = cli_apicmd_fail(&c, st, "getting the chatbot", "chatbots:read");
    } else if (g->json) {
        cli_apicmd_json_newline(&c);
    }
    cli_apicmd_close(&c);
    return rc;
}

int cmd_chatbots(const cli_globals *g, int argc, char **argv)
{
    if (argc < 2) {
        help_main(stderr);
        return cli_usage_error(g, "chatbots", "missing the subcommand (list or get)");
    }
    const char *sub = argv[1];
    if (is_help(sub)) {
        help_main(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "list") == 0) {
        return chatbots_list(g, argc - 1, argv + 1);
    }
    if (strcmp(sub, "get") == 0) {
        return chatbots_get(g, argc - 1, argv + 1);
    }
    return cli_fail(g, CLI_EXIT_USAGE, "UNKNOWN_COMMAND",
                    "unknown subcommand 'chatbots %s'. Run 'sitegpt chatbots --help'.", sub);
}
