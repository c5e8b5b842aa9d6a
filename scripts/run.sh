#!/usr/bin/env bash
# THE run command: starts Postgres and Redis if needed, creates the database,
# builds bin/cloudroute, serves the API with its worker, seeds demo data the
# first time, prints the address of the founder's pages and stops gracefully
# on Ctrl-C.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: scripts/run.sh [--help]

Runs CloudRoute locally:
  1. scripts/services.sh (PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379)
  2. creates the database named in DATABASE_URL when it is missing
  3. go build -o bin/cloudroute ./cmd/cloudroute (and bin/acesim ./cmd/acesim), and
     bin/acesim, the AWS Partner Central simulator, on 127.0.0.1:8566 for the ACE sync
  4. bin/cloudroute serve (API, worker and scheduler; applies the migrations)
  5. waits for GET /readyz, then scripts/seed-demo.sh (partners only when none exists, connected
     to the simulator with a demo record filed through it; the console's demo users when missing)
  6. prints the address of the founder's pages (http://localhost:8080/),
     the console's demo admin and partner user, the admin key and example
     requests, and serves until Ctrl-C,
     which stops the server gracefully.

Environment (all optional):
  DATABASE_URL                    default postgres://postgres@127.0.0.1:5432/cloudroute?sslmode=disable
  REDIS_URL                       default redis://127.0.0.1:6379/0
  HTTP_ADDR                       default :8080 (or :$PORT when PORT is set)
  PORT                            shorthand for HTTP_ADDR=:$PORT
  CLOUDROUTE_BOOTSTRAP_ADMIN_KEY  default dev-admin-key-change-me-0000 (a development key)
  CLOUDROUTE_SECRET_KEY           default a public development key (hex); signs the pages' tokens, seals stored secrets
  SEED_DEMO                       1 (default) seeds demo partners on an empty database, and the console's
                                  demo users when they are missing; 0 skips
  ACE_SIM_ADDR                    the simulator's address (default 127.0.0.1:8566); ACE_SIM=0 runs none
  READY_TIMEOUT                   seconds to wait for /readyz (default 60)
Any other variable of `bin/cloudroute --help` (LOG_LEVEL, ...) is passed through.
EOF
}

case "${1:-}" in
-h | --help | help)
	usage
	exit 0
	;;
"") ;;
*)
	usage >&2
	echo "run.sh: unexpected argument: $1" >&2
	exit 2
	;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DEV_ADMIN_KEY=dev-admin-key-change-me-0000
# "development-only-key-change-me!!" in hex: public, like the admin key.
DEV_SECRET_KEY=646576656c6f706d656e742d6f6e6c792d6b65792d6368616e67652d6d652121
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cloudroute?sslmode=disable}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
if [ -z "${HTTP_ADDR:-}" ]; then
	HTTP_ADDR=":${PORT:-8080}"
fi
export HTTP_ADDR
export CLOUDROUTE_BOOTSTRAP_ADMIN_KEY="${CLOUDROUTE_BOOTSTRAP_ADMIN_KEY:-$DEV_ADMIN_KEY}"
export CLOUDROUTE_SECRET_KEY="${CLOUDROUTE_SECRET_KEY:-$DEV_SECRET_KEY}"
SEED_DEMO="${SEED_DEMO:-1}"
READY_TIMEOUT="${READY_TIMEOUT:-60}"
# The Partner Central simulator the demo partners' ACE connections use.
ACE_SIM="${ACE_SIM:-1}"
ACE_SIM_ADDR="${ACE_SIM_ADDR:-127.0.0.1:8566}"
ACE_SIM_URL=""
if [ "$ACE_SIM" = 1 ]; then
	ACE_SIM_URL="http://$ACE_SIM_ADDR"
	export ACE_ENDPOINT_ALLOWLIST="${ACE_ENDPOINT_ALLOWLIST:+$ACE_ENDPOINT_ALLOWLIST,}$ACE_SIM_URL"
fi

log() { echo "run: $*"; }
die() {
	echo "run: error: $*" >&2
	exit 1
}

