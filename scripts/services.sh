#!/usr/bin/env bash
# Makes sure the two services CloudRoute needs are running:
#   PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth)
#   Redis      on 127.0.0.1:6379
# Safe to run any number of times: whatever already answers is left alone.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: scripts/services.sh [--help]

Makes sure PostgreSQL (127.0.0.1:5432, user postgres, trust auth) and Redis
(127.0.0.1:6379) are running, then waits until both answer.

  1. Whatever already answers is left alone.
  2. With CLOUDROUTE_SERVICES=docker, or =auto (the default) when `docker info`
     and `docker compose version` both work, it runs
     `docker compose up -d postgres redis` (see docker-compose.yml).
  3. Otherwise it uses local servers:
     - PostgreSQL: starts the installed cluster with pg_ctlcluster. When no
       cluster exists it creates one; when no server is installed and it runs
       as root, it installs one with apt-get. It makes sure the server listens
       on 127.0.0.1 and trusts user postgres from 127.0.0.1.
     - Redis: starts `redis-server --daemonize yes` bound to 127.0.0.1:6379,
       installing redis-server with apt-get when missing and running as root.

Environment:
  CLOUDROUTE_SERVICES   auto | docker | local (default auto)
  SERVICES_WAIT         seconds to wait for both services (default 60)
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
	echo "services.sh: unexpected argument: $1" >&2
	exit 2
	;;
esac

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
MODE="${CLOUDROUTE_SERVICES:-auto}"
WAIT="${SERVICES_WAIT:-60}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { echo "services: $*"; }
die() {
	echo "services: error: $*" >&2
	exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [ "$(id -u)" = 0 ]; }

# pg_up reports whether Postgres accepts connections on 127.0.0.1:5432. It
# uses pg_isready when installed and bash's /dev/tcp otherwise.
pg_up() {
	if have pg_isready; then
		pg_isready -q -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1
	else
		(exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") >/dev/null 2>&1
	fi
}

# redis_up reports whether Redis answers PING on 127.0.0.1:6379.
redis_up() {
	if have redis-cli; then
		[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
	else
		# Speak RESP by hand when redis-cli is not installed.
		local reply
		reply="$({
			exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT" &&
				printf 'PING\r\n' >&3 &&
				IFS= read -r -t 2 line <&3 &&
				printf '%s' "$line"
		} 2>/dev/null)" || return 1
		[ "${reply%$'\r'}" = +PONG ]
	fi
}

apt_installed=
apt_install() {
	is_root || die "$* is not installed and this script is not root: install $* (for example: sudo apt-get install -y $*), or run Postgres and Redis yourself on 127.0.0.1:5432 and 127.0.0.1:6379"
	have apt-get || die "$* is not installed and apt-get is not available: install $* yourself, or use docker compose (see README.md)"
	if [ -z "$apt_installed" ]; then
		log "apt-get update"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq
		apt_installed=1
	fi
	log "apt-get install -y $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# pg_version prints the newest PostgreSQL major version with a cluster
# configuration (/etc/postgresql/<v>/main), or with binaries installed.
pg_version() {
	local v=""
	if [ -d /etc/postgresql ]; then
		v="$(find /etc/postgresql -mindepth 2 -maxdepth 2 -name main -type d 2>/dev/null |
			awk -F/ '{print $4}' | sort -n | tail -n 1)"
	fi
	if [ -z "$v" ] && [ -d /usr/lib/postgresql ]; then
		v="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -n | tail -n 1)"
	fi
	printf '%s' "$v"
}

# pg_configure makes the cluster listen on 127.0.0.1:5432 and trust user
# postgres there. It only adds what is missing, so it is idempotent.
pg_configure() {
	local v="$1" dir="/etc/postgresql/$1/main"
	[ -d "$dir" ] || return 0
	local conf="$dir/conf.d/50-cloudroute.conf"
	if [ -d "$dir/conf.d" ] && grep -Eq "^[[:space:]]*include_dir[[:space:]]*=[[:space:]]*'conf.d'" "$dir/postgresql.conf"; then
		# Only write our drop-in when the effective settings miss 127.0.0.1
		# or the port, so that an existing setup is left as it is.
		local listen port
		listen="$(grep -hE '^[[:space:]]*listen_addresses[[:space:]]*=' "$dir/postgresql.conf" "$dir"/conf.d/*.conf 2>/dev/null | tail -n 1 || true)"
		port="$(grep -hE '^[[:space:]]*port[[:space:]]*=' "$dir/postgresql.conf" "$dir"/conf.d/*.conf 2>/dev/null | tail -n 1 || true)"
		if ! { [ -z "$listen" ] || printf '%s' "$listen" | grep -Eq "127\.0\.0\.1|localhost|'\*'"; } ||
			! { [ -z "$port" ] || printf '%s' "$port" | grep -Eq "=[[:space:]]*$PG_PORT([^0-9]|$)"; }; then
			if [ ! -f "$conf" ]; then
				# Keep the addresses already configured, and add 127.0.0.1.
				local addrs
				addrs="$(printf '%s' "$listen" | sed -E "s/^[^=]*=[[:space:]]*'?([^'#]*)'?.*$/\1/; s/[[:space:]]+$//")"
				if [ -z "$addrs" ]; then
					addrs=127.0.0.1
				elif ! printf '%s' "$addrs" | grep -Eq "127\.0\.0\.1|localhost|\*"; then
					addrs="$addrs,127.0.0.1"
				fi
				log "writing $conf (listen on $addrs, port $PG_PORT)"
				printf "# Written by CloudRoute's scripts/services.sh\nlisten_addresses = '%s'\nport = %s\n" "$addrs" "$PG_PORT" >"$conf"
				chown postgres:postgres "$conf" 2>/dev/null || true
			fi
		fi
	fi
	local hba="$dir/pg_hba.conf"
	if [ -f "$hba" ] && ! grep -Eq '^[[:space:]]*host[[:space:]]+all[[:space:]]+(all|postgres)[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
		log "adding trust for user postgres from 127.0.0.1 to $hba"
		local tmp
		tmp="$(mktemp)"
		{
			echo "# CloudRoute development: trust user postgres over TCP from 127.0.0.1 (scripts/services.sh)"
			echo "host    all    postgres    127.0.0.1/32    trust"
			cat "$hba"
		} >"$tmp"
		cat "$tmp" >"$hba"
		rm -f "$tmp"
		# A running server rereads pg_hba.conf on reload.
		pg_ctlcluster --skip-systemctl-redirect "$v" main reload >/dev/null 2>&1 || true
	fi
}

