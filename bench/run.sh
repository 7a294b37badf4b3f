#!/usr/bin/env bash
# Relay benchmark: throughput, request rate, new-connection rate, memory per idle connection and
# concurrent connections on loopback, for
#   direct         (client -> server)
#   chaos          (client -> chaos   -> server)   no toxics
#   chaos-latency  (client -> chaos   -> server)   a 0 ms latency toxic on each stream (the delay line)
#   haproxy        (client -> haproxy -> server)   for comparison
#   socat          (client -> socat   -> server)   for comparison
# Servers: iperf3 (throughput), redis-server (request rate, connection rate), bench/conns.py echo.
# Rounds are interleaved (direct, chaos, ..., socat, then again); the median of the rounds is reported.
# The connection figures (idle RSS, concurrent connections) are taken once per path, before the rounds.
# Prints a table and ratios to direct, and writes the raw numbers to bench/results/latest.json.
# Method and caveats: bench/README.md. Not a test, not run in CI.
#
# Knobs (environment):
#   ROUNDS=3  IPERF_SECONDS=5  REDIS_REQUESTS=200000  CONN_REQUESTS=50000  CLIENTS=50
#   IDLE_CONNECTIONS=5000  CONCURRENT=10000  CONCURRENT_BYTES=4096
#   QUICK=1                              a smoke run of about 2 minutes (1 round, shorter runs, fewer connections)
#   PATHS="direct chaos chaos-latency haproxy socat"   which paths to measure, in this order each round
#   PORT_BASE=17100                      loopback ports PORT_BASE+1 .. PORT_BASE+43 are used
#   CHAOS_REF=HEAD                       build chaos from this commit instead of the working tree's current files
#   CHAOS_DIR=/dir                       use an already published chaos (dir holding chaos.dll), skip the build
#   HAPROXY_NBTHREAD=                    haproxy nbthread (default: haproxy's default, one per CPU)
#   WARMUP=1                             one short unrecorded pass over every path first (JIT warm-up)
#   KEEP_WORK=0                          1 keeps the temporary directory (configs, logs)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
RESULTS_DIR="$BENCH_DIR/results"

if [[ ${QUICK:-0} == 1 ]]; then
  : "${ROUNDS:=1}" "${IPERF_SECONDS:=2}" "${REDIS_REQUESTS:=50000}" "${CONN_REQUESTS:=10000}"
  : "${IDLE_CONNECTIONS:=1000}" "${CONCURRENT:=2000}"
fi
ROUNDS=${ROUNDS:-3}
IPERF_SECONDS=${IPERF_SECONDS:-5}
REDIS_REQUESTS=${REDIS_REQUESTS:-200000}
CONN_REQUESTS=${CONN_REQUESTS:-50000}
CLIENTS=${CLIENTS:-50}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-5000}
CONCURRENT=${CONCURRENT:-10000}
CONCURRENT_BYTES=${CONCURRENT_BYTES:-4096}
PATHS=${PATHS:-"direct chaos chaos-latency haproxy socat"}
PORT_BASE=${PORT_BASE:-17100}
CHAOS_DIR=${CHAOS_DIR:-}
CHAOS_REF=${CHAOS_REF:-}
CHAOS_SOURCE=
HAPROXY_NBTHREAD=${HAPROXY_NBTHREAD:-}
WARMUP=${WARMUP:-1}
KEEP_WORK=${KEEP_WORK:-0}
HOST=127.0.0.1

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Ports: <path offset> + 1 for iperf3, + 2 for redis, + 3 for the echo server.
IPERF_PORT=$((PORT_BASE + 1))
REDIS_PORT=$((PORT_BASE + 2))
ECHO_PORT=$((PORT_BASE + 3))
declare -A OFFSET=([direct]=0 [chaos]=10 [haproxy]=20 [socat]=30 [chaos-latency]=40)
iperf_port() { echo $((PORT_BASE + ${OFFSET[$1]} + 1)); }
redis_port() { echo $((PORT_BASE + ${OFFSET[$1]} + 2)); }
echo_port() { echo $((PORT_BASE + ${OFFSET[$1]} + 3)); }
is_chaos() { [[ $1 == chaos || $1 == chaos-latency ]]; }

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for p in $PATHS; do [[ -n ${OFFSET[$p]+x} ]] || die "unknown path '$p' (known: direct chaos chaos-latency haproxy socat)"; done
[[ " $PATHS " == *" direct "* ]] || log "warning: 'direct' not in PATHS, no ratios will be printed"

