# fish completion for sitegpt-gateway(8). Installed by `make install` to
# $PREFIX/share/fish/vendor_completions.d/. Kept in step with --help by
# tests/e2e/test_docs_drift.py.

set -l sitegpt_scopes account:read account:write tokens:read tokens:write chatbots:read \
    chatbots:write chatbots:delete knowledge:read knowledge:write knowledge:delete personas:read \
    personas:write personas:delete instructions:read instructions:write instructions:delete \
    settings:read settings:write starters:read starters:write starters:delete followups:read \
    followups:write followups:delete conversations:read conversations:write \
    conversations:delete leads:read leads:write leads:delete members:read members:write \
    members:delete integrations:read integrations:write billing:read billing:write

function __sitegpt_gateway_profiles
    sitegpt profiles list --json 2>/dev/null | string match -ar '"name":"[^"\\\\]*"' |
        string replace -r '^"name":"(.*)"$' '$1'
end

complete -c sitegpt-gateway -f
complete -c sitegpt-gateway -l scope -x -a "$sitegpt_scopes" -d 'scope to request'
complete -c sitegpt-gateway -l chatbot -x -d 'restrict the token to this chatbot'
complete -c sitegpt-gateway -l name -x -d 'token name shown in the dashboard'
complete -c sitegpt-gateway -l expires-in-days -x -d 'token lifetime in days'
complete -c sitegpt-gateway -l qr -d 'draw the approval URL as a QR code'
complete -c sitegpt-gateway -s p -l profile -x -a '(__sitegpt_gateway_profiles)' -d 'profile in the config file'
complete -c sitegpt-gateway -l api-base -x -d 'API origin'
complete -c sitegpt-gateway -l cacert -r -F -d 'trust the CA certificates in FILE'
complete -c sitegpt-gateway -l interval -x -d 'seconds between checks'
complete -c sitegpt-gateway -l backoff-max -x -d 'longest wait after failures'
complete -c sitegpt-gateway -l timeout -x -d 'connect and read timeout'
complete -c sitegpt-gateway -l renew-before -x -d 'renew when less than TIME is left (14d, 36h)'
complete -c sitegpt-gateway -l status-file -r -F -d 'keep a JSON status here'
complete -c sitegpt-gateway -n '__fish_is_first_arg' -a status -d 'print the status file for people'
complete -c sitegpt-gateway -l once -d 'provision if needed, check once, exit'
complete -c sitegpt-gateway -s q -l quiet -d 'log only warnings and errors'
complete -c sitegpt-gateway -s v -l verbose -d 'log debug events too'
complete -c sitegpt-gateway -s h -l help -d 'help'
complete -c sitegpt-gateway -s V -l version -d 'version and build facts'
