#!/usr/bin/env bash
# Benchmark (not a test): what the gover shim adds to a `go` command.
#
# Setup, in a temporary GOVER_HOME: a real toolchain (the archive from
# scripts/real-go-archives, unpacked to toolchains/go<V>/), the shim linked as
# shims/go, a project whose .go-version pins <V>, a working directory five levels
# below it, and a stale GOROOT=/usr/local/go in the environment. Interleaved
# hyperfine runs (see bench/lib.sh), medians compared:
#   go direct      <GOROOT>/bin/go version, with the environment the shim would set
#   gover shim     $GOVER_HOME/shims/go version
#   bash shim      the same lookup as a minimal bash script (for scale)
#   rustc direct   $(rustc --print sysroot)/bin/rustc --version
#   rustup proxy   ~/.cargo/bin/rustc --version (rustup's shim, for comparison)
# Prints Markdown tables ready for docs/benchmarks.md.
#
# usage: bench/shim.sh [--without-gover] [VERSION]     (default VERSION: 1.22.10)
#   --without-gover  skip the gover shim (measure the baselines only)
#
# environment:
#   GOVER_SHIM_BIN     shim binary (default: target/release/gover-shim)
#   GOVER_REAL_GO_DIR  archives from scripts/real-go-archives (built if missing)
#   BENCH_ROUNDS       interleaved rounds (default 10)
#   BENCH_RUNS         samples per command per round (default 30)
#   BENCH_WARMUP       discarded runs per command per round (default 5)
#   BENCH_TMPDIR       where the temporary GOVER_HOME goes (default: $TMPDIR or /tmp)
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

