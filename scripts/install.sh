#!/bin/sh
# gover's installer: downloads the gover release archive for this machine,
# verifies it against the release's SHA256SUMS, installs `gover` and
# `gover-shim` into ~/.local/bin (or $GOVER_BIN_DIR) and runs `gover setup`.
#
#   curl -fsSL https://github.com/gover-dev/gover/releases/latest/download/install.sh | sh
#
# Options (after `sh -s --` when piped):
#   --version V     install gover V instead of the newest release
#   --base-url URL  where the release files are (also GOVER_INSTALL_BASE_URL)
#   --bin-dir DIR   where gover goes (also GOVER_BIN_DIR; default ~/.local/bin)
#   --no-setup      do not run `gover setup` (also GOVER_NO_SETUP=1)
#   --no-modify-rc  run `gover setup --no-modify-rc`: link the shims, leave
#                   shell startup files alone
#   -h, --help      this text
#
# A release base URL serves one release: VERSION (its version number),
# SHA256SUMS and gover-<version>-<target>.tar.gz per platform, as
# `scripts/dist` writes them. With --version, a base URL ending in
# /releases/latest/download (GitHub) or /latest (a mirror) is turned into
# that release's own: /releases/download/v<V> or /v<V>.
#
# POSIX sh, no root. Needs curl or wget, tar, gzip, and sha256sum, shasum
# or openssl. Nothing is installed unless the archive's checksum matches;
# each binary is moved into place whole (a rename), never half-written.
set -u

DEFAULT_BASE_URL=https://github.com/gover-dev/gover/releases/latest/download

say() {
    printf 'gover-install: %s\n' "$*" >&2
}

die() {
    printf 'gover-install: error: %s\n' "$*" >&2
    exit 1
}

usage() {
    cat <<'USAGE'
usage: install.sh [options]
       curl -fsSL <base URL>/install.sh | sh -s -- [options]

Installs gover and gover-shim from a gover release, verified against its
SHA256SUMS, then runs `gover setup`.

options:
  --version V     install gover V instead of the newest release (GOVER_VERSION)
  --base-url URL  where the release files are (GOVER_INSTALL_BASE_URL; default:
                  https://github.com/gover-dev/gover/releases/latest/download)
  --bin-dir DIR   where gover goes (GOVER_BIN_DIR; default: ~/.local/bin)
  --no-setup      do not run `gover setup` (GOVER_NO_SETUP=1)
  --no-modify-rc  run `gover setup --no-modify-rc`: link the shims, leave
                  shell startup files alone
  -h, --help      show this help
USAGE
}

# A URL with any user:password@ masked, for messages.
shown() {
    printf '%s\n' "$1" | sed 's#://[^/@]*@#://***@#'
}

# Option parsing.
version=${GOVER_VERSION:-}
base_url=${GOVER_INSTALL_BASE_URL:-}
bin_dir=${GOVER_BIN_DIR:-}
no_setup=${GOVER_NO_SETUP:-}
case $no_setup in
    '' | 0 | false | no | off) no_setup= ;;
    *) no_setup=1 ;;
esac
setup_args=
while [ $# -gt 0 ]; do
    case $1 in
        --version) [ $# -ge 2 ] || die "--version needs a value"; version=$2; shift ;;
        --version=*) version=${1#*=} ;;
        --base-url) [ $# -ge 2 ] || die "--base-url needs a value"; base_url=$2; shift ;;
        --base-url=*) base_url=${1#*=} ;;
        --bin-dir) [ $# -ge 2 ] || die "--bin-dir needs a value"; bin_dir=$2; shift ;;
        --bin-dir=*) bin_dir=${1#*=} ;;
        --no-setup) no_setup=1 ;;
        --no-modify-rc) setup_args=--no-modify-rc ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done