# ---------------------------------------------------------------------------------------------- tools
need=()
command -v iperf3 >/dev/null || need+=(iperf3)
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-benchmark >/dev/null && command -v redis-cli >/dev/null || need+=(redis-tools)
command -v haproxy >/dev/null || need+=(haproxy)
command -v socat >/dev/null || need+=(socat)
command -v jq >/dev/null || need+=(jq)
command -v ss >/dev/null || need+=(iproute2)
command -v python3 >/dev/null || need+=(python3)
if ((${#need[@]})); then
  log "installing ${need[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
fi

# ---------------------------------------------------------------------------------------------- processes
WORK=$(mktemp -d /tmp/chaos-bench.XXXXXX)
PIDS=()
declare -A PID_OF=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pid i
  for pid in "${PIDS[@]}"; do
    pkill -TERM -P "$pid" 2>/dev/null || true    # socat's forked children
    kill -TERM "$pid" 2>/dev/null || true
  done
  for i in $(seq 50); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $KEEP_WORK == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME LOGFILE CMD...: run CMD in the background, remember its pid.
start() {
  local name=$1 logfile=$2; shift 2
  "$@" >"$logfile" 2>&1 &
  PIDS+=($!)
  PID_OF[$name]=$!
}

listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# wait_listen NAME PORT [SECONDS]: wait until PORT is listening; fail if NAME's process died first.
wait_listen() {
  local name=$1 port=$2 deadline=$((SECONDS + ${3:-20}))
  until listening "$port"; do
    kill -0 "${PID_OF[$name]}" 2>/dev/null || die "$name exited before listening on $port (log: $WORK/$name.log)"
    ((SECONDS < deadline)) || die "$name not listening on $port after ${3:-20}s"
    sleep 0.1
  done
}

alive() { kill -0 "${PID_OF[$1]}" 2>/dev/null; }

# Keep the listening ports out of the ephemeral range, where the benchmark's own outgoing connections would collide.
read -r eph_lo eph_hi </proc/sys/net/ipv4/ip_local_port_range
if ((PORT_BASE + 43 >= eph_lo && PORT_BASE <= eph_hi)); then
  log "warning: ports $((PORT_BASE + 1))-$((PORT_BASE + 43)) are inside the ephemeral range $eph_lo-$eph_hi"
fi
for p in $PATHS; do
  for port in $(iperf_port "$p") $(redis_port "$p") $(echo_port "$p"); do
    ! ss -Htan "sport = :$port" 2>/dev/null | grep -qv '^TIME-WAIT' || die "port $port is in use (set PORT_BASE)"
  done
done

# ---------------------------------------------------------------------------------------------- chaos build
if [[ " $PATHS " == *" chaos "* || " $PATHS " == *" chaos-latency "* ]]; then
  if [[ -z $CHAOS_DIR ]]; then
    # Publish from a snapshot of the sources, so the build neither races nor disturbs builds in the working tree.
    mkdir -p "$WORK/src"
    if [[ -n $CHAOS_REF ]]; then
      CHAOS_SOURCE="commit $(git -C "$REPO" rev-parse --short "$CHAOS_REF^{commit}")" || die "unknown CHAOS_REF '$CHAOS_REF'"
      log "publishing chaos (Release) from $CHAOS_SOURCE"
      git -C "$REPO" archive --format=tar "$CHAOS_REF" | tar -C "$WORK/src" -xf -
    else
      CHAOS_SOURCE="working tree of $REPO"
      log "publishing chaos (Release) from a snapshot of the working tree $REPO/src"
      (cd "$REPO" && tar --exclude=bin --exclude=obj -cf - \
          $(ls -d Directory.Build.props Directory.Packages.props .editorconfig global.json NuGet.config nuget.config 2>/dev/null) src) \
        | tar -C "$WORK/src" -xf -
    fi
    CHAOS_DIR="$WORK/chaos"
    if ! dotnet publish "$WORK/src/src/Proxy" -c Release -o "$CHAOS_DIR" >"$WORK/publish.log" 2>&1; then
      grep -E 'error|Error' "$WORK/publish.log" | sort -u | head -20 >&2 || true
      KEEP_WORK=1
      die "dotnet publish failed (full log kept: $WORK/publish.log)"
    fi
  fi
  [[ -f $CHAOS_DIR/chaos.dll ]] || die "no chaos.dll in $CHAOS_DIR"
  CHAOS_SOURCE=${CHAOS_SOURCE:-"prebuilt $CHAOS_DIR"}
fi

# ---------------------------------------------------------------------------------------------- servers and relays
# Every process started from here may hold thousands of sockets (the connection figures).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
# A relay holds two sockets per connection, so the open-files hard limit caps what it can relay at once.
# chaos accepts at most (limit - 256) / 2 connections (it keeps 256 descriptors for itself); asking for
# a little less leaves room for a straggler from an earlier figure.
CONCURRENT_RELAYED=$CONCURRENT
if [[ $NOFILE != unlimited ]] && ((2 * CONCURRENT + 512 > NOFILE)); then
  CONCURRENT_RELAYED=$(((NOFILE - 512) / 2))
  log "warning: open-files hard limit $NOFILE: relays get $CONCURRENT_RELAYED concurrent connections, not $CONCURRENT"
fi

log "starting iperf3 on $IPERF_PORT, redis-server on $REDIS_PORT, echo on $ECHO_PORT"
start_iperf() { start iperf3 "$WORK/iperf3.log" iperf3 -s -B "$HOST" -p "$IPERF_PORT"; wait_listen iperf3 "$IPERF_PORT"; }
start_iperf
start redis "$WORK/redis.log" redis-server --bind "$HOST" --port "$REDIS_PORT" --save "" --appendonly no \
  --daemonize no --maxclients 10000
wait_listen redis "$REDIS_PORT"
start echo "$WORK/echo.log" python3 "$BENCH_DIR/conns.py" echo "$ECHO_PORT"
wait_listen echo "$ECHO_PORT"

# chaos_scenario PATH [TOXICS-YAML]: a scenario with one proxy per server, each with the given toxics.
chaos_scenario() {
  local path=$1 toxics=${2:-} name upstream port
  echo "version: 1"
  echo "name: bench-$path"
  echo "proxies:"
  for name in iperf redis echo; do
    case $name in
      iperf) port=$(iperf_port "$path"); upstream=$IPERF_PORT ;;
      redis) port=$(redis_port "$path"); upstream=$REDIS_PORT ;;
      echo) port=$(echo_port "$path"); upstream=$ECHO_PORT ;;
    esac
    echo "  - name: $name"
    echo "    listen: $HOST:$port"
    echo "    upstream: $HOST:$upstream"
    [[ -z $toxics ]] || printf '    toxics:\n%s\n' "$toxics"
  done
}

