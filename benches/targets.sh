#!/usr/bin/env bash
# The speed targets, each measured and marked PASS or FAIL: instruction
# counts (callgrind: exact, whatever else the machine does) on the real
# projects and the fixtures, wall-time ratios taken in alternating rounds
# in one run (against the floor, a program that only reads the files a run
# reads, and against Hygen and Plop doing a reduced job), and peak memory.
#
#   bash benches/targets.sh            # or the end of bash benches/bench.sh
#   BENCH_PEERS=1 bash benches/targets.sh   # also install Hygen and Plop (npm)
#
# The real projects come through their registries at the releases below
# (Go module proxy, crates.io), so the figures can be had on any machine;
# LITESTREAM=DIR, SCCACHE=DIR, RCLONE=DIR measure other checkouts instead
# (a main checkout, say), copied first; LITESTREAM_LABEL=... and the like
# name them in the table.
#
# needs: valgrind, hyperfine, GNU time, python3, go, curl; npm for the peers.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/grow.sh
source benches/grow.sh
root=$PWD

LITESTREAM_RELEASE=v0.5.18
RCLONE_RELEASE=v1.75.0
SCCACHE_RELEASE=0.18.0

for tool in valgrind hyperfine /usr/bin/time python3 go curl rustc; do
  command -v "$tool" >/dev/null || { echo "targets: $tool not found" >&2; exit 1; }
done

cargo build --release --quiet
bin=$root/target/release/add-backend
static=(-C opt-level=3)
if [[ $(uname -s) == Linux && $(uname -m) == x86_64 ]]; then
  cargo build-static --quiet
  bin=$root/target/x86_64-unknown-linux-gnu/release/add-backend
  static=(-C opt-level=3 -C target-feature=+crt-static --target x86_64-unknown-linux-gnu)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
rustc "${static[@]}" benches/floor.rs -o "$work/floor"

