#!/usr/bin/env bash
# Benchmark (not a test): `gover install VERSION` of a real Go toolchain from a
# loopback HTTP mirror, against what people do by hand:
#   pipe     curl -fsS URL | tar -xz -C emptydir
#   careful  curl -o f && curl -o f.sha256 && sha256sum -c && tar -xzf f
# Runs are interleaved (see bench/lib.sh); prints Markdown tables of the medians,
# the ratio of medians, and the peak RSS of gover (GNU time %M).
#
# usage: bench/install.sh [--baselines-only] [VERSION]     (default VERSION: 1.22.10)
#
# environment:
#   GOVER_BIN          gover binary (default: target/release/gover)
#   GOVER_REAL_GO_DIR  archives from scripts/real-go-archives (built if missing)
#   BENCH_ROUNDS       interleaved rounds, one sample per command each (default 10)
#   BENCH_RSS_RUNS     gover runs under GNU time for the peak RSS (default 3)
#   BENCH_PORT         loopback port for the mirror (default: a free one)
#   BENCH_TMPDIR       where installs are unpacked (default: $TMPDIR or /tmp); use
#                      the filesystem gover's home would really be on
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

baselines_only=0
version=
while [[ $# -gt 0 ]]; do
    case $1 in
        --baselines-only) baselines_only=1; shift ;;
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
rss_runs=${BENCH_RSS_RUNS:-3}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_ROUNDS must be a positive integer, not \`$rounds\`"
[[ $rss_runs =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_RSS_RUNS must be a positive integer, not \`$rss_runs\`"

root=$(bench_repo_root)
bench_need hyperfine "install it (\`apt-get install hyperfine\` or \`cargo install hyperfine\`)"
bench_need curl "install curl"
bench_need tar "install tar"
bench_need sha256sum "install GNU coreutils"
bench_need python3 "install Python 3 (it serves the loopback mirror)"
if ! /usr/bin/time -f %M true >/dev/null 2>&1; then
    bench_die "GNU time is required at /usr/bin/time for the peak RSS" "\`apt-get install time\`"
fi

gover=
if [[ $baselines_only -eq 0 ]]; then
    gover=${GOVER_BIN:-$root/target/release/gover}
    [[ -x $gover ]] || bench_die "gover binary not found at $gover" \
        "build it with \`cargo build --release -p gover\`, set GOVER_BIN, or pass \`--baselines-only\`"
    gover=$(cd "$(dirname "$gover")" && pwd -P)/${gover##*/}
fi

archive=$(bench_archive "$version")
mirror_dir=$(dirname "$archive")
file=${archive##*/}

bench_start gover-bench-install
scratch=$bench_scratch
# The loopback mirror: the archive directory served by python's http.server.
bench_serve "$mirror_dir"
base=$bench_url
url=$base$file
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1

# Sample commands. Every sample starts from an empty target (PREPARE, untimed), and
# `sync` so no sample pays for writing back the previous one's files.
home=$scratch/gover-home
# GOVER_VERIFY=off: nothing past loopback (bench/trustcheck.sh measures the
# checksum-database cross-check against a loopback database).
gover_env=(-u GOVER_OFFLINE GOVER_HOME="$home" GOVER_MIRROR="$base" GOVER_INDEX_URL="${base}index.json" GOVER_VERIFY=off GOPROXY=off)
gover_cmd="'$gover' -q install $version"
pipe_cmd="curl -fsS --noproxy '*' '$url' | tar -xz -C '$scratch/pipe'"
careful_cmd="cd '$scratch/careful' && curl -fsS --noproxy '*' -o '$file' '$url' && curl -fsS --noproxy '*' -o '$file.sha256' '$url.sha256' && printf '%s  %s\n' \"\$(cat '$file.sha256')\" '$file' | sha256sum -c --quiet - && tar -xzf '$file'"
fresh() { printf "rm -rf '%s' && mkdir -p '%s' && sync" "$1" "$1"; }

# Check each command once, and that it really produced a working toolchain.
platform=$(bench_host_platform)
expect="go version go$version ${platform/-//}"
check_go() { # check_go NAME GOROOT
    local out
    out=$(env -u GOROOT -u GOFLAGS GOTOOLCHAIN=local "$2/bin/go" version 2>&1) ||
        bench_die "$1: $2/bin/go version failed: $out"
    [[ $out == "$expect" ]] || bench_die "$1: $2/bin/go version printed \`$out\`, expected \`$expect\`"
}
bench_log "checking each command once against $url"
eval "$(fresh "$scratch/pipe")"
bash -c "$pipe_cmd" || bench_die "\`curl | tar\` of $url failed (see above)"
check_go "curl | tar" "$scratch/pipe/go"
eval "$(fresh "$scratch/careful")"
bash -c "$careful_cmd" || bench_die "\`curl && sha256sum && tar\` of $url failed (see above)"
check_go "curl && sha256sum && tar" "$scratch/careful/go"
if [[ -n $gover ]]; then
    eval "$(fresh "$home")"
    env "${gover_env[@]}" bash -c "$gover_cmd" ||
        bench_die "\`gover install $version\` from $base failed (see above)"
    check_go gover "$home/toolchains/go$version"
fi

if [[ -n $gover ]]; then
    bench_add "gover install" bash "$(fresh "$home")" "$gover_cmd" "${gover_env[@]}"
fi
bench_add "curl | tar" bash "$(fresh "$scratch/pipe")" "$pipe_cmd"
bench_add "curl && sha256sum && tar" bash "$(fresh "$scratch/careful")" "$careful_cmd"
bench_run "$scratch/results" "$rounds" 1 0

# Peak RSS (GNU time %M, KiB): gover itself; for the pipe, the largest process in it.
rss_max() { # rss_max LABEL PREPARE CMD [ENV...]: print the largest %M over rss_runs runs
    local label=$1 prep=$2 cmd=$3 i kib max=0
    shift 3
    for ((i = 0; i < rss_runs; i++)); do
        eval "$prep"
        env "$@" /usr/bin/time -f %M -o "$scratch/rss" bash -c "$cmd" >/dev/null ||
            bench_die "$label failed under /usr/bin/time"
        kib=$(tail -n 1 "$scratch/rss")
        if ((kib > max)); then
            max=$kib
        fi
    done
    printf '%s\n' "$max"
}
bench_log "measuring peak RSS ($rss_runs runs each)"
pipe_rss=$(rss_max "curl | tar" "$(fresh "$scratch/pipe")" "$pipe_cmd")
if [[ -n $gover ]]; then
    gover_rss=$(rss_max "gover install" "$(fresh "$home")" "exec $gover_cmd" "${gover_env[@]}")
fi

entries=$(tar -tzf "$archive" | wc -l)
size_mib=$(awk -v b="$(wc -c <"$archive")" 'BEGIN { printf "%.1f", b / 1048576 }')
fs=$(stat -f -c %T "$scratch" 2>/dev/null || echo '?')

echo "### gover install vs curl | tar ($file, $size_mib MiB, $entries entries)"
echo
bench_environment
echo "- mirror: python3 -m http.server on 127.0.0.1; unpacked on $fs; $rounds interleaved rounds"
pairs=(--pair "curl && sha256sum && tar=curl | tar")
if [[ -n $gover ]]; then
    echo "- gover: $("$gover" --version 2>/dev/null || echo "$gover")"
    pairs=(--pair "gover install=curl | tar" "${pairs[@]}")
fi
echo
python3 "$root/bench/summarize.py" --unit s "${pairs[@]}" "$scratch/results"
echo
echo "| peak RSS | KiB | MiB |"
echo "|---|---:|---:|"
if [[ -n $gover ]]; then
    awk -v k="$gover_rss" 'BEGIN { printf "| gover install | %d | %.1f |\n", k, k / 1024 }'
fi
awk -v k="$pipe_rss" 'BEGIN { printf "| curl \\| tar (largest process) | %d | %.1f |\n", k, k / 1024 }'