# start_chaos PATH [TOXICS-YAML]. Started with the soft open-files limit at 1024, a common default: chaos
# raises its own limit to the hard one, and the connection figures show whether it did.
start_chaos() {
  local path=$1
  chaos_scenario "$@" >"$WORK/$path.yaml"
  log "starting $path on $(iperf_port "$path"), $(redis_port "$path"), $(echo_port "$path")"
  start "$path" "$WORK/$path.log" bash -c 'ulimit -Sn 1024; exec "$@"' chaos \
    dotnet "$CHAOS_DIR/chaos.dll" run "$WORK/$path.yaml" --log-level Warning
  wait_listen "$path" "$(iperf_port "$path")" 30
  wait_listen "$path" "$(redis_port "$path")" 30
  wait_listen "$path" "$(echo_port "$path")" 30
}
[[ " $PATHS " != *" chaos "* ]] || start_chaos chaos
if [[ " $PATHS " == *" chaos-latency "* ]]; then
  start_chaos chaos-latency "      - { name: zero-up, type: latency, stream: upstream, attributes: { latency: 0 } }
      - { name: zero-down, type: latency, stream: downstream, attributes: { latency: 0 } }"
fi

if [[ " $PATHS " == *" haproxy "* ]]; then
  # maxconn 20000, unless the open-files limit (which haproxy needs ~2 per connection) is lower.
  HAPROXY_MAXCONN=20000
  if [[ $NOFILE != unlimited ]] && ((NOFILE < 2 * HAPROXY_MAXCONN + 100)); then
    HAPROXY_MAXCONN=$(((NOFILE - 100) / 2))
    log "haproxy maxconn lowered to $HAPROXY_MAXCONN (open files limit $NOFILE)"
  fi
  {
    echo "global"
    echo "  maxconn $HAPROXY_MAXCONN"
    [[ -n $HAPROXY_NBTHREAD ]] && echo "  nbthread $HAPROXY_NBTHREAD"
    cat <<EOF
defaults
  mode tcp
  maxconn $HAPROXY_MAXCONN
  timeout connect 5s
  timeout client 1h
  timeout server 1h
listen iperf
  bind $HOST:$(iperf_port haproxy)
  server iperf $HOST:$IPERF_PORT
listen redis
  bind $HOST:$(redis_port haproxy)
  server redis $HOST:$REDIS_PORT
listen echo
  bind $HOST:$(echo_port haproxy)
  server echo $HOST:$ECHO_PORT
EOF
  } >"$WORK/haproxy.cfg"
  haproxy -c -q -f "$WORK/haproxy.cfg" || die "invalid haproxy config $WORK/haproxy.cfg"
  log "starting haproxy on $(iperf_port haproxy), $(redis_port haproxy)"
  start haproxy "$WORK/haproxy.log" haproxy -db -f "$WORK/haproxy.cfg"
  wait_listen haproxy "$(iperf_port haproxy)"
  wait_listen haproxy "$(redis_port haproxy)"
  wait_listen haproxy "$(echo_port haproxy)"
