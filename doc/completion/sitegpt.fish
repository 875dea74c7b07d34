# fish completion for sitegpt(1). Installed by `make install` to
# $PREFIX/share/fish/vendor_completions.d/sitegpt.fish (sitegpt-gateway.fish beside it).
# Kept in step with --help by tests/e2e/test_docs_drift.py.

set -l sitegpt_scopes account:read account:write tokens:read tokens:write chatbots:read \
    chatbots:write chatbots:delete knowledge:read knowledge:write knowledge:delete personas:read \
    personas:write personas:delete instructions:read instructions:write instructions:delete \
    settings:read settings:write starters:read starters:write starters:delete followups:read \
    followups:write followups:delete conversations:read conversations:write \
    conversations:delete leads:read leads:write leads:delete members:read members:write \
    members:delete integrations:read integrations:write billing:read billing:write

# Profile names from the config file, read through the CLI itself.
function __sitegpt_profiles
    sitegpt profiles list --json 2>/dev/null | string match -ar '"name":"[^"\\\\]*"' |
        string replace -r '^"name":"(.*)"$' '$1'
end

set -l commands login logout whoami profiles tokens chatbots api help

# True when the command line's first non-option words are exactly $argv.
function __sitegpt_at
    set -l words (commandline -opc)
    set -e words[1]
    set -l positional
    set -l skip 0
    for w in $words
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $w
            case -p --profile --api-base --cacert --proxy --timeout --name --scope --chatbot \
                --expires-in-days --expires-at --token --limit --cursor -X --method -d --data \
                -H --header
                set skip 1
            case '-*'
            case '*'
                set -a positional $w
        end
    end
    test (count $positional) -lt (count $argv); and return 1
    for i in (seq (count $argv))
        test "$positional[$i]" = "$argv[$i]"; or return 1
    end
    return 0
end

function __sitegpt_no_command
    not __fish_seen_subcommand_from login logout whoami profiles tokens chatbots api help
end

complete -c sitegpt -f

# Global options
complete -c sitegpt -l json -d 'machine output: the API envelope on stdout'
complete -c sitegpt -s p -l profile -x -a '(__sitegpt_profiles)' -d 'use this saved profile'
complete -c sitegpt -l api-base -x -d 'API origin'
complete -c sitegpt -l cacert -r -F -d 'trust the CA certificates in FILE'
complete -c sitegpt -l proxy -x -d 'HTTP proxy for https:// (http://user:password@host:port)'
complete -c sitegpt -l timeout -x -d 'connect and read timeout in seconds'
complete -c sitegpt -s h -l help -d 'help'
complete -c sitegpt -s v -l version -d 'version and build facts'

# Commands
complete -c sitegpt -n __sitegpt_no_command -a login -d 'log in with the device code flow'
complete -c sitegpt -n __sitegpt_no_command -a logout -d 'forget the token saved in a profile'
complete -c sitegpt -n __sitegpt_no_command -a whoami -d 'who the credential belongs to'
complete -c sitegpt -n __sitegpt_no_command -a profiles -d 'list, show, switch, delete profiles'
complete -c sitegpt -n __sitegpt_no_command -a tokens -d 'list, create, rotate, revoke tokens'
complete -c sitegpt -n __sitegpt_no_command -a chatbots -d 'list chatbots and show one'
complete -c sitegpt -n __sitegpt_no_command -a api -d 'send any request to the API v2'
complete -c sitegpt -n __sitegpt_no_command -a help -d 'help for a command'

