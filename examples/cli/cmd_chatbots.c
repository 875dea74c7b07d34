/* sitegpt chatbots: list (one page or all of them) and get. */
#include <stdio.h>

#include "cli_typed.h"
#include "cli_identity.h"

#define ID_WIDTH     24
#define STATUS_WIDTH 10
#define DATE_WIDTH   12

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

static void print_header(void)
{
    printf("%-*s %-*s %-*s %s\n", ID_WIDTH - 1, "ID", STATUS_WIDTH - 1, "STATUS", DATE_WIDTH - 1,
           "CREATED", "NAME");
}

static void print_row(const sg_json_element *item)
{
    char text[512];
    cli_elem_text(item, "id", text, sizeof text);
    cli_print_cell(stdout, text, ID_WIDTH);
    cli_elem_text(item, "status", text, sizeof text);
    cli_print_cell(stdout, text, STATUS_WIDTH);
    cli_print_day_cell(stdout, item, "createdAt", DATE_WIDTH);
    cli_elem_text(item, "name", text, sizeof text);
    fputs(text, stdout);
    fputc('\n', stdout);
}

static int chatbots_list(const cli_globals *g, int argc, char **argv)
{
    static const cli_list_cmd list = {
        "chatbots list", "chatbots",   "chatbots:read", false,
        help_list,       print_header, print_row,       sg_api_chatbots_list,
    };
    return cli_typed_list(g, &list, argc, argv);
}

static sg_status print_chatbot(void *ctx, const sg_json_element *item)
{
    const cli_typed *c = ctx;
    if (!c->g->json) {
        cli_print_object(stdout, item, "");
    }
    return SG_OK;
}

static int chatbots_get(const cli_globals *g, int argc, char **argv)
{
    const char *id;
    int rc = cli_one_id(g, "chatbots get", argc, argv, help_get, NULL, "id",
                        "missing the chatbot id, e.g. 'sitegpt chatbots get cb_0001' "
                        "(ids: 'sitegpt chatbots list')",
                        &id);
    if (rc != CLI_EXIT_OK || id == NULL) {
        return rc;
    }
    return cli_typed_item(g, sg_api_chatbot_get, id, print_chatbot, "getting the chatbot",
                          "chatbots:read");
}

int cmd_chatbots(const cli_globals *g, int argc, char **argv)
{
    static const cli_subcommand subs[] = {
        {"list", chatbots_list},
        {"get", chatbots_get},
    };
    return cli_subcommand_run(g, "chatbots", argc, argv, help_main, subs,
                              sizeof subs / sizeof subs[0], "missing the subcommand (list or get)");
}