# A checkout of each real project: the one given, or the release from its
# registry, as a git repository (so that a run's changes can be undone).
checkout() { # NAME DIR_OR_EMPTY FETCH...
  local name=$1 given=$2; shift 2
  local dir=$work/real-$name
  if [[ -n $given ]]; then
    mkdir -p "$dir" && (cd "$given" && git ls-files -z 2>/dev/null | xargs -0 -r cp --parents -t "$dir" 2>/dev/null || cp -r "$given/." "$dir")
  else
    "$@" "$dir"
  fi
  chmod -R u+w "$dir"
  git -C "$dir" init -q && git -C "$dir" add -A && git -C "$dir" -c user.name=b -c user.email=b@b commit -qm base
  echo "$dir"
}
from_go_proxy() { # MODULE@VERSION DIR
  local from
  from=$(GOFLAGS=-mod=mod go mod download -json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  cp -r "$from" "$2"
}
from_crates_io() { # CRATE VERSION DIR
  mkdir -p "$3"
  curl -sSfL "https://static.crates.io/crates/$1/$1-$2.crate" | tar -xz -C "$3" --strip-components=1
  # The package's Cargo.toml is cargo's rewrite; the repository's is kept beside it.
  [[ -f $3/Cargo.toml.orig ]] && mv "$3/Cargo.toml.orig" "$3/Cargo.toml"
}
ls_dir=$(checkout litestream "${LITESTREAM:-}" from_go_proxy "github.com/benbjohnson/litestream@$LITESTREAM_RELEASE")
rc_dir=$(checkout rclone "${RCLONE:-}" from_go_proxy "github.com/rclone/rclone@$RCLONE_RELEASE")
sc_dir=$(checkout sccache "${SCCACHE:-}" from_crates_io sccache "$SCCACHE_RELEASE")
ls_label=${LITESTREAM:+$(git -C "$LITESTREAM" describe --always --tags 2>/dev/null || echo given)}
rc_label=${RCLONE:+$(git -C "$RCLONE" describe --always --tags 2>/dev/null || echo given)}
sc_label=${SCCACHE:+$(git -C "$SCCACHE" describe --always --tags 2>/dev/null || echo given)}
ls_label=${LITESTREAM_LABEL:-${ls_label:-$LITESTREAM_RELEASE}}
rc_label=${RCLONE_LABEL:-${rc_label:-$RCLONE_RELEASE}}
sc_label=${SCCACHE_LABEL:-${sc_label:-$SCCACHE_RELEASE}}

# The fixtures, and the fixtures grown: rclone's with 70 backends more,
# Litestream's with 100,000 unrelated files committed beside it.
for project in litestream sccache rclone; do
  cp -r "tests/fixtures/$project" "$work/fx-$project"
  git -C "$work/fx-$project" init -q && git -C "$work/fx-$project" add -A
  git -C "$work/fx-$project" -c user.name=b -c user.email=b@b commit -qm base
done
cp -r "$work/fx-rclone" "$work/fx-rclone70"
for ((i = 0; i < 70; i++)); do
  mkdir -p "$work/fx-rclone70/backend/extra$i"
  printf 'package extra%d\n\nfunc init() {\n\tfs.Register(&fs.RegInfo{Name: "extra%d"})\n}\n' "$i" "$i" >"$work/fx-rclone70/backend/extra$i/extra$i.go"
done
cp -r "$work/fx-litestream" "$work/fx-huge"
add_unrelated_files "$work/fx-huge"
git -C "$work/fx-huge" add -A && git -C "$work/fx-huge" -c user.name=b -c user.email=b@b commit -qm huge

ls_add=(ftp)
sc_add=(obs --service Obs --field bucket!)
rc_add=(acme --title "Acme Cloud" --field endpoint! --field api_key:secret! --field chunk_size:int)

# instructions DIR ARGS...: a run's instruction count (add --dry-run for a
# dry run); an apply is undone after.
instructions() {
  local dir=$1; shift
  local n
  n=$(cd "$dir" && valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" -q 2>&1 >/dev/null | sed -n 's/.*Collected : //p')
  git -C "$dir" checkout -q -- . && git -C "$dir" clean -qfdx
  [[ -n $n ]] || { echo "targets: no count for $* in $dir" >&2; exit 1; }
  echo "$n"
}
# peak DIR ARGS...: a run's peak resident memory, in KiB; undone after.
peak() {
  local dir=$1; shift
  local kib
  kib=$(cd "$dir" && /usr/bin/time -f %M "$bin" "$@" -q 2>&1 >/dev/null | tail -n 1)
  git -C "$dir" checkout -q -- . && git -C "$dir" clean -qfdx
  echo "$kib"
}

rows=()
# row TARGET MEASURED LIMIT PASS(0|1)
row() { rows+=("| $1 | $2 | $3 | $([[ $3 == "(reported)" ]] && echo — || { [[ $4 == 1 ]] && echo PASS || echo FAIL; }) |"); }
m() { python3 -c "print(f'{$1 / 1e6:.1f} M')"; }
le() { python3 -c "print(int($1 <= $2))"; }

ls_dry=$(instructions "$ls_dir" "${ls_add[@]}" --dry-run)
ls_apply=$(instructions "$ls_dir" "${ls_add[@]}")
sc_dry=$(instructions "$sc_dir" "${sc_add[@]}" --dry-run)
rc_dry=$(instructions "$rc_dir" "${rc_add[@]}" --dry-run)
row "Litestream $ls_label: dry run \`ftp\`, instructions" "$(m "$ls_dry")" "≤ 14 M" "$(le "$ls_dry" 14e6)"
row "Litestream $ls_label: apply \`ftp\`, instructions" "$(m "$ls_apply")" "≤ 12 M" "$(le "$ls_apply" 12e6)"
row "sccache $sc_label: dry run \`${sc_add[*]}\`, instructions" "$(m "$sc_dry")" "≤ 60 M" "$(le "$sc_dry" 60e6)"
row "rclone $rc_label: dry run \`acme ...\`, instructions" "$(m "$rc_dry")" "≤ 14 M (a Litestream dry run's)" "$(le "$rc_dry" 14e6)"

# args NAME: the add command of project NAME, in the array `add`.
args() {
  case $1 in
    litestream) add=("${ls_add[@]}") ;;
    sccache) add=("${sc_add[@]}") ;;
    rclone) add=("${rc_add[@]}") ;;
  esac
}
for pair in "rclone rclone70 70 backends more" "litestream huge 100,000 files more"; do
  read -r base grown what <<<"$pair"
  args "$base"
  a=$(instructions "$work/fx-$base" "${add[@]}" --dry-run)
  b=$(instructions "$work/fx-$grown" "${add[@]}" --dry-run)
  r=$(python3 -c "print(f'{$b / $a:.2f}')")
  row "$base fixture with $what: dry run, instructions / the fixture's" "${r}× ($(m "$b") / $(m "$a"))" "≤ 1.10×" "$(le "$r" 1.10)"
done

