#!/usr/bin/env bash
# Benchmarks a full add-backend run, dry run and apply, on the bundled
# fixture, on a Litestream-sized checkout made from it (main.go padded to
# about 2,400 lines / 56 KB, about 700 files), and on the fixture with
# 100,000 unrelated files committed beside it. Reports median wall time
# over 300 runs (hyperfine), peak memory (GNU time), what the apply's file
# operations cost on their own on the same file system (benches/fs_floor.py
# replays them without add-backend), and how the 100,000 files change the
# fixture's times (in alternating rounds, so that the machine's slow spells
# weigh on both).
#
# Wall time on a shared VM is noisy, so each run's instruction count is
# reported too (valgrind's callgrind): it repeats exactly, whatever else the
# machine is doing.
#
#   bash benches/bench.sh        # needs: apt-get install hyperfine time valgrind
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/grow.sh
source benches/grow.sh

for tool in hyperfine /usr/bin/time python3 valgrind; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found (apt-get install hyperfine time)" >&2; exit 1; }
done

# The binary as a Linux release ships it, statically linked (`cargo
# build-static`, .cargo/config.toml); elsewhere, the plain release build.
# The plain build is compared with it at the end.
cargo build --release --quiet
dynamic=$PWD/target/release/add-backend
bin=$dynamic
if [[ $(uname -s) == Linux && $(uname -m) == x86_64 ]]; then
  cargo build-static --quiet
  bin=$PWD/target/x86_64-unknown-linux-gnu/release/add-backend
fi
echo "binary: $(file -b "$bin" | cut -d, -f1-5 | sed 's/, BuildID.*//')"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp -r tests/fixtures/litestream "$work/fixture"
cp -r tests/fixtures/litestream "$work/large"

# Pad main.go on both sides of the anchors with unrelated declarations, the
# way the real file has 1,300 lines before its config switch.
pad() {
  local from=$1 to=$2
  for ((i = from; i < to; i++)); do
    printf '// validateSetting%d reports whether setting %d is usable.\n' "$i" "$i"
    printf 'func validateSetting%d(s string, n int) error {\n' "$i"
    printf '\tif s == "" {\n\t\treturn fmt.Errorf("setting %d required")\n\t}\n' "$i"
    printf '\tif n < 0 || n > %d {\n\t\treturn fmt.Errorf("setting %d out of range: %%d", n)\n\t}\n' "$((i * 10))" "$i"
    printf '\treturn nil\n}\n\n'
  done
}
main=$work/large/cmd/litestream/main.go
{
  sed -n '1,/^\/\/ ReplicaSettings are/{/^\/\/ ReplicaSettings are/!p}' "$main"
  pad 0 90
  sed -n '/^\/\/ ReplicaSettings are/,/^\/\/ ReplicaType returns/{/^\/\/ ReplicaType returns/!p}' "$main"
  pad 90 185
  sed -n '/^\/\/ ReplicaType returns/,$p' "$main"
} >"$main.new"
mv "$main.new" "$main"
for ((d = 0; d < 70; d++)); do
  mkdir -p "$work/large/pad/pkg$d"
  for ((f = 0; f < 10; f++)); do
    printf 'package pkg%d\n\n// F%d is padding.\nfunc F%d() int { return %d }\n' "$d" "$f" "$f" "$f" >"$work/large/pad/pkg$d/f$f.go"
  done
done

sync

# row NAME [DIR]: the checkout in DIR, by default $work/NAME.
row() {
  local name=$1 dir=${2:-$work/$1}
  local lines bytes files
  lines=$(wc -l <"$dir/cmd/litestream/main.go")
  bytes=$(wc -c <"$dir/cmd/litestream/main.go")
  files=$(find "$dir" -type f -not -path '*/.git/*' | wc -l)
  hyperfine -N --style none --warmup 20 --runs 300 --export-json "$work/$name-dry.json" \
    "$bin ftp --dry-run --root $dir" >/dev/null
  # Between runs git puts back just what the run changed, so the timing
  # is not polluted by rewriting the whole tree.
  git -C "$dir" init -q && git -C "$dir" add -A
  git -C "$dir" diff --cached --quiet || git -C "$dir" -c user.name=b -c user.email=b@b commit -qm base
  # Between runs, just what a run changed is put back: the files it
  # modified copied back from a saved copy, those it created deleted. A
  # reset that walked the tree (git checkout, git clean) would cost more
  # with every unrelated file, and leave the disk busy for the next run.
  "$bin" ftp --root "$dir" >/dev/null 2>&1
  local saved=$work/$name-saved changed created
  mkdir -p "$saved"
  changed=$(git -C "$dir" diff --name-only)
  created=$(git -C "$dir" ls-files --others --exclude-standard --directory)
  git -C "$dir" checkout -q -- .
  for f in $changed; do mkdir -p "$saved/$(dirname "$f")" && cp -p "$dir/$f" "$saved/$f"; done
  local reset="cd $dir && rm -rf $(echo $created) && cp -pr $saved/. . && sync"
  echo "$reset" >"$work/reset-$name"
  bash -c "$reset"
  hyperfine -N --style none --warmup 20 --runs 300 --export-json "$work/$name-apply.json" \
    --prepare "bash -c '$reset'" "$bin ftp --root $dir" >/dev/null
  bash -c "$reset"
  local rss
  rss=$(/usr/bin/time -f %M "$bin" ftp --root "$dir" 2>&1 >/dev/null | tail -n 1)
  bash -c "$reset"
  local instructions
  instructions=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" ftp --root "$dir" 2>&1 >/dev/null | sed -n 's/.*Collected : //p')
  # The same file operations replayed by a script, without add-backend.
  local floor
  floor=$(python3 benches/fs_floor.py "$dir" 300)
  python3 - "$name" "$lines" "$bytes" "$files" "$rss" "$work/$name-dry.json" "$work/$name-apply.json" "$instructions" "$floor" <<'PY'
import json, sys
name, lines, size, files, rss, dry, apply, instructions, floor = sys.argv[1:]
med = lambda p: json.load(open(p))["results"][0]["median"] * 1000
print(f"| {name} | {lines} lines, {int(size) // 1024} KiB | {files} | {med(dry):.2f} ms | {med(apply):.2f} ms | {floor} ms | {int(instructions) / 1e6:.1f} M | {int(rss) / 1024:.1f} MiB |")
PY
  bash -c "$reset"
}

