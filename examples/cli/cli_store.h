/*
 * sitegpt CLI: the profile store, $XDG_CONFIG_HOME/sitegpt/config.json (else
 * ~/.config/sitegpt/config.json), folder 0700, file 0600, replaced atomically. The file is
 * read once per process for lookups and again, under a lock, for each edit; a corrupt file
 * is reported with its path and never overwritten.
 * cli_store_find (declared in cli.h) is the read side for the session.
 */
#ifndef SITEGPT_CLI_STORE_H
#define SITEGPT_CLI_STORE_H

#include "cli.h"

/*
 * The global options cli_store_find (which takes none) reports its errors with, so a
 * corrupt config gives a --json envelope too. main() or each command sets it once.
 */
void cli_store_use_globals(const cli_globals *g);

/* Wipe the loaded config text (it holds every saved token); the next load reads again. */
void cli_store_wipe(void);

/* Path of the config file ("" when neither XDG_CONFIG_HOME nor HOME is set). */
const char *cli_store_path(void);

/*
 * Load the config once (a missing file is an empty config). CLI_EXIT_STORAGE, with the
 * message printed, for a file that cannot be read or is corrupt, and for a folder or file
 * owned by another user or writable by group or others (refused, as ssh does). Warns on
 * stderr once when the file is readable by group or others.
 */
int cli_store_load(const cli_globals *g, const sg_profiles **out);

/*
 * Apply one edit and write the file atomically (creating the folder 0700 and the file
 * 0600). From the read to the rename it holds an exclusive lock (flock on config.json.lock
 * in the folder) and edits the file as it is on disk then, not as it was loaded, so edits
 * of concurrent sitegpt runs are never lost. A failure prints the reason with the path and
 * leaves the old file as it was. SG_ERR_NOT_FOUND from the edit comes back as
 * CLI_EXIT_AUTH without a message.
 */
int cli_store_apply(const cli_globals *g, const sg_profiles_edit *edit);

/* A profile of the loaded config as a cli_profile; CLI_EXIT_AUTH when there is none. */
int cli_store_profile(const sg_profiles *cfg, const char *name, cli_profile *out);

/* Profile names: 1..CLI_NAME_MAX of A-Z a-z 0-9 . _ - @ (safe in a terminal and a shell). */
bool cli_store_valid_name(const char *name);

/* The default profile's name into out (CLI_NAME_MAX + 1 bytes); false when none is set. */
bool cli_store_default_name(const sg_profiles *cfg, char *out);

#endif /* SITEGPT_CLI_STORE_H */