fi

if [[ " $PATHS " == *" socat "* ]]; then
  log "starting socat on $(iperf_port socat), $(redis_port socat)"
  start socat-iperf "$WORK/socat-iperf.log" \
    socat "TCP-LISTEN:$(iperf_port socat),fork,reuseaddr,backlog=4096,bind=$HOST" "TCP:$HOST:$IPERF_PORT"
  start socat-redis "$WORK/socat-redis.log" \
    socat "TCP-LISTEN:$(redis_port socat),fork,reuseaddr,backlog=4096,bind=$HOST" "TCP:$HOST:$REDIS_PORT"
  wait_listen socat-iperf "$(iperf_port socat)"
  wait_listen socat-redis "$(redis_port socat)"
fi

# Every path must relay a PING before anything is measured.
for p in $PATHS; do
  reply=$(timeout 10 redis-cli -h "$HOST" -p "$(redis_port "$p")" ping 2>&1 || true)
  [[ $reply == PONG ]] || die "redis PING through $p answered '$reply'"
done

# ---------------------------------------------------------------------------------------------- measurements
RAW="$WORK/raw.tsv"    # path <tab> metric <tab> round <tab> value ("null" when the run failed)
: >"$RAW"
FAILURES="$WORK/failures.txt"
: >"$FAILURES"

fail() { log "  FAILED: $*"; echo "$*" >>"$FAILURES"; }

