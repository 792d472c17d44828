#!/usr/bin/env bash
# Benchmark (not a test): the deduplicating toolchain store. Side by side in one
# run, on one loopback mirror (python's http.server over the archives that
# scripts/real-go-archives builds), interleaved (see bench/lib.sh):
#   patch install   gover install NEW when OLD (the previous patch) is installed;
#                   before each sample NEW is uninstalled again (untimed)
#   first install   gover install NEW into an empty home
#   first (copy)    the same with GOVER_LINK_MODE=copy: no store, as before it
#   first (base)    the same with BENCH_BASELINE_GOVER (an older gover), if set
#   curl | tar      curl -fsS URL | tar -xz of NEW into an empty directory
# Then the disk each adds (du, every inode counted once), the disk of VERSIONS
# installed together against as many plain copies, and the peak RSS (GNU time).
# Prints Markdown tables ready for docs/benchmarks.md.
#
# usage: bench/store.sh [OLD NEW [VERSION...]]
#   default: 1.26.5 1.26.6, and for the disk of many toolchains
#   1.21.13 1.22.10 1.23.9 1.24.11 1.25.5 1.26.5 1.26.6 1.27.1 1.27.2 1.27.3
#
# environment:
#   GOVER_BIN             gover binary (default: target/release/gover)
#   BENCH_BASELINE_GOVER  an older gover to compare first installs with (optional)
#   GOVER_REAL_GO_DIR     archives from scripts/real-go-archives (built if missing)
#   BENCH_ROUNDS          interleaved rounds, one sample per command each (default 7)
#   BENCH_PORT            loopback port for the mirror (default: a free one)
#   BENCH_TMPDIR          where homes are made (default: $TMPDIR or /tmp)
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
case ${1:-} in -h | --help) usage; exit 0 ;; esac
old=${1:-1.26.5}
new=${2:-1.26.6}
shift 2 2>/dev/null || shift $#
many=("$@")
if [[ ${#many[@]} -eq 0 ]]; then
    many=(1.21.13 1.22.10 1.23.9 1.24.11 1.25.5 1.26.5 1.26.6 1.27.1 1.27.2 1.27.3)
fi
rounds=${BENCH_ROUNDS:-7}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_ROUNDS must be a positive integer, not \`$rounds\`"

root=$(bench_repo_root)
for tool in hyperfine curl tar python3 du; do
    bench_need "$tool" "install it"
done
/usr/bin/time -f %M true >/dev/null 2>&1 || bench_die "GNU time is required at /usr/bin/time" "\`apt-get install time\`"
gover=${GOVER_BIN:-$root/target/release/gover}
[[ -x $gover ]] || bench_die "gover binary not found at $gover" "build it with \`cargo build --release -p gover\` or set GOVER_BIN"
base=${BENCH_BASELINE_GOVER:-}
[[ -z $base || -x $base ]] || bench_die "BENCH_BASELINE_GOVER=$base is not an executable"

# Every archive in one directory: the mirror.
mirror_dir=
for v in "$old" "$new" "${many[@]}"; do
    a=$(bench_archive "$v")
    mirror_dir=$(dirname "$a")
done

bench_start gover-bench-store
scratch=$bench_scratch
# The loopback mirror: the archive directory served by python's http.server.
bench_serve "$mirror_dir"
url=$bench_url
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1 GOVER_MIRROR=$url GOVER_INDEX_URL=${url}index.json
# Nothing past loopback: the checksum-database cross-check is measured on its
# own by bench/trustcheck.sh against a loopback database.
export GOVER_VERIFY=off GOPROXY=off
unset GOVER_OFFLINE GOVER_LINK_MODE
file=go$new.$(bench_host_platform).tar.gz

kib() { du -sk "$@" | awk '{ s += $1 } END { print s }'; }
fresh() { printf "rm -rf '%s' && mkdir -p '%s' && sync" "$1" "$1"; }

# The patch install: OLD stays, NEW comes and goes.
patch_home=$scratch/patch
GOVER_HOME=$patch_home "$gover" -q install "$old" || bench_die "gover install $old failed"
old_kib=$(kib "$patch_home")
GOVER_HOME=$patch_home "$gover" -q install "$new" || bench_die "gover install $new failed"
both_kib=$(kib "$patch_home")
GOVER_HOME=$patch_home "$gover" -q uninstall "$new"
bench_add "patch install" bash "GOVER_HOME='$patch_home' '$gover' -q uninstall $new >/dev/null 2>&1; sync" \
    "'$gover' -q install $new" GOVER_HOME="$patch_home"
bench_add "first install" bash "$(fresh "$scratch/first")" "'$gover' -q install $new" GOVER_HOME="$scratch/first"
bench_add "first (copy)" bash "$(fresh "$scratch/copy")" "'$gover' -q install $new" \
    GOVER_HOME="$scratch/copy" GOVER_LINK_MODE=copy
if [[ -n $base ]]; then
    bench_add "first (base)" bash "$(fresh "$scratch/base")" "'$base' -q install $new" GOVER_HOME="$scratch/base"
fi
bench_add "curl | tar" bash "$(fresh "$scratch/pipe")" "curl -fsS --noproxy '*' '$url$file' | tar -xz -C '$scratch/pipe'"
bench_run "$scratch/results" "$rounds" 1 0

rss() { # rss HOME ARGS...: peak RSS (KiB) of one gover run
    local home=$1
    shift
    GOVER_HOME=$home /usr/bin/time -f %M -o "$scratch/rss" "$gover" -q "$@" >/dev/null
    tail -n 1 "$scratch/rss"
}
GOVER_HOME=$patch_home "$gover" -q uninstall "$new" >/dev/null 2>&1 || true
sync
patch_rss=$(rss "$patch_home" install "$new")
rm -rf "$scratch/first"
first_rss=$(rss "$scratch/first" install "$new")

# The disk of many toolchains, together and as plain copies.
bench_log "installing ${#many[@]} toolchains together and as plain copies"
many_home=$scratch/many
GOVER_HOME=$many_home "$gover" -q install "${many[@]}" || bench_die "gover install ${many[*]} failed"
together=$(kib "$many_home/toolchains" "$many_home/store")
plain=0
for v in "${many[@]}"; do
    rm -rf "$scratch/plain" && mkdir -p "$scratch/plain"
    tar -xzf "$(bench_archive "$v")" -C "$scratch/plain"
    plain=$((plain + $(kib "$scratch/plain")))
done
rm -rf "$scratch/plain" "$scratch/pipe"
mkdir -p "$scratch/pipe"
tar -xzf "$mirror_dir/$file" -C "$scratch/pipe"
full_kib=$(kib "$scratch/pipe")

echo "### The toolchain store: go$new over go$old, and ${#many[@]} toolchains"
echo
bench_environment
echo "- mirror: python3 -m http.server on 127.0.0.1; homes on $(stat -f -c %T "$scratch" 2>/dev/null || echo '?'); $rounds interleaved rounds"
echo "- gover: $("$gover" --version)"
echo
pairs=(--pair "patch install=curl | tar" --pair "first install=curl | tar" --pair "first install=first (copy)")
[[ -z $base ]] || pairs+=(--pair "first install=first (base)")
python3 "$root/bench/summarize.py" --unit s "${pairs[@]}" "$scratch/results"
echo
echo "| disk (du, each inode once) | KiB | of a plain go$new |"
echo "|---|---:|---:|"
awk -v k="$full_kib" 'BEGIN { printf "| plain go%s (tar -xz) | %d | 100%% |\n", "'"$new"'", k }'
awk -v a="$both_kib" -v o="$old_kib" -v f="$full_kib" 'BEGIN { printf "| added by go%s over go%s | %d | %.0f%% |\n", "'"$new"'", "'"$old"'", a - o, 100 * (a - o) / f }'
echo
echo "| ${#many[@]} toolchains (${many[0]} … ${many[-1]}) | KiB | ratio |"
echo "|---|---:|---:|"
echo "| plain copies | $plain | 100% |"
awk -v t="$together" -v p="$plain" 'BEGIN { printf "| installed by gover (toolchains/ + store/) | %d | %.0f%% |\n", t, 100 * t / p }'
echo
echo "| peak RSS | KiB | MiB |"
echo "|---|---:|---:|"
awk -v k="$patch_rss" 'BEGIN { printf "| patch install | %d | %.1f |\n", k, k / 1024 }'
awk -v k="$first_rss" 'BEGIN { printf "| first install | %d | %.1f |\n", k, k / 1024 }'
