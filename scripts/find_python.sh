# Sourced by the setup scripts: `find_python MINOR [PREFERRED]` prints an interpreter of Python
# 3.MINOR (PREFERRED first when given, then python3.MINOR on the PATH, pyenv's versions, the usual
# system places), or returns 1 when there is none.
find_python() {
    local minor="$1" preferred="${2:-}"
    local candidates=()
    [[ -n "$preferred" ]] && candidates+=("$preferred")
    candidates+=("python3.$minor")
    if command -v pyenv >/dev/null 2>&1; then
        local v
        for v in $(pyenv versions --bare 2>/dev/null | grep -E "^3\.$minor(\.[0-9]+)?$" | sort -V -r); do
            candidates+=("$(pyenv root)/versions/$v/bin/python3.$minor")
        done
    fi
    candidates+=("/usr/bin/python3.$minor" "/usr/local/bin/python3.$minor")
    local c
    for c in "${candidates[@]}"; do
        if "$c" -c "import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, $minor) else 1)" >/dev/null 2>&1; then
            echo "$c"
            return 0
        fi
    done
    return 1
}
