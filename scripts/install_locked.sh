# Sourced by the setup scripts: `install_locked VENV LOCK [UV_OPTIONS...]` installs the pinned
# packages of LOCK into VENV with uv (a pinned release, put into VENV first with pip): the same
# packages as `pip install -r LOCK`, in about a fifth of the time (uv unpacks each wheel once into
# its cache, ~/.cache/uv, and compiles the bytecode on every core). When uv can't be installed or
# fails (its reason is printed), pip installs the lock instead.
UV_VERSION="0.13.8"

install_locked() {
    local venv="$1" lock="$2"
    shift 2
    # (pip's notes about this machine's unused local index folders are dropped; errors are kept.)
    if "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION" \
            2> >(grep -v "is neither a file nor a directory" >&2) \
        && "$venv/bin/uv" pip install --quiet --python "$venv/bin/python" --compile-bytecode "$@" -r "$lock"; then
        return 0
    fi
    echo "uv $UV_VERSION could not install $lock: installing it with pip (slower)" >&2
    local pip_options=()
    [[ " $* " == *" --no-deps "* ]] && pip_options+=(--no-deps)
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pip_options[@]}" -r "$lock" \
        2> >(grep -v "is neither a file nor a directory" >&2)
}
