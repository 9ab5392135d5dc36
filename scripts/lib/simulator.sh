# Starts `d365mm simulate` for a measurement. Sourced by scripts/bench and scripts/profile.

# d365mm_start_simulator BINARY DIR ORDERS TICKETS: starts the simulator on a generated world, waits until it has written
#   DIR/simulator.env, and loads that file and D365MM_SPOOL_DIR=DIR/spool into the environment. Sets `simulator` to its
#   pid and `simulator_url` to its address; its log is DIR/simulator.log.
d365mm_start_simulator() {
    local binary=$1 dir=$2 orders=$3 tickets=$4
    "$binary" simulate --orders "$orders" --labor-tickets "$tickets" --env-file "$dir/simulator.env" >/dev/null 2>"$dir/simulator.log" &
    simulator=$!
    until [ "$(grep -c = "$dir/simulator.env" 2>/dev/null || echo 0)" -ge 11 ]; do
        kill -0 "$simulator" 2>/dev/null || { cat "$dir/simulator.log" >&2; return 1; }
        sleep 0.5
    done
    set -a
    . "$dir/simulator.env"
    D365MM_SPOOL_DIR=$dir/spool
    set +a
    simulator_url=$D365_ENVIRONMENT_HOST
}

# d365mm_stop_simulator: stops the simulator d365mm_start_simulator started, if it still runs.
d365mm_stop_simulator() {
    if [ -n "${simulator:-}" ]; then
        kill "$simulator" 2>/dev/null && wait "$simulator" 2>/dev/null
        simulator=""
    fi
    return 0
}
