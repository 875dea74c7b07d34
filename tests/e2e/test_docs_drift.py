"""Man pages and shell completions cannot drift from the CLI and the gateway.

What each program accepts is read from the program itself (its --help output, command by
command and subcommand by subcommand) and from its sources (every option literal the parsers
compare against); that set must equal what sitegpt(1) / sitegpt-gateway(8) list and what the
bash, zsh and fish completions offer. bash and fish completions are run for real (the shell
asks the completion function); zsh's is read (a scripted zsh completion needs a terminal).
A new option, command or subcommand in the CLI fails here until every document knows it, and
a documented one that the CLI dropped fails too.
"""
import json
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MAN1 = os.path.join(ROOT, "doc", "man", "sitegpt.1")
MAN8 = os.path.join(ROOT, "doc", "man", "sitegpt-gateway.8")
COMP = os.path.join(ROOT, "doc", "completion")
OPT_RE = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")
SCOPES_37 = None


def _bin(var):
    path = os.environ.get(var, "")
    if not (path and os.access(path, os.X_OK)):
        pytest.skip(f"{var} is unset (run through `make test-e2e`)")
    return path


@pytest.fixture(scope="module")
def cli_bin():
    return _bin("SITEGPT_BIN")


@pytest.fixture(scope="module")
def gw_bin():
    return _bin("SITEGPT_GATEWAY_BIN")


def _help(binary, *args):
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
    r = subprocess.run([binary, *args, "--help"], capture_output=True, text=True, env=env,
                       timeout=30)
    assert r.returncode == 0, (args, r.stderr)
    return r.stdout


def _section(text, title):
    """Lines of the block that starts with a line beginning with `title`, up to a blank line
    followed by an unindented line (the next heading)."""
    lines = text.splitlines()
    out, inside = [], False
    for i, line in enumerate(lines):
        if not inside:
            inside = line.startswith(title)
            continue
        if line and not line[0].isspace():
            break
        out.append(line)
    return out


def _options_of_help(text):
    """Options a help text documents: the Usage lines and every line that starts (after
    indentation) with an option. Examples do not count."""
    found = set()
    usage = []
    for line in text.splitlines():
        if usage and not line.strip():
            break
        if line.startswith("Usage:") or usage:
            usage.append(line)
    for line in usage:
        found |= set(OPT_RE.findall(line))
    body = text.split("\nExample", 1)[0]
    for line in body.splitlines():
        if line.lstrip().startswith("-") and line.startswith(" "):
            found |= set(OPT_RE.findall(line.split("  ", 2)[1] if line.startswith("  -") else line))
    return found


def _words_of_section(lines):
    return {m.group(1) for line in lines if (m := re.match(r"^  ([a-z][\w-]*)\b", line))}


@pytest.fixture(scope="module")
def cli_surface(cli_bin):
    """{"": globals, "login": {...}, "tokens list": {...}, ...} and the command tree."""
    main = _help(cli_bin)
    commands = _words_of_section(_section(main, "Commands:"))
    globals_ = set()
    for line in _section(main, "Global options"):
        if line.lstrip().startswith("-"):
            globals_ |= set(OPT_RE.findall(line.split("   ")[0]))
    options = {"": globals_}
    tree = {}
    for cmd in sorted(commands - {"help"}):
        text = _help(cli_bin, cmd)
        subs = _words_of_section(_section(text, "Subcommands:"))
        subs |= set(re.findall(r"\(alias: ([\w-]+)\)", text))
        tree[cmd] = subs
        if not subs:
            options[cmd] = _options_of_help(text) - globals_
        for sub in sorted(subs):
            sub_text = _help(cli_bin, cmd, sub)
            # an alias's help names the subcommand it stands for, with its own aliases
            subs |= set(re.findall(r"\(alias: ([\w-]+)\)", sub_text))
            options[f"{cmd} {sub}"] = _options_of_help(sub_text) - globals_
    tree["help"] = set()
    options["help"] = set()
    return {"commands": commands, "tree": tree, "options": options}


# ------------------------------------------------------------------------ sources