# The base URL of the API: HTTP_ADDR with an empty or wildcard host becomes
# localhost.
addr_host="${HTTP_ADDR%:*}"
addr_port="${HTTP_ADDR##*:}"
case "$addr_host" in
"" | "0.0.0.0" | "[::]" | "::") addr_host=127.0.0.1 ;;
esac
[[ "$addr_port" =~ ^[0-9]+$ ]] || die "HTTP_ADDR must end in :PORT, got '$HTTP_ADDR'"
API_URL="http://$addr_host:$addr_port"
# The founder's pages, at the address a browser on this machine uses.
PAGES_URL="$API_URL/"
if [ "$addr_host" = 127.0.0.1 ]; then PAGES_URL="http://localhost:$addr_port/"; fi

# 1. Services.
"$ROOT/scripts/services.sh"

# 2. The database. The name comes from DATABASE_URL; the server admin
# connection is the same URL with the database "postgres".
db_base="${DATABASE_URL%%\?*}"
db_query=""
if [[ "$DATABASE_URL" == *\?* ]]; then db_query="?${DATABASE_URL#*\?}"; fi
db_name="${db_base##*/}"
admin_url="${db_base%/*}/postgres$db_query"
[[ "$db_name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "cannot read a plain database name from DATABASE_URL (got '$db_name')"
if command -v psql >/dev/null 2>&1; then
	if [ "$(psql -X -w -q "$admin_url" -Atc "SELECT 1 FROM pg_database WHERE datname = '$db_name'")" != 1 ]; then
		log "creating database $db_name"
		psql -X -w -q "$admin_url" -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db_name\"" >/dev/null
	else
		log "database $db_name exists"
	fi
else
	log "psql is not installed; assuming database $db_name exists (docker compose creates 'cloudroute')"
fi

# 3. Build.
log "go build -o bin/cloudroute ./cmd/cloudroute"
go build -o bin/cloudroute ./cmd/cloudroute
sim_pid=""
if [ "$ACE_SIM" = 1 ]; then
	go build -o bin/acesim ./cmd/acesim
	mkdir -p .run
	log "bin/acesim (Partner Central simulator) on $ACE_SIM_URL; its log: .run/acesim.log"
	bin/acesim --addr "$ACE_SIM_ADDR" >.run/acesim.log 2>&1 &
	sim_pid=$!
fi

# 4. Serve, in the background so that this script can seed and then wait.
if [ "$CLOUDROUTE_BOOTSTRAP_ADMIN_KEY" = "$DEV_ADMIN_KEY" ]; then
	log "WARNING: using the development admin key '$DEV_ADMIN_KEY'."
	log "WARNING: it is public; set CLOUDROUTE_BOOTSTRAP_ADMIN_KEY to a secret before exposing this server."
fi
if [ "$CLOUDROUTE_SECRET_KEY" = "$DEV_SECRET_KEY" ]; then
	log "WARNING: using the public development CLOUDROUTE_SECRET_KEY; set your own (openssl rand -hex 32) before exposing this server."
fi
log "bin/cloudroute serve on $HTTP_ADDR (database $db_name, redis $REDIS_URL)"
bin/cloudroute serve &
server_pid=$!

# Ctrl-C or TERM go to the server, which finishes in-flight requests and
# jobs before it exits; this script then exits with the server's status.
stopping=0
# shellcheck disable=SC2317 # invoked by the traps below
forward() {
	stopping=1
	if kill -0 "$server_pid" 2>/dev/null; then
		log "stopping the server (SIG$1 to pid $server_pid)"
		kill -s "$1" "$server_pid" 2>/dev/null || true
	fi
}
trap 'forward INT' INT
trap 'forward TERM' TERM
# Should this script fail before it waits, the server does not outlive it;
# the simulator never does.
stop_sim() { if [ -n "$sim_pid" ]; then kill -s TERM "$sim_pid" 2>/dev/null || true; fi; }
trap 'stop_sim; if kill -0 "$server_pid" 2>/dev/null; then kill -s TERM "$server_pid" 2>/dev/null || true; fi' EXIT

# 5. Wait until ready.
ready=0
for ((i = 0; i < READY_TIMEOUT * 2; i++)); do
	if ! kill -0 "$server_pid" 2>/dev/null; then
		break
	fi
	if curl -fsS -o /dev/null --max-time 2 "$API_URL/readyz" 2>/dev/null; then
		ready=1
		break
	fi
	[ "$stopping" = 1 ] && break
	if ((i > 0 && i % 10 == 0)); then log "waiting for $API_URL/readyz ($((i / 2))s)"; fi
	sleep 0.5
done
if [ "$ready" != 1 ]; then
	if [ "$stopping" = 1 ]; then
		wait "$server_pid" || true
		exit 130
	fi
	if kill -0 "$server_pid" 2>/dev/null; then
		die "$API_URL/readyz did not answer 200 within ${READY_TIMEOUT}s"
	fi
	set +e
	wait "$server_pid"
	rc=$?
	set -e
	die "the server exited with status $rc before it was ready (see its log above)"
fi
log "ready: $API_URL/readyz"
if curl -fsS -o /dev/null --max-time 5 "$API_URL/"; then
	log "the founder's pages answer at $PAGES_URL"
else
	log "warning: GET $API_URL/ did not answer 200"
fi

if [ "$SEED_DEMO" = 1 ]; then
	if ! API_URL="$API_URL" ADMIN_KEY="$CLOUDROUTE_BOOTSTRAP_ADMIN_KEY" ACE_SIM_URL="$ACE_SIM_URL" "$ROOT/scripts/seed-demo.sh"; then
		log "warning: seeding the demo data failed; the server keeps running"
	fi
fi

# 6. How to use it.
cat <<EOF

CloudRoute is running at $API_URL  (Ctrl-C stops it)

  Founders:   open $PAGES_URL in a browser: the 3-minute intake form, then
              the private status page it leads to (README.md, "Pages")
  Console:    sign in at ${PAGES_URL}console/sign-in (public demo passwords)
                admin:   admin@cloudroute.example / demo-curator-harbor-lantern-4821
                partner: alliances@northwind-cloud.example.com / demo-alliances-amber-orchid-7305
                         (a user of Northwind Cloud Partners)
  Admin key:  $CLOUDROUTE_BOOTSTRAP_ADMIN_KEY
  Partner keys: printed by the seeder above on the first run, and kept in
                .run/demo-keys.env (issue more with POST /v1/admin/partners/{id}/api-keys)

Try:
  export API=$API_URL ADMIN_KEY=$CLOUDROUTE_BOOTSTRAP_ADMIN_KEY
  curl -s \$API/readyz
  curl -s -H "Authorization: Bearer \$ADMIN_KEY" "\$API/v1/admin/partners?limit=10"
  curl -s -H "Authorization: Bearer \$ADMIN_KEY" "\$API/v1/admin/routing-index?axis=region&limit=20"
  curl -s -H "Authorization: Bearer \$ADMIN_KEY" \$API/v1/admin/settings
  curl -s -H "Authorization: Bearer \$ADMIN_KEY" -H 'Content-Type: application/json' \\
    -d '{"stage":"seed","region":"us_east","vertical":"fintech","service_profile":"ai_heavy","engagement_type":"build","requested_funding_sources":["founders"]}' \\
    \$API/v1/admin/routing/preview
  # Submit an intake as a founder: see README.md ("Submit an intake").
  # The ACE sync: the demo partners are connected to the Partner Central
  # simulator at ${ACE_SIM_URL:-(not running)}; see README.md ("ACE sync").

EOF

# Serve until the server exits. A trapped signal interrupts `wait`, so wait
# again until the server process is gone.
rc=0
while :; do
	set +e
	wait "$server_pid"
	rc=$?
	set -e
	if ! kill -0 "$server_pid" 2>/dev/null; then
		break
	fi
done
trap - EXIT
stop_sim
if [ "$stopping" = 1 ] && { [ "$rc" = 0 ] || [ "$rc" = 130 ] || [ "$rc" = 143 ]; }; then
	log "stopped"
	exit 0
fi
log "the server exited with status $rc"
exit "$rc"