# iperf_bps PATH STREAMS SECONDS: sets BPS to the received bits per second, or empty.
# (Not called in $(...): a restarted iperf3 server must be tracked by this shell.)
iperf_bps() {
  local path=$1 streams=$2 secs=$3 out bps
  BPS=
  out=$(timeout $((secs + 30)) iperf3 -c "$HOST" -p "$(iperf_port "$path")" -t "$secs" -P "$streams" -J 2>&1) || true
  bps=$(jq -r '.end.sum_received.bits_per_second // empty' <<<"$out" 2>/dev/null || true)
  if [[ -z $bps ]]; then
    fail "iperf3 $path -P $streams: $(jq -r '.error // empty' <<<"$out" 2>/dev/null || head -c 300 <<<"$out")"
    # A failed test can leave the server stuck in it ("the server is busy"): restart it.
    kill -TERM "${PID_OF[iperf3]}" 2>/dev/null || true
    wait "${PID_OF[iperf3]}" 2>/dev/null || true
    start_iperf
    return
  fi
  BPS=$bps
}

# redis_rps PATH REDIS-BENCHMARK-ARGS...: prints a "TEST rps" line per test from the CSV output.
redis_rps() {
  local path=$1 out; shift
  out=$(timeout 180 redis-benchmark -h "$HOST" -p "$(redis_port "$path")" -c "$CLIENTS" --csv -q "$@" 2>"$WORK/rb.err") || true
  awk -F'","' '/^"[A-Z_]+","[0-9.]+"/ { gsub(/"/, "", $1); print $1, $2 }' <<<"$out"
  if grep -qiE 'error|refused|reset' "$WORK/rb.err"; then
    fail "redis-benchmark $path $*: $(grep -iE 'error|refused|reset' "$WORK/rb.err" | sort | uniq -c | head -3 | tr '\n' ' ')"
  fi
}

record() { echo -e "$1\t$2\t$3\t${4:-null}" >>"$RAW"; }

# relay_gone PATH ROUND: true (and the failure noted) when PATH is chaos and chaos has exited.
GONE_NOTED=
relay_gone() {
  is_chaos "$1" && ! alive "$1" || return 1
  [[ $GONE_NOTED == "$1 $2" ]] || fail "$1 is not running (round $2)"
  GONE_NOTED="$1 $2"
}

measure() {
  local path=$1 round=$2 set_rps= get_rps= conn= out
  local bps1= bps4=
  relay_gone "$path" "$round" || { iperf_bps "$path" 1 "$IPERF_SECONDS"; bps1=$BPS; }
  relay_gone "$path" "$round" || { iperf_bps "$path" 4 "$IPERF_SECONDS"; bps4=$BPS; }
  if ! relay_gone "$path" "$round"; then
    out=$(redis_rps "$path" -n "$REDIS_REQUESTS" -t set,get)
    set_rps=$(awk '$1 == "SET" { print $2 }' <<<"$out"); get_rps=$(awk '$1 == "GET" { print $2 }' <<<"$out")
    [[ -n $set_rps && -n $get_rps ]] || fail "redis-benchmark set,get $path: no result"
  fi
  if ! relay_gone "$path" "$round"; then
    # socat forks a process per connection: at its rate (a few hundred to 2.4k a second) the full count can outlast
    # redis_rps's timeout, so it opens a tenth as many; a rate is a rate.
    out=$(redis_rps "$path" -n "$([[ $path == socat ]] && echo $((CONN_REQUESTS / 10)) || echo "$CONN_REQUESTS")" -k 0 -t ping_inline)
    conn=$(awk '$1 == "PING_INLINE" { print $2 }' <<<"$out")
    [[ -n $conn ]] || fail "redis-benchmark -k 0 $path: no result"
  fi
  record "$path" iperf_1_stream_bps "$round" "$bps1"
  record "$path" iperf_4_streams_bps "$round" "$bps4"
  record "$path" set_rps "$round" "$set_rps"
  record "$path" get_rps "$round" "$get_rps"
  record "$path" new_conn_per_s "$round" "$conn"
  log "  $path: $(awk -F'\t' -v p="$path" -v r="$round" '$1 == p && $3 == r && $2 !~ /idle|concurrent/ { printf "%s=%s ", $2, $4 }' "$RAW")"
}