def _cli_source_options():
    """Every option literal the CLI's parsers compare argv against."""
    found = set()
    src_dir = os.path.join(ROOT, "examples", "cli")
    for name in os.listdir(src_dir):
        if not name.endswith(".c"):
            continue
        with open(os.path.join(src_dir, name), encoding="utf-8") as f:
            src = f.read()
        for call in re.finditer(r"(?:strcmp|cli_opt|opt_value|option_value)\(([^;{]*)", src):
            found |= set(re.findall(r'"(--?[A-Za-z][\w-]*)"', call.group(1)))
    return found


def _gateway_source_options():
    with open(os.path.join(ROOT, "examples", "gateway", "gw_options.c"), encoding="utf-8") as f:
        src = f.read()
    longs = {"--" + n for n in re.findall(r'\{"([\w-]+)",\s*(?:no|required|optional)_argument', src)}
    specs = re.findall(r'getopt_long\([^,]+,[^,]+,\s*"([^"]*)"', src)
    shorts = {"-" + c for spec in specs for c in spec if c.isalnum()}
    return longs | shorts


# ------------------------------------------------------------------------ man pages

def _man_sections(path):
    """{"GLOBAL OPTIONS": [...lines], "COMMANDS": {"login": [...], ...}, ...}"""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    sh, ss = None, None
    out = {}
    for line in lines:
        if line.startswith(".Sh "):
            sh, ss = line[4:].strip(), None
            out.setdefault(sh, {"": []})
        elif line.startswith(".Ss ") and sh is not None:
            ss = line[4:].strip()
            out[sh].setdefault(ss, [])
        elif sh is not None:
            out[sh][ss or ""].append(line)
    return out


def _man_items(lines):
    """Options of the .It lines of a man page block (`.It Fl p , Fl -profile Ar NAME`)."""
    found = set()
    for line in lines:
        if line.startswith(".It ") and " Fl " in " " + line[3:]:
            found |= {"-" + w for w in re.findall(r"(?:^|\s)Fl\s+(\S+)", line[3:])}
    return found


def _man1():
    secs = _man_sections(MAN1)
    options = {"": _man_items(secs["GLOBAL OPTIONS"][""])}
    tree = {}
    for title, lines in secs["COMMANDS"].items():
        if not title:
            continue
        words = title.split()
        tree.setdefault(words[0], set())
        if len(words) > 1:
            tree[words[0]].add(words[1])
        options[title] = _man_items(lines)
    return tree, options


def _man8():
    found = set()
    for block in _man_sections(MAN8).values():
        for lines in block.values():
            found |= _man_items(lines)
    return found


# ------------------------------------------------------------------------ completions

BASH_DRIVER = r"""
source "$1"
shift
for q in "$@"; do
    read -r -a COMP_WORDS <<<"$q"
    [[ $q == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    if [[ ${COMP_WORDS[0]} == sitegpt-gateway ]]; then _sitegpt_gateway; else _sitegpt; fi
    printf '%s\t' "$q" "${COMPREPLY[@]}"
    printf '\n'
done
"""


