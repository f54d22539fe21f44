# Sourced by benches/bench.sh and benches/targets.sh: what both make of a
# fixture.

# add_unrelated_files DIR: 100,000 empty files where a real repository
# keeps files a run must never read (vendor/, node_modules/, a data tree).
add_unrelated_files() {
  local top d f
  for top in vendor node_modules testdata; do
    for ((d = 0; d < 100; d++)); do
      mkdir -p "$1/$top/d$d"
      for ((f = 0; f < 333; f++)); do : >"$1/$top/d$d/f$f.go"; done
    done
  done
}
