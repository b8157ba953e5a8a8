// The load tester's help text (`pnpm loadtest --help`, and after a refused command line), built
// from the defaults in options.ts so the two cannot drift apart.

import {
  CHAT_STORM_RATE_PER_SENDER,
  CLUSTER_DEFAULTS,
  DEFAULT_CONNECT_CONCURRENCY,
  DEFAULT_DROP_FRACTION,
  DEFAULT_DURATION_S,
  DEFAULT_EVENT_ID,
  DEFAULT_FANS,
  DEFAULT_OBJECTIVE_MS,
  DEFAULT_RATE_PER_S,
  DEFAULT_SENDERS,
  DEFAULT_SHARDS,
  DEFAULT_STEP_S,
  DEFAULT_TAPS_PER_FAN_PER_S,
  DEFAULT_WORKERS,
  MAX_FANS_PER_WORKER,
  RAMP_FACTOR,
  RAMP_START_DELIVERIES_PER_S,
} from './options.js';

export const USAGE = `Usage: pnpm loadtest [scenario] [options]

Scenarios (default broadcast):
  join-storm     fans connect as fast as admitted (join, upgrade, snapshot)
  broadcast      one event, chat at --rate from --senders fans
  broadcast-max  broadcast rising from --rate by x${RAMP_FACTOR} per --step until p99 > --objective
  chat-storm     many senders within the fan limit (${CHAT_STORM_RATE_PER_SENDER} msg/s each)
  reactions      every fan taps --taps reactions per second
  recovery       chat flows, --drop of the fans drop and resume with ?since= (and tickets)
  resume-storm   no chat; --drop of the fans drop and resume, first with their tokens, then
                 with their resume tickets: the shard's CPU per resume beside a first join
  poll-burst     a producer opens a poll; every fan votes within 2 s, 10 % twice (same option),
                 2 % a second time for another; the persisted result must equal the votes cast
  cluster        Fanfare only: broadcast over a local cluster (defaults: ${CLUSTER_DEFAULTS.fans.toLocaleString('en-US')} fans, ${CLUSTER_DEFAULTS.shards} shards,
                 ${CLUSTER_DEFAULTS.ratePerS} msg/s for ${CLUSTER_DEFAULTS.durationS} s, p99 objective ${CLUSTER_DEFAULTS.objectiveMs} ms, one generator per
                 ${CLUSTER_DEFAULTS.fansPerWorker.toLocaleString('en-US')} fans (at least ${CLUSTER_DEFAULTS.minWorkers}) each on its own 127.0.0.x, unpinned, admission
                 off); reports every process's and core's CPU; its row also goes into latest.json
                 and latest.html
  shard-kill     Fanfare only, a local cluster (--shards 2 or more): chat at --rate; half-way
                 one shard is killed (SIGKILL) and its fans resume from their last seq on the
                 others as the SDK does: their ticket on the fallback shard their last grant
                 named, else a join through the API; SHARD_CAPACITY lets N - 1 shards hold every
                 fan, so the last stays free as the spare. Resume times run from the kill to each
                 fan's new welcome; the fans back are counted by path (fallback, join)

Options:
  --target T        fanfare | uws-raw | socketio | all (default fanfare)
  --fans N          fans connected to one event (default ${DEFAULT_FANS})
  --duration S      send phase, seconds (default ${DEFAULT_DURATION_S})
  --rate R          chat messages per second, all senders together (default ${DEFAULT_RATE_PER_S};
                    chat-storm: ${CHAT_STORM_RATE_PER_SENDER} x senders; broadcast-max: the first
                    step, default ${RAMP_START_DELIVERIES_PER_S.toLocaleString('en-US')} / fans)
  --senders N       fans that send chat (default ${DEFAULT_SENDERS}; chat-storm: half the fans, at most 2000)
  --workers N       generator processes (default ${DEFAULT_WORKERS}, at most ${MAX_FANS_PER_WORKER} fans each)
  --shards N        Fanfare shards (a local cluster on NATS and Redis when > 1) or Socket.IO
                    processes (Redis adapter); default ${DEFAULT_SHARDS}
  --taps R          reactions: taps per fan per second (default ${DEFAULT_TAPS_PER_FAN_PER_S})
  --drop F          recovery: share of fans dropped (default ${DEFAULT_DROP_FRACTION})
  --objective MS    broadcast-max: p99 a step must hold (default ${DEFAULT_OBJECTIVE_MS})
  --step S          broadcast-max: seconds per step (default ${DEFAULT_STEP_S})
  --concurrency N   joins and upgrades in flight (default ${DEFAULT_CONNECT_CONCURRENCY})
  --event ID        event to join (default ${DEFAULT_EVENT_ID})
  --target-api URL  a Fanfare engine already running at this API base URL (server figures only
                    when its processes are readable here)
  --prefetch-tokens fetch every fan's token before any upgrade: the join storm then times the
                    API's joins and the shard's upgrades apart
  --join-token      Fanfare: first connections with the join's token (an ES256 check on the
                    shard) instead of the resume ticket the join hands out (an HMAC), as the SDK
  --cluster         Fanfare as the API and --shards shard processes on the local NATS and Redis,
                    even for one shard: the shard's memory and CPU are then its own
  --producer-token T  poll-burst with --target-api: a producer's staff token for the control API
                    (an engine started here prints its own, which is used)
  --within S        join-storm: every fan arrives within S seconds (e.g. 2s), open loop: fan i of N
                    starts at i/N of the window; refused fans (503) retry after Retry-After plus
                    jitter as the SDK does; reports refusals, retries and the shard's loop lag
  --admission A     Fanfare started here: on (the defaults), off (no shard or API budget), or a
                    shard budget <rate/s>/<burst> (default on)
  --victim ID       shard-kill: the shard to kill (g1, g2, ...; default the fullest holding no
                    sender, so chat flows through the kill)
  --no-pin          do not pin servers and generators to separate cores
  --help            this text`;