# settle PORT: wait (up to 30 s) until no connection to the echo server through PORT is left, so one
# figure's connections, still closing, do not count against the next.
settle() {
  local deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)) && ss -Htn "( sport = :$1 or dport = :$1 )" 2>/dev/null | grep -qv TIME-WAIT; do sleep 0.5; done
}

# connections PATH: the idle-memory and concurrency figures, once per path (recorded as round 1).
# Not for socat: it forks a process per connection, thousands of them.
connections() {
  local path=$1 out count=$CONCURRENT
  [[ $path != socat ]] || return 0
  if [[ $path != direct ]] && ! relay_gone "$path" 1; then
    out=$(timeout 300 python3 "$BENCH_DIR/conns.py" idle "$HOST" "$(echo_port "$path")" "$IDLE_CONNECTIONS" "${PID_OF[$path]}" 2>&1) || true
    if jq -e . >/dev/null 2>&1 <<<"$out"; then
      record "$path" idle_bytes_per_conn 1 "$(jq .bytes_per_connection <<<"$out")"
      (($(jq .relayed <<<"$out") == IDLE_CONNECTIONS)) || fail "idle $path: $out"
    else
      fail "idle $path: $(tail -c 300 <<<"$out")"
    fi
    settle "$(echo_port "$path")"
  fi
  [[ $path == direct ]] || count=$CONCURRENT_RELAYED
  if ! relay_gone "$path" 1; then
    out=$(timeout 300 python3 "$BENCH_DIR/conns.py" concurrent "$HOST" "$(echo_port "$path")" "$count" "$CONCURRENT_BYTES" 2>&1) || true
    if jq -e . >/dev/null 2>&1 <<<"$out"; then
      record "$path" concurrent_connections 1 "$count"
      record "$path" concurrent_verified 1 "$(jq .verified <<<"$out")"
      record "$path" concurrent_seconds 1 "$(jq .seconds <<<"$out")"
      [[ $(jq .passed <<<"$out") == true ]] || fail "concurrent $path: $out"
    else
      fail "concurrent $path: $(tail -c 300 <<<"$out")"
    fi
    settle "$(echo_port "$path")"
  fi
  log "  $path: $(awk -F'\t' -v p="$path" '$1 == p && $2 ~ /idle|concurrent/ { printf "%s=%s ", $2, $4 }' "$RAW")"
}

START=$SECONDS
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# Client, server and relay already share the CPUs; anything else running makes the figures noisy.
if awk -v l="${LOAD_START%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  log "warning: load average $LOAD_START on $(nproc) CPUs before measuring: other work will skew the figures"
fi
if [[ $WARMUP == 1 ]]; then
  log "warm-up (not recorded)"
  for p in $PATHS; do
    timeout 30 iperf3 -c "$HOST" -p "$(iperf_port "$p")" -t 1 -J >/dev/null 2>&1 || true
    timeout 60 redis-benchmark -h "$HOST" -p "$(redis_port "$p")" -c "$CLIENTS" -n 20000 -t set,get -q >/dev/null 2>&1 || true
  done
fi

log "connections: $IDLE_CONNECTIONS idle, $CONCURRENT concurrent ($CONCURRENT_BYTES bytes each way)"
for p in $PATHS; do connections "$p"; done

for round in $(seq "$ROUNDS"); do
  log "round $round/$ROUNDS"
  for p in $PATHS; do measure "$p" "$round"; done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
log "measured in $((SECONDS - START))s (load average before: $LOAD_START, after: $LOAD_END)"

# ---------------------------------------------------------------------------------------------- report
mkdir -p "$RESULTS_DIR"
JSON="$RESULTS_DIR/latest.json"
CHAOS_LOG_LINES=0
rm -f "$RESULTS_DIR/chaos.log"
for p in chaos chaos-latency; do
  [[ -f $WORK/$p.log ]] && sed "s/^/$p: /" "$WORK/$p.log"
done >"$WORK/chaos-all.log"
CHAOS_LOG_LINES=$(grep -c . "$WORK/chaos-all.log" || true)
((CHAOS_LOG_LINES == 0)) || cp "$WORK/chaos-all.log" "$RESULTS_DIR/chaos.log"

