# bash completion for sitegpt(1) and sitegpt-gateway(8).
# Installed by `make install` to $PREFIX/share/bash-completion/completions/ (as sitegpt and
# sitegpt-gateway). Kept in step with --help by tests/e2e/test_docs_drift.py.

_sitegpt_scopes='account:read account:write tokens:read tokens:write chatbots:read
chatbots:write chatbots:delete knowledge:read knowledge:write knowledge:delete personas:read
personas:write personas:delete instructions:read instructions:write instructions:delete
settings:read settings:write starters:read starters:write starters:delete followups:read
followups:write followups:delete conversations:read conversations:write conversations:delete
leads:read leads:write leads:delete members:read members:write members:delete
integrations:read integrations:write billing:read billing:write'

# Profile names from the config file, read through the CLI itself (no second JSON parser).
_sitegpt_profile_names()
{
    sitegpt profiles list --json 2>/dev/null |
        grep -o '"name":"[^"\\]*"' | sed -e 's/^"name":"//' -e 's/"$//'
}

# $1: words separated by blanks or newlines.
_sitegpt_reply_words()
{
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

# $1: one entry per line (profile names may hold blanks).
_sitegpt_reply_lines()
{
    local line
    COMPREPLY=()
    while IFS= read -r line; do
        [[ -n $line && $line == "$2"* ]] && COMPREPLY+=("$line")
    done <<<"$1"
}

# File names starting with $1.
_sitegpt_reply_files()
{
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

# The value of an option both programs take ($1, the word before $2): profile names, scopes
# or a file. False for any other option: the caller completes it.
_sitegpt_reply_value()
{
    case $1 in
    -p | --profile) _sitegpt_reply_lines "$(_sitegpt_profile_names)" "$2" ;;
    --scope) _sitegpt_reply_words "$_sitegpt_scopes" "$2" ;;
    --cacert) _sitegpt_reply_files "$2" ;;
    *) return 1 ;;
    esac
    return 0
}

_sitegpt()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local globals='--json -p --profile --api-base --cacert --proxy --timeout -h --help -v --version'
    local commands='login logout whoami profiles tokens chatbots api help'
    # Subcommands, offered after the command and after `help <command>`.
    local profiles_subs='list show use set-default delete remove'
    local tokens_subs='list create rotate revoke' chatbots_subs='list get'
    local cmd='' sub='' i w

    # Command and subcommand: the first two words that are neither options nor their values.
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
        -p | --profile | --api-base | --cacert | --proxy | --timeout | --name | --scope | --chatbot | \
            --expires-in-days | --expires-at | --token | --limit | --cursor | -X | --method | \
            -d | --data | -H | --header)
            ((i++))
            continue
            ;;
        -*) continue ;;
        esac
        if [[ -z $cmd ]]; then
            cmd=$w
        elif [[ -z $sub ]]; then
            sub=$w
        fi
    done

    _sitegpt_reply_value "$prev" "$cur" && return
    case $prev in
    -X | --method)
        _sitegpt_reply_words 'GET POST PUT PATCH DELETE' "$cur"
        return
        ;;
    --api-base | --proxy | --timeout | --name | --chatbot | --expires-in-days | --expires-at | --token | \
        --limit | --cursor | -d | --data | -H | --header)
        COMPREPLY=()
        return
        ;;
    esac

    local opts='' words=''
    case $cmd in
    '') words=$commands ;;
    help)
        case $sub in
        '') words='login logout whoami profiles tokens chatbots api' ;;
        profiles) words=$profiles_subs ;;
        tokens) words=$tokens_subs ;;
        chatbots) words=$chatbots_subs ;;
        esac
        ;;
    login) opts='--name --full-access --scope --chatbot --expires-in-days --token --qr --no-browser' ;;
    logout | whoami) ;;
    profiles)
        case $sub in
        '') words=$profiles_subs ;;
        show | use | set-default) words=$(_sitegpt_profile_names) ;;
        delete | remove)
            opts='-y --yes'
            words=$(_sitegpt_profile_names)
            ;;
        esac
        ;;
    tokens)
        case $sub in
        '') words=$tokens_subs ;;
        list) opts='--include-revoked --limit --cursor --all' ;;
        create) opts='--name --scope --chatbot --expires-in-days --expires-at' ;;
        revoke) opts='--yes' ;;
        esac
        ;;
    chatbots)
        case $sub in
        '') words=$chatbots_subs ;;
        list) opts='--limit --cursor --all' ;;
        esac
        ;;
    api) opts='-X --method -d --data -H --header -i --include' ;;
    esac

    if [[ $cur == -* ]]; then
        _sitegpt_reply_words "$opts $globals" "$cur"
    elif [[ $cmd == profiles && -n $sub ]]; then
        _sitegpt_reply_lines "$words" "$cur"
    else
        _sitegpt_reply_words "$words" "$cur"
    fi
}

_sitegpt_gateway()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    _sitegpt_reply_value "$prev" "$cur" && return
    case $prev in
    --status-file)
        _sitegpt_reply_files "$cur"
        return
        ;;
    --chatbot | --name | --expires-in-days | --api-base | --interval | --backoff-max | --timeout | \
        --renew-before)
        COMPREPLY=()
        return
        ;;
    esac
    if [[ ${COMP_WORDS[1]} == status && $COMP_CWORD -gt 1 ]]; then
        _sitegpt_reply_words '--status-file -h --help' "$cur"
        return
    fi
    if [[ $COMP_CWORD -eq 1 && $cur != -* ]]; then
        _sitegpt_reply_words 'status' "$cur"
        return
    fi
    _sitegpt_reply_words '--scope --chatbot --name --expires-in-days --qr -p --profile --api-base
--cacert --interval --backoff-max --timeout --renew-before --status-file --once -q --quiet -v
--verbose -h --help -V --version' "$cur"
}

complete -F _sitegpt sitegpt
complete -F _sitegpt_gateway sitegpt-gateway
