#!/usr/bin/env bash
# Instructions per command, counted by callgrind, for the Redis bench's commands and their
# baselines: what bounds the targets `npm run bench` measures in ops/s. Each command runs
# N times (pipelined) on its own redis-server under callgrind, which counts only inside
# `call()` (the command's execution: lookup, the command function, replication and AOF
# feeding; not the event loop, the socket reads and writes or the protocol parsing), so
# the count per command is that total divided by N. Writes bench/PROFILE.md.
# usage: npm run bench:profile   (after npm run build; needs valgrind, redis-benchmark)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${PROFILE_COMMANDS:-20000}
module=$PWD/target/release/libmmvec_redis.so
[ -f "$module" ] || { echo "profile: build first (npm run build)" >&2; exit 1; }
peers=$(bash ../shared/bench-peers/build.sh "$PWD/target/bench-peers" | tail -2)
seed=$(echo "$peers" | head -1)
ceiling=$(echo "$peers" | tail -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One row: label, then the command as redis-benchmark takes it.
rows=(
  "GET|GET k"
  "ceil.int|ceil.int c 5"
  "ceil.get|ceil.get c 5"
  "VGET (seed)|VGET sv 5"
  "MMVEC.GET|MMVEC.GET v 5"
  "SET|SET k abc"
  "ceil.set|ceil.set c 5 1.5"
  "VSET (seed)|VSET sv 5 5.5"
  "MMVEC.SET|MMVEC.SET v 5 5.5"
  "RPUSH|RPUSH l 1.5"
  "MMVEC.ADD|MMVEC.ADD v2 1.5"
  "LRANGE 0 99|LRANGE l100 0 99"
  "MMVEC.RANGE 0 99|MMVEC.RANGE v 0 99"
)

# Instructions (Ir) inside call() for one command run N times, and the top functions.
profile() {
  local label=$1 command=$2 port=$((20000 + RANDOM % 20000)) dir
  dir=$(mktemp -d -p "$work")
  valgrind --tool=callgrind --toggle-collect=call --callgrind-out-file="$dir/out" \
    redis-server --port "$port" --dir "$dir" --save '' --appendonly no \
    --loadmodule "$seed" --loadmodule "$ceiling" --loadmodule "$module" >"$dir/log" 2>&1 &
  local pid=$!
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.2; done
  {
    echo "MMVEC.OPEN v v.f64"
    echo "MMVEC.OPEN v2 v2.f64"
    echo "SET k abc"
    echo "ceil.set c 5 1.5"
    echo "MMAP sv sv.mmap"
    echo "RPUSH l100 $(seq -s ' ' 0.5 1 99.5)"
    echo "MMVEC.ADD v $(seq -s ' ' 0.5 1 99.5)"
    echo "VADD sv $(seq -s ' ' 0.5 1 99.5)"
  } | redis-cli -p "$port" >/dev/null
  # Only the measured commands are counted: zero the counts the set-up made.
  callgrind_control --zero "$pid" >/dev/null 2>&1
  # shellcheck disable=SC2086 # the command is words
  redis-benchmark -p "$port" -n "$N" -P 16 -c 1 -q $command >/dev/null
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  wait "$pid" || true
  local out
  out=$(ls "$dir"/out* | tail -1)
  local total
  total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')
  echo "| $label | \`$command\` | $((total / N)) |"
  # Functions inside call() (under 100%), named (not a stripped static's address).
  callgrind_annotate --inclusive=yes "$out" 2>/dev/null | python3 -c '
import re, sys
label, n, shown = sys.argv[1], int(sys.argv[2]), 0
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \(\s*([\d.]+)%\)\s+(\S+)", line)
    if not m or float(m.group(2)) >= 100 or m.group(3).startswith("???:0x") or shown == 8:
        continue
    name = m.group(3).split(":", 1)[-1]
    # The frames every module command passes through say nothing of this one.
    if name in ("RedisModuleCommandDispatcher", "mmvec_redis::dispatch::dispatch") or "::registry::" in name:
        continue
    ir = int(m.group(1).replace(",", "")) // n
    print(f"{label}|{ir}|{name}")
    shown += 1
' "$label" "$N" >>"$work/top"
}

{
  echo "# What bounds the Redis write and read targets"
  echo
  echo "- **Machine:** $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') · $(nproc) cores · $(uname -sr)"
  echo "- **Date:** $(date -u +%Y-%m-%d)"
  echo "- **Server:** $(redis-server --version | cut -d' ' -f1-3) with seed.so, ceiling.so and mmvec loaded (as in the bench)"
  echo "- **Command:** \`npm run bench:profile\` (\`bash bench/profile.sh\`): each command $N times, \`redis-benchmark -P 16 -c 1\`,"
  echo "  on its own server under \`valgrind --tool=callgrind --toggle-collect=call\`"
  echo
  echo "Instructions executed inside \`call()\` per command: the command's lookup, its function, and"
  echo "its propagation (replication backlog and AOF feeding, with neither attached here), but not"
  echo "the event loop, socket I/O or protocol parsing, which every command pays alike. Exact and"
  echo "repeatable, unlike the ops/s of \`bench/RESULTS.md\`."
  echo
  echo "| Work | Command | Instructions per command |"
  echo "|---|---|--:|"
  for row in "${rows[@]}"; do profile "${row%%|*}" "${row#*|}"; done
  echo
  echo "The most expensive functions (inclusive instructions per command) under each mmvec command:"
  echo
  echo "| Command | Function | Instructions per command |"
  echo "|---|---|--:|"
  grep '^MMVEC' "$work/top" | awk -F'|' '{ printf "| %s | `%s` | %s |\n", $1, $3, $2 }'
  cat <<'TEXT'

What the rows say about the targets `bench/RESULTS.md` marks not met:
- **Writes** (`MMVEC.SET`, `MMVEC.ADD`): a module propagates a write it did not receive
  verbatim through `RedisModule_Replicate`, which looks the command up by name
  (`lookupCommandByCString`, splitting it for subcommands with `sdssplitlen`) and builds
  its argument vector on every call. That lookup alone costs about what the whole of the
  built-in's command does. `ceil.set` replicates verbatim (`RedisModule_ReplicateVerbatim`,
  no lookup). mmvec cannot: a client's `MMVEC.SET` refuses an index past the end, so
  replayed onto a later, shorter state of the vector (an AOF tail after a rewrite, a
  replica after a full sync) it would fail where its effect, `MMVEC.PUTTEXT`, converges
  (docs/ARCHITECTURE.md). `MMVEC.SET` already passes the
  client's own strings (`MMVEC.PUTTEXT`); what is left is parsing the value
  (`DType::parse`) and opening the key.
- **Reads** (`MMVEC.GET`, `MMVEC.RANGE`): the built-ins reply with strings they already
  hold; mmvec formats each number (`short_decimal`, the shortest text that reads back)
  and then pays the same bulk-string reply (`RM_ReplyWithStringBuffer`) the built-in
  does, plus opening the key through the module API (`RM_OpenKey`). `ceil.get`, doing the
  least a module can to reply a double from a key, costs more than `MMVEC.GET`.
TEXT
} >bench/PROFILE.md.new
mv bench/PROFILE.md.new bench/PROFILE.md
cat bench/PROFILE.md