def _bash_complete(queries, path_dir):
    script = os.path.join(COMP, "sitegpt.bash")
    env = {"PATH": f"{path_dir}:/usr/bin:/bin", "HOME": "/nonexistent"}
    r = subprocess.run(["bash", "-c", BASH_DRIVER, "bash", script, *queries],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    out = {}
    for line in r.stdout.splitlines():
        q, *words = line.split("\t")
        out[q] = {w for w in words if w}
    return out


def _fish_complete(queries, path_dir):
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed (make deps)")
    cmds = [f"source {COMP}/sitegpt.fish", f"source {COMP}/sitegpt-gateway.fish"]
    for q in queries:
        cmds += [f"echo '>>> {q}'", f"complete -C '{q}'"]
    env = {"PATH": f"{path_dir}:/usr/bin:/bin", "HOME": "/nonexistent"}
    r = subprocess.run(["fish", "--no-config", "-c", "; ".join(cmds)], capture_output=True,
                       text=True, env=env, timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    out, cur = {}, None
    for line in r.stdout.splitlines():
        if line.startswith(">>> "):
            cur = line[4:]
            out[cur] = set()
        else:
            out[cur].add(line.split("\t")[0])
    return out


def _zsh_read():
    """(commands, {"cmd": subs}, {"cmd" or "cmd sub" or "": options}) from _sitegpt."""
    with open(os.path.join(COMP, "_sitegpt"), encoding="utf-8") as f:
        src = f.read()

    def specs(text):
        found = set()
        for group in re.findall(r"\{(-[^}]*)\}'\[", text):
            found |= set(group.split(","))
        found |= set(re.findall(r"'(?:\([^)]*\))?\*?(--?[A-Za-z][\w-]*)\[", text))
        return found

    gw = re.search(r"_sitegpt_gateway\(\) \{(.*?)\n\}", src, re.S).group(1)
    main = re.search(r"\n_sitegpt\(\) \{(.*?)\n\}", src, re.S).group(1)
    sub = re.search(r"_sitegpt_sub\(\) \{(.*?)\n\}", src, re.S).group(1)
    globals_ = specs(re.search(r"globals=\((.*?)\n  \)", main, re.S).group(1))
    commands = set(re.findall(r"'([\w-]+):", re.search(r"commands=\((.*?)\)\n", main,
                                                        re.S).group(1)))
    tree = {c: set() for c in commands}
    for cmd, words in re.findall(r"(\w+)\) subs=\(([^)]*)\)", sub):
        tree[cmd] = set(words.split())
    options = {"": globals_}
    # case branches: "label)" then the text up to ";;" (a lookahead: branches nest)
    for body in (main, sub):
        for labels, text in re.findall(r"(?=\n\s+([\w|:-]+)\)\n?(.*?);;)", body, re.S):
            for label in labels.split("|"):
                key = label.replace(":", " ")
                if key in ("command", "argument", "*"):
                    continue
                options[key] = specs(text) - globals_
    return commands, tree, options, specs(gw)


# ------------------------------------------------------------------------ tests

def test_man_pages_lint_clean():
    if shutil.which("mandoc") is None:
        pytest.skip("mandoc is not installed (make deps)")
    r = subprocess.run(["mandoc", "-T", "lint", "-W", "warning", MAN1, MAN8],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout + r.stderr == "", r.stdout + r.stderr


def test_cli_sources_document_every_option(cli_surface):
    documented = set().union(*cli_surface["options"].values())
    undocumented = _cli_source_options() - documented - {"--"}
    assert not undocumented, f"accepted by examples/cli but not in any --help: {undocumented}"


def test_man_page_lists_the_cli(cli_surface):
    tree, options = _man1()
    assert set(tree) == cli_surface["commands"]
    for cmd, subs in cli_surface["tree"].items():
        assert tree[cmd] == subs, cmd
    assert options == cli_surface["options"]


def test_man_page_lists_env_files_exit_codes_and_scopes(cli_bin):
    with open(MAN1, encoding="utf-8") as f:
        man = f.read()
    main = _help(cli_bin)
    for var in re.findall(r"^  ([A-Z][A-Z_]+)\s", "\n".join(_section(main, "Environment:")),
                          re.M):
        assert f".It Ev {var}" in man, var
    exit_block = " ".join(_section(main, "Exit codes:"))
    codes = re.findall(r"(?<![\w/])(\d{1,3}) [A-Za-z]", exit_block)
    assert len(codes) >= 10, codes
    for code in codes:
        assert f".It {code}\n" in man, code
    assert "config.json" in man
    scopes = set(re.findall(r"\b[a-z]+:(?:read|write|delete)\b", _help(cli_bin, "login")))
    assert len(scopes) == 37
    man_scopes = set(re.findall(r"\b[a-z]+:(?:read|write|delete)\b", man))
    assert scopes <= man_scopes
    # least-privilege logins among the examples
    examples = man.split(".Sh EXAMPLES", 1)[1]
    assert "--scope" in examples and "--chatbot" in examples and "--expires-in-days" in examples


def test_gateway_man_page_and_sources_agree(gw_bin):
    helped = _options_of_help(_help(gw_bin))
    source = _gateway_source_options()
    assert helped == source, "gateway --help and its getopt table differ"
    assert _man8() == source


def _queries(surface):
    """Completion queries for the command tree and each command's options."""
    qs = ["sitegpt ", "sitegpt -"]
    for cmd, subs in surface["tree"].items():
        if subs:
            qs.append(f"sitegpt {cmd} ")
            qs += [f"sitegpt {cmd} {s} -" for s in sorted(subs)]
        else:
            qs.append(f"sitegpt {cmd} -")
    return qs


def _expected(surface, q):
    words = q.split()
    globals_ = surface["options"][""]
    if q == "sitegpt ":
        return surface["commands"]
    if q == "sitegpt -":
        return globals_
    if q.endswith(" "):
        return surface["tree"][words[1]]
    key = " ".join(words[1:-1])
    return surface["options"].get(key, set()) | globals_


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_completion_offers_the_cli(cli_surface, cli_bin, shell):
    queries = _queries(cli_surface)
    run = _bash_complete if shell == "bash" else _fish_complete
    got = run(queries, os.path.dirname(cli_bin))
    for q in queries:
        want = _expected(cli_surface, q)
        assert got[q] == want, (shell, q, got[q] ^ want)


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_completion_scopes_and_profiles(cli_bin, tmp_path, shell):
    cfg_home = tmp_path / "cfg"
    (cfg_home / "sitegpt").mkdir(parents=True)
    cfg = cfg_home / "sitegpt" / "config.json"
    cfg.write_text(json.dumps({"version": 1, "defaultProfile": "work", "profiles": {
        "work": {"apiBase": "https://a.example", "token": "sgpt_secretsecret1234"},
        "ci": {}}}))
    cfg.chmod(0o600)
    run = _bash_complete if shell == "bash" else _fish_complete
    # the shells run with only PATH and HOME; the config folder reaches the CLI via a wrapper
    wrapper = tmp_path / "bin"
    wrapper.mkdir()
    (wrapper / "sitegpt").write_text(
        f"#!/bin/sh\nXDG_CONFIG_HOME='{cfg_home}' exec '{cli_bin}' \"$@\"\n")
    (wrapper / "sitegpt").chmod(0o755)
    got = run(["sitegpt -p ", "sitegpt profiles use ", "sitegpt login --scope ",
               "sitegpt-gateway --profile ", "sitegpt-gateway --scope "], str(wrapper))
    assert got["sitegpt -p "] == {"work", "ci"}
    assert got["sitegpt profiles use "] == {"work", "ci"}
    assert got["sitegpt-gateway --profile "] == {"work", "ci"}
    assert len(got["sitegpt login --scope "]) == 37
    assert got["sitegpt-gateway --scope "] == got["sitegpt login --scope "]
    assert all(":" in s for s in got["sitegpt login --scope "])


def test_bash_and_fish_gateway_completion(gw_bin):
    want = _gateway_source_options()
    assert _bash_complete(["sitegpt-gateway -"], "/nonexistent")["sitegpt-gateway -"] == want
    if shutil.which("fish"):
        assert _fish_complete(["sitegpt-gateway -"], "/nonexistent")["sitegpt-gateway -"] == want


def test_zsh_completion_lists_the_cli(cli_surface, gw_bin):
    if shutil.which("zsh"):
        r = subprocess.run(["zsh", "-n", os.path.join(COMP, "_sitegpt")], capture_output=True,
                           text=True)
        assert r.returncode == 0, r.stderr
    commands, tree, options, gw = _zsh_read()
    assert commands == cli_surface["commands"]
    for cmd, subs in cli_surface["tree"].items():
        assert tree.get(cmd, set()) == subs, cmd
    for key, want in cli_surface["options"].items():
        if key == "":
            assert options[""] == want
        else:
            assert options.get(key, set()) == want, (key, options.get(key, set()) ^ want)
    for key, have in options.items():
        assert not have or key in cli_surface["options"], f"zsh completes unknown '{key}'"
    assert gw == _gateway_source_options()