start_postgres_local() {
	if ! have pg_ctlcluster; then
		apt_install postgresql
	fi
	have pg_ctlcluster || die "pg_ctlcluster is not available; start PostgreSQL on $PG_HOST:$PG_PORT yourself"
	local v
	v="$(pg_version)"
	if [ -z "$v" ]; then
		apt_install postgresql
		v="$(pg_version)"
	fi
	[ -n "$v" ] || die "no PostgreSQL installation found"
	if [ ! -d "/etc/postgresql/$v/main" ]; then
		is_root || die "no PostgreSQL cluster exists; create one with: sudo pg_createcluster $v main --port $PG_PORT"
		log "creating PostgreSQL $v cluster 'main' on port $PG_PORT"
		pg_createcluster "$v" main --port "$PG_PORT" -- --auth-local=trust --auth-host=trust >/dev/null
	fi
	if is_root; then
		pg_configure "$v"
	fi
	log "starting PostgreSQL $v cluster 'main'"
	pg_ctlcluster --skip-systemctl-redirect "$v" main start ||
		log "pg_ctlcluster start returned an error (it may already be starting); waiting anyway"
}

start_redis_local() {
	if ! have redis-server; then
		apt_install redis-server
	fi
	log "starting redis-server on $REDIS_HOST:$REDIS_PORT"
	redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
}

docker_usable() {
	have docker && docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1
}

wait_for() {
	local name="$1" check="$2" i
	for ((i = 0; i < WAIT; i++)); do
		if "$check"; then
			log "$name is up"
			return 0
		fi
		if ((i % 5 == 0)); then
			log "waiting for $name ($i/${WAIT}s)"
		fi
		sleep 1
	done
	die "$name did not answer within ${WAIT}s"
}

# check_pg_auth warns when Postgres answers but does not let user postgres in
# from 127.0.0.1 without a password, which the defaults and the tests expect.
check_pg_auth() {
	have psql || return 0
	if ! psql -X -w -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; then
		log "warning: PostgreSQL answers, but 'psql -h $PG_HOST -U postgres' fails without a password."
		log "warning: CloudRoute's default URLs and the tests expect trust auth for user postgres from 127.0.0.1,"
		log "warning: or set DATABASE_URL / TEST_DATABASE_URL with a password (see README.md)."
	fi
}

pg_ok=0
redis_ok=0
pg_up && pg_ok=1
redis_up && redis_ok=1
if [ "$pg_ok" = 1 ] && [ "$redis_ok" = 1 ]; then
	log "PostgreSQL ($PG_HOST:$PG_PORT) and Redis ($REDIS_HOST:$REDIS_PORT) are already running"
	check_pg_auth
	exit 0
fi

use_docker=0
case "$MODE" in
docker)
	docker_usable || die "CLOUDROUTE_SERVICES=docker but 'docker info' or 'docker compose version' fails"
	use_docker=1
	;;
auto)
	if docker_usable; then use_docker=1; fi
	;;
local) ;;
*) die "CLOUDROUTE_SERVICES must be auto, docker or local, not '$MODE'" ;;
esac

if [ "$use_docker" = 1 ]; then
	want=()
	[ "$pg_ok" = 1 ] || want+=(postgres)
	[ "$redis_ok" = 1 ] || want+=(redis)
	log "docker compose up -d ${want[*]}"
	(cd "$ROOT" && docker compose up -d "${want[@]}")
else
	[ "$pg_ok" = 1 ] || start_postgres_local
	[ "$redis_ok" = 1 ] || start_redis_local
fi

wait_for "PostgreSQL ($PG_HOST:$PG_PORT)" pg_up
wait_for "Redis ($REDIS_HOST:$REDIS_PORT)" redis_up
check_pg_auth
