#!/usr/bin/env bash
# Benchmark (not a test): what the checksum database cross-check adds to
# `gover install VERSION` of a real Go toolchain. One loopback server
# (python's http.server) serves the mirror (the archive and index.json from
# scripts/real-go-archives) and a checksum database for the archive's toolchain
# module (static files: a log of 66,112 records signed with a test key, written
# by the e2e test `trustcheck::write_a_loopback_database_for_the_bench`).
# Interleaved (see bench/lib.sh), each sample into an empty GOVER_HOME (so every
# sample looks the record up and fetches its tiles afresh):
#   cross-check     GOVER_VERIFY=require: the lookup runs beside the download,
#                   the tree's h1: is checked before the commit
#   no cross-check  GOVER_VERIFY=off: the database is not consulted
# Prints a Markdown table of the medians and their ratio.
#
# usage: bench/trustcheck.sh [VERSION]     (default VERSION: 1.22.10)
#
# environment:
#   GOVER_BIN          gover binary (default: target/release/gover)
#   GOVER_REAL_GO_DIR  archives from scripts/real-go-archives (built if missing)
#   BENCH_ROUNDS       interleaved rounds, one sample per command each (default 10)
#   BENCH_PORT         loopback port for the server (default: a free one)
#   BENCH_TMPDIR       where homes are made (default: $TMPDIR or /tmp)
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
case ${1:-} in -h | --help) usage; exit 0 ;; -*) bench_die "unknown option \`$1\`" "run \`$0 --help\`" ;; esac
version=${1:-1.22.10}
version=${version#go}
rounds=${BENCH_ROUNDS:-10}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_ROUNDS must be a positive integer, not \`$rounds\`"

root=$(bench_repo_root)
for tool in hyperfine curl python3 cargo; do
    bench_need "$tool" "install it"
done
gover=${GOVER_BIN:-$root/target/release/gover}
[[ -x $gover ]] || bench_die "gover binary not found at $gover" "build it with \`cargo build --release -p gover\` or set GOVER_BIN"
archive=$(bench_archive "$version")
file=${archive##*/}

bench_start gover-bench-trustcheck
scratch=$bench_scratch
serve=$scratch/serve
mkdir -p "$serve"
ln -s "$archive" "$serve/$file"
ln -s "$(dirname "$archive")/index.json" "$serve/index.json"
bench_log "writing the loopback checksum database for $file"
GOVER_BENCH_ARCHIVE=$archive GOVER_BENCH_SUMDB_DIR=$serve \
    cargo test --manifest-path "$root/Cargo.toml" -q -p gover --test e2e -- \
    --ignored --exact trustcheck::write_a_loopback_database_for_the_bench >"$scratch/dump.log" 2>&1 ||
    bench_die "could not write the loopback database: $(tail -n 20 "$scratch/dump.log")"
[[ -s $serve/gosumdb ]] || bench_die "the loopback database was not written: $(tail -n 20 "$scratch/dump.log")"
bench_serve "$serve"
url=$bench_url
name=$(sed 's/+.*//' "$serve/gosumdb")
gosumdb="$(cat "$serve/gosumdb") ${url}sumdb/$name"
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1 GOVER_MIRROR=$url GOVER_INDEX_URL=${url}index.json \
    GOPROXY=off GOSUMDB=$gosumdb
unset GOVER_OFFLINE GOVER_SOURCE

# One checked install first: it must verify, not merely pass.
GOVER_HOME=$scratch/check GOVER_VERIFY=require "$gover" -v install "$version" 2>"$scratch/check.log" ||
    bench_die "the checked install failed: $(cat "$scratch/check.log")"
grep -q "matches the checksum database $name" "$scratch/check.log" ||
    bench_die "the checked install did not match the database: $(cat "$scratch/check.log")"

fresh() { printf "rm -rf '%s' && mkdir -p '%s' && sync" "$1" "$1"; }
bench_add "cross-check" bash "$(fresh "$scratch/on")" "'$gover' -q install $version" \
    GOVER_HOME="$scratch/on" GOVER_VERIFY=require
bench_add "no cross-check" bash "$(fresh "$scratch/off")" "'$gover' -q install $version" \
    GOVER_HOME="$scratch/off" GOVER_VERIFY=off
bench_run "$scratch/results" "$rounds" 1 0

echo "### The checksum database cross-check: gover install go$version"
echo
bench_environment
echo "- mirror and database: python3 -m http.server on 127.0.0.1 (a log of $(sed -n 2p "$serve/sumdb/$name/latest") records); homes on $(stat -f -c %T "$scratch" 2>/dev/null || echo '?'); $rounds interleaved rounds"
echo "- gover: $("$gover" --version)"
echo
python3 "$root/bench/summarize.py" --unit s --pair "cross-check=no cross-check" "$scratch/results"