# login
complete -c sitegpt -n '__sitegpt_at login' -l name -x -d 'token name shown in the dashboard'
complete -c sitegpt -n '__sitegpt_at login' -l full-access -d 'every scope your role may issue'
complete -c sitegpt -n '__sitegpt_at login' -l scope -x -a "$sitegpt_scopes" -d 'ask for this scope'
complete -c sitegpt -n '__sitegpt_at login' -l chatbot -x -d 'restrict the token to this chatbot'
complete -c sitegpt -n '__sitegpt_at login' -l expires-in-days -x -d 'token lifetime in days'
complete -c sitegpt -n '__sitegpt_at login' -l token -x -a - -d 'store an existing token (- reads stdin)'
complete -c sitegpt -n '__sitegpt_at login' -l qr -d 'draw the verification link as a QR code'
complete -c sitegpt -n '__sitegpt_at login' -l no-browser -d 'do not open a browser'

# profiles
complete -c sitegpt -n '__sitegpt_at profiles; and not __fish_seen_subcommand_from list show use set-default delete remove' \
    -a 'list show use set-default delete remove'
complete -c sitegpt -n '__sitegpt_at profiles show; or __sitegpt_at profiles use; or __sitegpt_at profiles set-default; or __sitegpt_at profiles delete; or __sitegpt_at profiles remove' \
    -a '(__sitegpt_profiles)'
complete -c sitegpt -n '__sitegpt_at profiles delete; or __sitegpt_at profiles remove' -s y -l yes -d 'accepted and ignored'

# tokens
complete -c sitegpt -n '__sitegpt_at tokens; and not __fish_seen_subcommand_from list create rotate revoke' \
    -a 'list create rotate revoke'
complete -c sitegpt -n '__sitegpt_at tokens list' -l include-revoked -d 'also list revoked tokens'
complete -c sitegpt -n '__sitegpt_at tokens list' -l limit -x -d 'tokens per page'
complete -c sitegpt -n '__sitegpt_at tokens list' -l cursor -x -d 'start at this page'
complete -c sitegpt -n '__sitegpt_at tokens list' -l all -d 'follow every page'
complete -c sitegpt -n '__sitegpt_at tokens create' -l name -x -d '1 to 120 characters'
complete -c sitegpt -n '__sitegpt_at tokens create' -l scope -x -a "$sitegpt_scopes" -d 'a scope'
complete -c sitegpt -n '__sitegpt_at tokens create' -l chatbot -x -d 'restrict the token to this chatbot'
complete -c sitegpt -n '__sitegpt_at tokens create' -l expires-in-days -x -d 'lifetime in days'
complete -c sitegpt -n '__sitegpt_at tokens create' -l expires-at -x -d 'ISO 8601 expiry'
complete -c sitegpt -n '__sitegpt_at tokens revoke' -l yes -d 'do not ask'

# chatbots
complete -c sitegpt -n '__sitegpt_at chatbots; and not __fish_seen_subcommand_from list get' -a 'list get'
complete -c sitegpt -n '__sitegpt_at chatbots list' -l limit -x -d 'chatbots per page'
complete -c sitegpt -n '__sitegpt_at chatbots list' -l cursor -x -d 'start at this page'
complete -c sitegpt -n '__sitegpt_at chatbots list' -l all -d 'follow every page'

# api
complete -c sitegpt -n '__sitegpt_at api' -s X -l method -x -a 'GET POST PUT PATCH DELETE' -d 'HTTP method'
complete -c sitegpt -n '__sitegpt_at api' -s d -l data -x -d 'JSON body, @FILE or - for stdin'
complete -c sitegpt -n '__sitegpt_at api' -s H -l header -x -d 'extra request header'
complete -c sitegpt -n '__sitegpt_at api' -s i -l include -d 'print the status line and headers first'

# help
complete -c sitegpt -n '__sitegpt_at help; and not __fish_seen_subcommand_from login logout whoami profiles tokens chatbots api' \
    -a 'login logout whoami profiles tokens chatbots api'
complete -c sitegpt -n '__sitegpt_at help profiles' -a 'list show use set-default delete remove'
complete -c sitegpt -n '__sitegpt_at help tokens' -a 'list create rotate revoke'
complete -c sitegpt -n '__sitegpt_at help chatbots' -a 'list get'