# A version number as gover's releases spell them: 1.2.3, 1.2.3-rc.1.
valid_version() {
    case $1 in
        '' | *[!0-9A-Za-z.+-]* | [!0-9]* | *..*) return 1 ;;
    esac
    [ ${#1} -le 40 ] || return 1
    # major.minor.patch at the start.
    printf '%s\n' "$1" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$'
}

if [ -n "$version" ]; then
    version=${version#v}
    valid_version "$version" || die "--version $version is not a gover version (like 0.1.0)"
fi

# ---------------------------------------------------------------- platform

# The target triple of this machine, as release archives name it.
detect_target() {
    os=$(uname -s 2>/dev/null) || die "cannot run uname to tell this machine's OS"
    arch=$(uname -m 2>/dev/null) || die "cannot run uname to tell this machine's architecture"
    case $arch in
        x86_64 | amd64) cpu=x86_64 ;;
        aarch64 | arm64) cpu=aarch64 ;;
        *) cpu= ;;
    esac
    case $os in
        Linux)
            if is_musl; then
                die "no gover build for Linux with musl libc (Alpine and the like) on $arch; install with \`cargo install --locked gover gover-shim\` or \`pip install gover\` on a glibc system"
            fi
            sys=unknown-linux-gnu
            ;;
        Darwin)
            sys=apple-darwin
            # An x86_64 shell under Rosetta on Apple silicon: use the native build.
            if [ "$cpu" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null)" = 1 ]; then
                cpu=aarch64
            fi
            ;;
        *) sys= ;;
    esac
    if [ -z "$cpu" ] || [ -z "$sys" ]; then
        die "no gover build for this platform ($os $arch); releases cover Linux (glibc) and macOS on x86_64 and aarch64. Build from source instead: \`cargo install --locked gover gover-shim\`"
    fi
    target=$cpu-$sys
}

is_musl() {
    for f in /lib/ld-musl-*.so.1; do
        [ -e "$f" ] && return 0
    done
    ldd --version 2>&1 | grep -qi musl
}

# ---------------------------------------------------------------- download

if command -v curl >/dev/null 2>&1; then
    downloader=curl
elif command -v wget >/dev/null 2>&1; then
    downloader=wget
else
    die "neither curl nor wget is installed; install one of them and run this again"
fi

# fetch URL FILE: downloads URL into FILE, failing on HTTP errors and
# transfers cut short.
fetch() {
    case $downloader in
        curl)
            curl --fail --silent --show-error --location --retry 2 \
                --connect-timeout 30 --output "$2" "$1" || {
                code=$?
                case $code in
                    18) die "the download of $(shown "$1") was cut short (curl exit 18); try again" ;;
                    22) die "$(shown "$1") could not be downloaded (the server answered with an error; curl exit 22); check the URL, or GOVER_INSTALL_BASE_URL" ;;
                    *) die "the download of $(shown "$1") failed (curl exit $code); check the network, a proxy (HTTPS_PROXY) or GOVER_INSTALL_BASE_URL" ;;
                esac
            }
            ;;
        wget)
            wget --quiet --tries=3 --timeout=30 --output-document="$2" "$1" || {
                code=$?
                case $code in
                    8) die "$(shown "$1") could not be downloaded (the server answered with an error; wget exit 8); check the URL, or GOVER_INSTALL_BASE_URL" ;;
                    *) die "the download of $(shown "$1") failed (wget exit $code); check the network, a proxy (https_proxy) or GOVER_INSTALL_BASE_URL" ;;
                esac
            }
            ;;
    esac
}

# The sha256 tool, chosen before anything is downloaded.
if command -v sha256sum >/dev/null 2>&1; then
    hasher=sha256sum
elif command -v shasum >/dev/null 2>&1; then
    hasher=shasum
elif command -v openssl >/dev/null 2>&1; then
    hasher=openssl
else
    die "no sha256 tool (sha256sum, shasum or openssl) to verify the download with; install one and run this again"
fi

sha256_of() {
    case $hasher in
        sha256sum) sha256sum "$1" | cut -d ' ' -f 1 ;;
        shasum) shasum -a 256 "$1" | cut -d ' ' -f 1 ;;
        openssl) openssl dgst -sha256 "$1" | sed 's/^.*= *//' ;;
    esac
}

# The base URL of release $2, from the base URL $1 of the newest release.
versioned_base() {
    b=${1%/}
    case $b in
        */releases/latest/download) printf '%s\n' "${b%/latest/download}/download/v$2" ;;
        */latest) printf '%s\n' "${b%/latest}/v$2" ;;
        *) printf '%s\n' "$b" ;;
    esac
}

# ---------------------------------------------------------------- main

detect_target

if [ -z "$base_url" ]; then
    base_url=$DEFAULT_BASE_URL
fi
base_url=${base_url%/}
if [ -n "$version" ]; then
    base_url=$(versioned_base "$base_url" "$version")
fi
base_shown=$(shown "$base_url")

if [ -z "$bin_dir" ]; then
    [ -n "${HOME:-}" ] || die "HOME is not set; set GOVER_BIN_DIR to the directory gover should go to"
    bin_dir=$HOME/.local/bin