# ratio NAME_A BIN_A NAME_B BIN_B LABEL: the medians of B's and A's dry
# runs and applies (each NAME a checkout above, run by its BIN), taken in
# 10 alternating rounds of 30 runs so that a slow spell of the machine
# weighs on both; prints the median of the rounds' ratios, and each side's
# fastest, median and slowest round (this VM's speed drifts over minutes).
ratio() {
  local round kind
  for ((round = 0; round < 10; round++)); do
    for kind in a b; do
      local name bin_k
      if [[ $kind == a ]]; then name=$1 bin_k=$2; else name=$3 bin_k=$4; fi
      local dir=$work/$name reset
      reset=$(cat "$work/reset-$name")
      hyperfine -N --style none --warmup 5 --runs 30 --export-json "$work/ratio-$kind-dry-$round.json" \
        "$bin_k ftp --dry-run --root $dir" >/dev/null
      hyperfine -N --style none --warmup 5 --runs 30 --export-json "$work/ratio-$kind-apply-$round.json" \
        --prepare "bash -c '$reset'" "$bin_k ftp --root $dir" >/dev/null
      bash -c "$reset"
    done
  done
  python3 - "$work" "$5" <<'PY'
import json, statistics, sys
work, label = sys.argv[1:]
med = lambda k, kind, r: json.load(open(f"{work}/ratio-{k}-{kind}-{r}.json"))["results"][0]["median"]
names = label.split(" / ")
for kind in ("dry", "apply"):
    ratios = [med("b", kind, r) / med("a", kind, r) for r in range(10)]
    spans = []
    for k, name in zip("ba", names):
        ms = sorted(med(k, kind, r) * 1000 for r in range(10))
        spans.append(f"{name} {ms[0]:.2f}-{statistics.median(ms):.2f}-{ms[-1]:.2f} ms")
    print(f"{label}, {kind}: {statistics.median(ratios):.2f}x (rounds: {min(ratios):.2f}-{max(ratios):.2f}x;"
          f" fastest-median-slowest round: {'; '.join(spans)})")
PY
}

echo "| checkout | cmd/litestream/main.go | files | dry run (median) | apply (median) | its file operations alone (median) | apply (instructions) | peak RSS |"
echo "|---|---|---|---|---|---|---|---|"
row fixture
row large
# The fixture again, with 100,000 unrelated files where a real repository
# keeps them (vendor/, node_modules/, a data tree) and all of them in its
# git history: a run must not read them, so it must cost what the plain
# fixture costs.
cp -r "$work/fixture" "$work/huge"
add_unrelated_files "$work/huge"

sync
row huge

# The fixture and the large checkout again on a RAM file system, where
# creating and renaming a dozen files costs next to nothing: what is left
# is add-backend's own work, apart from the disk's.
if [[ -d /dev/shm ]]; then
  shm=$(mktemp -d -p /dev/shm)
  trap 'rm -rf "$work" "$shm"' EXIT
  for name in fixture large; do
    cp -r "$work/$name" "$shm/$name"
    row "$name-tmpfs" "$shm/$name"
  done
fi
ratio fixture "$bin" huge "$bin" "huge / fixture"
ratio fixture "$bin" large "$bin" "large / fixture"
if [[ $bin != "$dynamic" ]]; then
  ratio fixture "$dynamic" fixture "$bin" "static / dynamic"
fi

# The speed targets, each PASS or FAIL (instructions on the real projects'
# releases, the floor, the peers, memory): benches/targets.sh, which also
# runs alone.
echo
bash benches/targets.sh