jq -n -R \
  --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --arg commit "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --arg dirty "$(git -C "$REPO" status --porcelain -- src 2>/dev/null | grep -c . || true)" \
  --arg kernel "$(uname -r)" --arg cpus "$(nproc)" \
  --arg cpu "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
  --arg iperf "$(iperf3 --version | head -1)" --arg redis "$(redis-server --version)" \
  --arg haproxy "$(haproxy -v | head -1)" --arg socat "$(socat -V 2>/dev/null | awk '/socat version/ { print $3; exit }')" \
  --arg dotnet "$(dotnet --version 2>/dev/null || echo none)" \
  --arg load_start "$LOAD_START" --arg load_end "$LOAD_END" --argjson seconds "$((SECONDS - START))" \
  --arg chaos_source "$CHAOS_SOURCE" --arg paths "$PATHS" --arg chaos_log_lines "$CHAOS_LOG_LINES" \
  --argjson rounds "$ROUNDS" --argjson iperf_seconds "$IPERF_SECONDS" --argjson clients "$CLIENTS" \
  --argjson redis_requests "$REDIS_REQUESTS" --argjson conn_requests "$CONN_REQUESTS" \
  --argjson idle "$IDLE_CONNECTIONS" --argjson concurrent "$CONCURRENT" --argjson concurrent_bytes "$CONCURRENT_BYTES" \
  --arg nofile "$NOFILE" \
  --rawfile raw "$RAW" --rawfile failures "$FAILURES" '
  def median: map(select(. != null)) | sort
    | if length == 0 then null
      elif length % 2 == 1 then .[length / 2 | floor]
      else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  ($raw | split("\n") | map(select(length > 0) | split("\t")
     | {path: .[0], metric: .[1], round: (.[2] | tonumber), value: (.[3] | if . == "null" or . == "" then null else tonumber end)})) as $rows
  | ($paths | split(" ") | map(select(length > 0))) as $order
  | ["iperf_1_stream_bps", "iperf_4_streams_bps", "set_rps", "get_rps", "new_conn_per_s"] as $rates
  | ($rates + ["idle_bytes_per_conn", "concurrent_connections", "concurrent_verified", "concurrent_seconds"]) as $metrics
  | (reduce $order[] as $p ({}; .[$p] = (reduce $metrics[] as $m ({};
       .[$m] = ([$rows[] | select(.path == $p and .metric == $m)] | sort_by(.round) | map(.value))))) ) as $rawv
  | (reduce $order[] as $p ({}; .[$p] = ($rawv[$p] | map_values(median)))) as $med
  | {
      date: $date,
      commit: $commit,
      chaos_built_from: (if $chaos_source == "" then null else $chaos_source end),
      uncommitted_src_files: ($dirty | tonumber),
      machine: {cpus: ($cpus | tonumber), cpu: $cpu, kernel: $kernel,
                loadavg_before: $load_start, loadavg_after: $load_end},
      measured_seconds: $seconds,
      versions: {iperf3: $iperf, redis: $redis, haproxy: $haproxy, socat: $socat, dotnet: $dotnet},
      parameters: {rounds: $rounds, iperf_seconds: $iperf_seconds, clients: $clients,
                   redis_requests: $redis_requests, new_conn_requests: $conn_requests, paths: $order,
                   idle_connections: $idle, concurrent_requested: $concurrent, concurrent_bytes: $concurrent_bytes,
                   open_files_limit: $nofile},
      units: {iperf_1_stream_bps: "bit/s", iperf_4_streams_bps: "bit/s", set_rps: "requests/s",
              get_rps: "requests/s", new_conn_per_s: "connections/s (PING_INLINE, keep-alive off)",
              idle_bytes_per_conn: "bytes of relay RSS growth per idle relayed connection",
              concurrent_verified: "connections held open at once whose bytes came back exact",
              concurrent_seconds: "seconds to open them all and verify every byte"},
      median: $med,
      ratio_to_direct: (if $med.direct then
        (reduce $order[] as $p ({}; .[$p] = (reduce $rates[] as $m ({};
          .[$m] = (if $med[$p][$m] != null and ($med.direct[$m] // 0) > 0
                   then ($med[$p][$m] / $med.direct[$m] * 1000 | round / 1000) else null end)))))
        else null end),
      raw: $rawv,
      failures: ($failures | split("\n") | map(select(length > 0))),
      chaos_log_lines: ($chaos_log_lines | tonumber)
    }' >"$JSON"

# Table: medians, then ratios to direct.
jq -r '
  . as $r
  | ($r.parameters.paths[] as $p | $r.median[$p] as $m
      | ["M", $p, ($m.iperf_1_stream_bps | if . then . / 1e9 else null end),
         ($m.iperf_4_streams_bps | if . then . / 1e9 else null end), $m.set_rps, $m.get_rps, $m.new_conn_per_s,
         ($m.idle_bytes_per_conn | if . then . / 1024 else null end),
         (if $m.concurrent_connections then
            "\($m.concurrent_verified)/\($m.concurrent_connections) " +
            (if $m.concurrent_verified == $m.concurrent_connections then "ok" else "FAIL" end) +
            " \($m.concurrent_seconds)s" else null end)]
      | map(. // "-") | @tsv),
    (if $r.ratio_to_direct then ($r.parameters.paths[] as $p | $r.ratio_to_direct[$p] as $m
      | ["R", $p, $m.iperf_1_stream_bps, $m.iperf_4_streams_bps, $m.set_rps, $m.get_rps, $m.new_conn_per_s]
      | map(. // "-") | @tsv) else empty end)
' "$JSON" | awk -F'\t' '
  function row(c1, c2, c3, c4, c5, c6, c7, c8) {
    printf "%-16s | %14s | %15s | %8s | %8s | %10s", c1, c2, c3, c4, c5, c6
    if (c7 != "" || c8 != "") printf " | %12s | %s", c7, c8
    printf "\n" }
  function num(v, fmt) { return v == "-" ? "-" : sprintf(fmt, v) }
  function k(v) { return v == "-" ? "-" : sprintf("%.1fk", v / 1000) }
  $1 == "M" && !m++ { row("path", "iperf 1 stream", "iperf 4 streams", "SET rps", "GET rps", "new conn/s", "idle RSS", "concurrent connections")
                      row("", "Gbit/s", "Gbit/s", "", "", "", "KB/conn", "verified, time") }
  $1 == "M" { row($2, num($3, "%.2f"), num($4, "%.2f"), k($5), k($6), k($7), num($8, "%.1f"), $9) }
  $1 == "R" && !r++ { print ""; row("ratio to direct", "iperf 1 stream", "iperf 4 streams", "SET", "GET", "new conn") }
  $1 == "R" { row($2, num($3, "%.2f"), num($4, "%.2f"), num($5, "%.2f"), num($6, "%.2f"), num($7, "%.2f")) }'
jq -r '.median as $m | select($m.chaos and $m["chaos-latency"])
  | [$m["chaos-latency"].iperf_1_stream_bps, $m.chaos.iperf_1_stream_bps, $m["chaos-latency"].iperf_4_streams_bps, $m.chaos.iperf_4_streams_bps]
  | if all(. != null) then "\nchaos-latency / chaos throughput: \(.[0] / .[1] * 100 | round / 100) (1 stream), \(.[2] / .[3] * 100 | round / 100) (4 streams)" else empty end' "$JSON"

echo
echo "medians of $ROUNDS rounds; load average before $LOAD_START, after $LOAD_END; raw numbers: $JSON"
if [[ -s $FAILURES ]]; then
  echo "failures ($(wc -l <"$FAILURES")):"
  sed 's/^/  /' "$FAILURES"
fi
if ((CHAOS_LOG_LINES > 0)); then
  echo "chaos logged $CHAOS_LOG_LINES line(s) at Warning or above (copy: $RESULTS_DIR/chaos.log); first lines:"
  head -10 "$WORK/chaos-all.log" | cut -c1-300 | sed 's/^/  /'
fi