fi
case $bin_dir in
    /*) ;;
    *) die "the bin directory $bin_dir is not an absolute path; give GOVER_BIN_DIR (or --bin-dir) as /path/to/dir" ;;
esac
for b in gover gover-shim; do
    if [ -d "$bin_dir/$b" ] && [ ! -L "$bin_dir/$b" ]; then
        die "$bin_dir/$b is a directory; move it away or choose another GOVER_BIN_DIR"
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gover-install.XXXXXX") || die "cannot create a temporary directory in ${TMPDIR:-/tmp}"
partial=
cleanup() {
    rm -rf "$tmp"
    if [ -n "$partial" ]; then
        rm -f "$partial"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fetch "$base_url/VERSION" "$tmp/VERSION"
release=$(sed -n '1{s/[[:space:]]*$//;p;}' "$tmp/VERSION")
valid_version "$release" || die "$base_shown/VERSION does not hold a gover version; is $base_shown a gover release?"
if [ -n "$version" ] && [ "$release" != "$version" ]; then
    die "$base_shown is the release of gover $release, not $version"
fi

archive=gover-$release-$target.tar.gz
fetch "$base_url/SHA256SUMS" "$tmp/SHA256SUMS"
expected=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1; exit }' "$tmp/SHA256SUMS")
if [ -z "$expected" ]; then
    die "gover $release has no build for $target (it is not in $base_shown/SHA256SUMS)"
fi
case $expected in
    *[!0-9a-fA-F]*) die "$base_shown/SHA256SUMS gives no valid sha256 for $archive" ;;
esac
[ ${#expected} -eq 64 ] || die "$base_shown/SHA256SUMS gives no valid sha256 for $archive"
expected=$(printf '%s\n' "$expected" | tr 'A-F' 'a-f')

say "downloading gover $release for $target from $base_shown"
fetch "$base_url/$archive" "$tmp/$archive"
actual=$(sha256_of "$tmp/$archive")
if [ "$actual" != "$expected" ]; then
    size=$(wc -c < "$tmp/$archive" | tr -d ' ')
    die "checksum mismatch for $archive ($size bytes): SHA256SUMS says $expected, the download is $actual. It is corrupt, cut short or tampered with; nothing was installed. Try again, or check the mirror ($base_shown)."
fi

# Only the two binaries are taken from the archive.
top=gover-$release-$target
mkdir "$tmp/unpacked" || die "cannot create $tmp/unpacked"
gzip -dc "$tmp/$archive" | (cd "$tmp/unpacked" && tar -xf - "$top/gover" "$top/gover-shim") \
    || die "cannot unpack gover and gover-shim from $archive; nothing was installed"
for b in gover gover-shim; do
    if [ -L "$tmp/unpacked/$top/$b" ] || [ ! -f "$tmp/unpacked/$top/$b" ]; then
        die "$top/$b in $archive is not a regular file; nothing was installed"
    fi
done
src=$tmp/unpacked/$top
chmod 0755 "$src/gover" "$src/gover-shim"
if ! out=$("$src/gover" --version 2>&1); then
    die "the downloaded gover does not run on this machine: $out"
fi
if [ "$out" != "gover $release" ]; then
    die "the downloaded gover says \"$out\", not \"gover $release\"; nothing was installed"
fi

mkdir -p "$bin_dir" || die "cannot create $bin_dir; choose another directory with GOVER_BIN_DIR"
# Each binary is copied beside its final name, then renamed over it: a
# running gover or go keeps its old file, and nothing is ever half-written.
for b in gover-shim gover; do
    partial=$bin_dir/.$b.install-$$
    if ! { cp "$src/$b" "$partial" && chmod 0755 "$partial"; }; then
        die "cannot write $partial; is $bin_dir writable? Choose another directory with GOVER_BIN_DIR"
    fi
    mv -f "$partial" "$bin_dir/$b" || die "cannot move $partial to $bin_dir/$b"
    partial=
done
say "installed gover $release and gover-shim to $bin_dir"

if [ -n "$no_setup" ]; then
    say "skipped \`gover setup\`; run \`$bin_dir/gover setup\` to put the go/gofmt shims on PATH"
else
    # shellcheck disable=SC2086 # setup_args is empty or one word
    "$bin_dir/gover" setup $setup_args \
        || die "\`gover setup\` failed (gover itself is installed in $bin_dir); fix the problem above, then run \`$bin_dir/gover setup\`"
fi

case ":${PATH:-}:" in
    *":$bin_dir:"*) ;;
    *) say "note: $bin_dir is not on PATH; add it: export PATH=\"$bin_dir:\$PATH\"" ;;
esac
