# shellcheck shell=bash
# Shared helpers for the benchmark scripts in bench/ (sourced, not run).
#
# Interleaving: hyperfine runs all samples of one command before the next, so a
# change in machine load (other jobs, thermal, page cache) lands on one command
# only. bench_run instead runs ROUNDS rounds; each round gives every command one
# short hyperfine invocation (RUNS samples after WARMUP discarded ones), in an
# order that rotates from round to round. All samples of a command are then
# pooled and summarised by bench/summarize.py (medians, ratios).

bench_prog=${0##*/}

bench_log() { printf '%s: %s\n' "$bench_prog" "$*" >&2; }

bench_die() {
    printf 'error: %s\n' "$1" >&2
    if [[ $# -gt 1 ]]; then
        printf '\nhint: %s\n' "$2" >&2
    fi
    exit 1
}

bench_need() {
    command -v "$1" >/dev/null 2>&1 || bench_die "\`$1\` is required but not found on PATH" "$2"
}

# bench_repo_root: the repository root (the parent of bench/).
bench_repo_root() {
    local here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
    dirname "$here"
}

# bench_host_platform: this machine as Go names it (linux-amd64, linux-arm64, ...).
bench_host_platform() {
    local os arch
    case $(uname -s) in
        Linux) os=linux ;;
        Darwin) os=darwin ;;
        *) os=$(uname -s | tr '[:upper:]' '[:lower:]') ;;
    esac
    case $(uname -m) in
        x86_64 | amd64) arch=amd64 ;;
        aarch64 | arm64) arch=arm64 ;;
        i?86) arch=386 ;;
        armv*) arch=armv6l ;;
        *) arch=$(uname -m) ;;
    esac
    printf '%s-%s\n' "$os" "$arch"
}

# bench_archive VERSION: print the path of go<VERSION>.<host>.tar.gz built by
# scripts/real-go-archives (building it first if it is missing). The directory
# holding it (with index.json and .sha256 files) is the loopback mirror.
bench_archive() {
    local v=$1 dir file
    file="go$v.$(bench_host_platform).tar.gz"
    dir=${GOVER_REAL_GO_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gover-real-go}
    if [[ ! -f $dir/$file || ! -f $dir/$file.sha256 || ! -f $dir/index.json ]]; then
        bench_log "$dir/$file is missing; building it with scripts/real-go-archives"
        dir=$("$(bench_repo_root)/scripts/real-go-archives" --out "$dir" "$v") ||
            bench_die "could not build $file" "run \`scripts/real-go-archives $v\` and fix what it reports"
    fi
    printf '%s\n' "$dir/$file"
}

bench_names=()
bench_shells=()
bench_preps=()
bench_cmds=()
bench_envs=()

# bench_add NAME SHELL PREPARE COMMAND [ENV...]
#   SHELL    `none` (hyperfine -N: exec COMMAND directly, for millisecond-scale
#            commands) or a shell such as `bash` (for pipes; hyperfine subtracts
#            the shell's own start-up time)
#   PREPARE  run before every sample, untimed (empty: nothing)
#   ENV      arguments for env(1), applied to hyperfine and so to COMMAND and
#            PREPARE: `-u NAME` first, then NAME=VALUE
bench_add() {
    local name=$1 shell=$2 prep=$3 cmd=$4 IFS=$'\x1f'
    shift 4
    bench_names+=("$name")
    bench_shells+=("$shell")
    bench_preps+=("$prep")
    bench_cmds+=("$cmd")
    bench_envs+=("$*")
}

# bench_run OUTDIR ROUNDS RUNS WARMUP: run every added command ROUNDS times,
# rotating the order, writing OUTDIR/r<round>-<index>.json (hyperfine format).
bench_run() {
    local out=$1 rounds=$2 runs=$3 warmup=$4 n=${#bench_names[@]} r k i
    local args env_args=()
    mkdir -p "$out"
    for ((r = 1; r <= rounds; r++)); do
        bench_log "round $r/$rounds"
        for ((k = 0; k < n; k++)); do
            i=$(((k + r - 1) % n))
            args=(--runs "$runs" --warmup "$warmup" --style none
                --export-json "$out/r$r-$i.json" -n "${bench_names[$i]}")
            if [[ ${bench_shells[$i]} == none ]]; then
                args+=(-N)
            else
                args+=(--shell "${bench_shells[$i]}")
            fi
            if [[ -n ${bench_preps[$i]} ]]; then
                args+=(--prepare "${bench_preps[$i]}")
            fi
            IFS=$'\x1f' read -r -a env_args <<<"${bench_envs[$i]}"
            # hyperfine's per-invocation outlier warnings are noise here: the pooled
            # samples are summarised at the end. Its errors are shown.
            if ! env "${env_args[@]}" hyperfine "${args[@]}" "${bench_cmds[$i]}" \
                >/dev/null 2>"$out/hyperfine.err"; then
                cat "$out/hyperfine.err" >&2
                bench_die "hyperfine failed for \`${bench_names[$i]}\`: ${bench_cmds[$i]}" \
                    "run that command by hand in the same environment to see its error"
            fi
        done
    done
}

# bench_environment: a few lines describing the machine, for the report.
bench_environment() {
    local cpu
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
    printf -- '- machine: %s, %s CPUs, %s\n' "${cpu:-$(uname -m)}" "$(nproc 2>/dev/null || echo '?')" "$(uname -sr)"
    printf -- '- %s\n' "$(hyperfine --version)"
    printf -- '- date: %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
}

bench_scratch=
bench_server_pid=
bench_url=

# bench_cleanup: stops the mirror and removes the scratch directory (the EXIT trap).
bench_cleanup() {
    if [[ -n $bench_server_pid ]]; then
        kill "$bench_server_pid" 2>/dev/null || true
        wait "$bench_server_pid" 2>/dev/null || true
    fi
    if [[ -n $bench_scratch ]]; then
        rm -rf "$bench_scratch"
    fi
}

# bench_start NAME: makes the scratch directory bench_scratch (under BENCH_TMPDIR,
# else TMPDIR, else /tmp) and sets the traps that clean up.
bench_start() {
    bench_scratch=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/$1.XXXXXX")
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# bench_serve DIR: serves DIR (with its index.json) on 127.0.0.1 (BENCH_PORT, else
# a free port) with python's http.server; sets bench_url to its base URL.
bench_serve() {
    local dir=$1 port
    port=${BENCH_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
    python3 -m http.server --bind 127.0.0.1 --directory "$dir" "$port" >"$bench_scratch/server.log" 2>&1 &
    bench_server_pid=$!
    bench_url=http://127.0.0.1:$port/
    for _ in $(seq 50); do
        curl -fsS --noproxy '*' -o /dev/null "${bench_url}index.json" 2>/dev/null && return 0
        kill -0 "$bench_server_pid" 2>/dev/null || bench_die "the mirror on 127.0.0.1:$port did not start: $(cat "$bench_scratch/server.log")" \
            "set BENCH_PORT to a free port"
        sleep 0.1
    done
    curl -fsS --noproxy '*' -o /dev/null "${bench_url}index.json" || bench_die "the mirror at $bench_url does not answer"
}