with_gover=1
version=
while [[ $# -gt 0 ]]; do
    case $1 in
        --without-gover) with_gover=0; shift ;;
        -h | --help) usage; exit 0 ;;
        -*) bench_die "unknown option \`$1\`" "run \`$0 --help\`" ;;
        *)
            [[ -z $version ]] || bench_die "one VERSION only, got \`$version\` and \`$1\`"
            version=${1#go}
            shift
            ;;
    esac
done
version=${version:-1.22.10}
rounds=${BENCH_ROUNDS:-10}
runs=${BENCH_RUNS:-30}
warmup=${BENCH_WARMUP:-5}
for n in rounds runs warmup; do
    [[ ${!n} =~ ^[0-9]+$ && ( $n == warmup || ${!n} -gt 0 ) ]] ||
        bench_die "BENCH_${n^^} must be a positive integer, not \`${!n}\`"
done

root=$(bench_repo_root)
bench_need hyperfine "install it (\`apt-get install hyperfine\` or \`cargo install hyperfine\`)"
bench_need tar "install tar"
bench_need python3 "install Python 3 (it summarises the results)"

shim_bin=
if [[ $with_gover -eq 1 ]]; then
    shim_bin=${GOVER_SHIM_BIN:-$root/target/release/gover-shim}
    [[ -x $shim_bin ]] || bench_die "shim binary not found at $shim_bin" \
        "build it with \`cargo build --release -p gover-shim\`, set GOVER_SHIM_BIN, or pass \`--without-gover\`"
fi

archive=$(bench_archive "$version")
scratch=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/gover-bench-shim.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The temporary GOVER_HOME with the toolchain unpacked as gover lays it out.
home=$scratch/home
goroot=$home/toolchains/go$version
mkdir -p "$home/toolchains/.unpack" "$home/shims"
tar -xzf "$archive" -C "$home/toolchains/.unpack"
mv "$home/toolchains/.unpack/go" "$goroot"
rmdir "$home/toolchains/.unpack"
if [[ -n $shim_bin ]]; then
    ln "$shim_bin" "$home/shims/go" 2>/dev/null || cp "$shim_bin" "$home/shims/go"
fi

# A minimal shim in bash for scale: builtins only, .go-version lookup, exec.
cat >"$scratch/bash-shim-go" <<'SH'
#!/usr/bin/env bash
d=$PWD
while :; do
    if [[ -f $d/.go-version ]]; then
        read -r v <"$d/.go-version"
        break
    fi
    if [[ -z $d ]]; then
        echo "go: no .go-version in $PWD or above" >&2
        exit 1
    fi
    d=${d%/*}
done
goroot=$GOVER_HOME/toolchains/go${v#go}
export GOROOT=$goroot PATH=$goroot/bin:$PATH
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
exec "$goroot/bin/go" "$@"
SH
chmod +x "$scratch/bash-shim-go"

# The project: .go-version five directories above the working directory.
project=$scratch/project
work=$project/a/b/c/d/e
mkdir -p "$work"
printf '%s\n' "$version" >"$project/.go-version"
cd "$work"

platform=$(bench_host_platform)
expect="go version go$version ${platform/-//}"
# Environment for the shim runs: the stale GOROOT, no other pin, no auto-install.
shim_env=(-u GOVER_GO_VERSION -u GOTOOLCHAIN -u GOFLAGS -u GOWORK
    GOROOT=/usr/local/go GOVER_HOME="$home" GOVER_AUTO_INSTALL=0)
# The direct run gets what the shim would give go: the right GOROOT, its bin first on PATH.
direct_env=(-u GOVER_GO_VERSION -u GOFLAGS -u GOWORK
    GOROOT="$goroot" PATH="$goroot/bin:$PATH" GOTOOLCHAIN=local)

check() { # check NAME EXPECTED CMD [ENV...]
    local name=$1 want=$2 cmd=$3 out
    shift 3
    # shellcheck disable=SC2086 # CMD is a path and plain words
    out=$(env "$@" $cmd 2>&1) || bench_die "$name: \`$cmd\` failed in $work: $out"
    [[ $out == "$want" ]] || bench_die "$name: \`$cmd\` printed \`$out\`, expected \`$want\`"
}

check "go direct" "$expect" "$goroot/bin/go version" "${direct_env[@]}"
bench_add "go direct" none "" "$goroot/bin/go version" "${direct_env[@]}"
if [[ -n $shim_bin ]]; then
    check "gover shim" "$expect" "$home/shims/go version" "${shim_env[@]}"
    bench_add "gover shim" none "" "$home/shims/go version" "${shim_env[@]}"
fi
check "bash shim" "$expect" "$scratch/bash-shim-go version" "${shim_env[@]}"
bench_add "bash shim" none "" "$scratch/bash-shim-go version" "${shim_env[@]}"

rustup_proxy=${CARGO_HOME:-$HOME/.cargo}/bin/rustc
have_rustup=0
if [[ -x $rustup_proxy ]] && sysroot=$("$rustup_proxy" --print sysroot 2>/dev/null) &&
    [[ -x $sysroot/bin/rustc ]]; then
    rustc_version=$("$sysroot/bin/rustc" --version)
    check "rustc direct" "$rustc_version" "$sysroot/bin/rustc --version"
    check "rustup proxy" "$rustc_version" "$rustup_proxy --version"
    bench_add "rustc direct" none "" "$sysroot/bin/rustc --version"
    bench_add "rustup proxy" none "" "$rustup_proxy --version"
    have_rustup=1
else
    bench_log "no rustup proxy at $rustup_proxy (or no toolchain behind it): skipping the rustup comparison"
fi

bench_run "$scratch/results" "$rounds" "$runs" "$warmup"

pairs=()
if [[ -n $shim_bin ]]; then
    pairs+=(--pair "gover shim=go direct")
fi
pairs+=(--pair "bash shim=go direct")
if [[ $have_rustup -eq 1 ]]; then
    pairs+=(--pair "rustup proxy=rustc direct")
fi

echo "### Shim overhead (go$version, .go-version five directories up, stale GOROOT)"
echo
bench_environment
echo "- $rounds interleaved rounds x $runs runs per command (after $warmup warm-up runs), hyperfine -N"
if [[ $have_rustup -eq 1 ]]; then
    echo "- rustup: $(rustup --version 2>/dev/null | head -n 1 || echo unknown); $rustc_version"
fi
echo
python3 "$root/bench/summarize.py" --unit ms "${pairs[@]}" "$scratch/results"