for p in "Litestream $ls_label|$ls_dir|litestream" "sccache $sc_label|$sc_dir|sccache" "rclone $rc_label|$rc_dir|rclone"; do
  IFS='|' read -r label dir project <<<"$p"
  args "$project"
  dry_kib=$(peak "$dir" "${add[@]}" --dry-run)
  apply_kib=$(peak "$dir" "${add[@]}")
  kib=$((dry_kib > apply_kib ? dry_kib : apply_kib))
  row "$label: peak memory, dry run or apply" "$(python3 -c "print(f'{$kib / 1024:.1f} MiB')")" "≤ 10 MiB" "$(le "$kib" 10240)"
done

# alternate A B RUNS ROUNDS [PREPARE]: the median over ROUNDS rounds of the
# ratio of B's median wall time to A's, each round RUNS runs of each,
# alternating, so that a slow spell of the machine weighs on both.
alternate() {
  local a=$1 b=$2 runs=$3 rounds=$4 prepare=${5:-true} round
  for ((round = 0; round < rounds; round++)); do
    hyperfine -N --style none --warmup 3 --runs "$runs" --prepare "$prepare" --export-json "$work/alt-a-$round.json" "$a" >/dev/null 2>&1
    hyperfine -N --style none --warmup 3 --runs "$runs" --prepare "$prepare" --export-json "$work/alt-b-$round.json" "$b" >/dev/null 2>&1
  done
  python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
med = lambda k, r: json.load(open(f"{work}/alt-{k}-{r}.json"))["results"][0]["median"]
ratios = [med("b", r) / med("a", r) for r in range(rounds)]
a = statistics.median(med("a", r) for r in range(rounds)) * 1000
b = statistics.median(med("b", r) for r in range(rounds)) * 1000
print(f"{statistics.median(ratios):.2f} {min(ratios):.2f} {max(ratios):.2f} {a:.2f} {b:.2f}")
PY
}

# The floor: the files the dry run reads, read by a program that does
# nothing else.
for p in "Litestream fixture|$work/fx-litestream" "Litestream $ls_label|$ls_dir"; do
  IFS='|' read -r label dir <<<"$p"
  mapfile -t read_files < <(cd "$dir" && "$bin" ftp --dry-run -v 2>&1 >/dev/null | sed -n 's/^verbose: read \(.*\) ([0-9]* bytes)$/\1/p')
  (cd "$dir" && "$work/floor" "${read_files[@]}" >/dev/null)
  printf -v floor_cmd '%q ' "$work/floor" "${read_files[@]/#/$dir/}"
  read -r ratio lo hi floor_ms ab_ms < <(alternate "$floor_cmd" "$bin ftp --dry-run -q --root $dir" 30 10)
  row "$label: dry run / the floor (${#read_files[@]} files read), wall time" "${ratio}× ($ab_ms ms / $floor_ms ms; rounds ${lo}–${hi}×)" "≤ 2.5×" "$(le "$ratio" 2.5)"
done

# The peers, on the Litestream fixture: add-backend's whole job (apply)
# against theirs (the backend file, its test, the import, the case arm,
# the constructor, the README block).
peers=$root/benches/peers
if [[ ${BENCH_PEERS:-} == 1 ]] && command -v npm >/dev/null; then
  (cd "$peers" && npm ci --no-audit --no-fund --silent)
fi
dir=$work/fx-litestream
reset="git -C $dir checkout -q -- . && git -C $dir clean -qfdx"
if [[ -x $peers/node_modules/.bin/hygen && -x $peers/node_modules/.bin/plop ]]; then
  export HYGEN_TMPLS=$peers/_templates
  for peer in "Hygen|$peers/node_modules/.bin/hygen backend new --name ftp" \
    "Plop|$peers/node_modules/.bin/plop --plopfile $peers/plopfile.js --dest $dir backend ftp"; do
    IFS='|' read -r label cmd <<<"$peer"
    read -r ratio lo hi ab_ms peer_ms < <(cd "$dir" && alternate "$bin ftp -q --root $dir" "$cmd" 5 5 "bash -c '$reset'")
    bash -c "$reset"
    row "$label (a reduced job) / add-backend (all of it), Litestream fixture, wall time" "${ratio}× ($peer_ms ms / $ab_ms ms; rounds ${lo}–${hi}×)" "(reported)" 1
  done
else
  row "Hygen and Plop / add-backend" "skipped: run with BENCH_PEERS=1 (needs npm) to install them into benches/peers" "(reported)" 1
fi

echo "targets, $(date -u +%F), $(nproc) cores, $(uname -m), $(file -b "$bin" | cut -d, -f1-2):"
echo
echo "| target | measured | limit | |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
