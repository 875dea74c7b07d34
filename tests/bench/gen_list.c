/*
 * Writes an API v2 list envelope of token objects of about MB megabytes to a file: the
 * input of `make bench`. Usage: gen_list FILE MB
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE MB\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "wb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    long long target = atoll(argv[2]) * 1024 * 1024, written = 0;
    written += fprintf(f, "{\"ok\":true,\"data\":{\"tokens\":[");
    for (long long i = 0; written < target; i++) {
        written += fprintf(f,
                           "%s{\"id\":\"tok_%08lld\",\"name\":\"CI token \\u00e9 %lld\","
                           "\"scopes\":[\"tokens:read\",\"chatbots:read\",\"knowledge:write\"],"
                           "\"chatbotIds\":[\"cb_%lld\"],\"createdAt\":\"2024-05-01T12:00:00Z\","
                           "\"expiresAt\":\"2024-08-01T12:00:00Z\",\"revokedAt\":null,"
                           "\"lastUsedAt\":null,\"uses\":%lld,\"active\":true}",
                           i ? "," : "", i, i, i % 97, i % 100000);
    }
    fprintf(f, "],\"pagination\":{\"limit\":100000,\"hasNextPage\":false,\"nextCursor\":null}},"
               "\"meta\":{\"requestId\":\"req_bench\"}}\n");
    return fclose(f) == 0 ? 0 : 1;
}
