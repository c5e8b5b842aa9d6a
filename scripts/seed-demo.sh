#!/usr/bin/env bash
# Seeds demo partners, their track records and API keys through the real
# HTTP API. Does nothing when a partner already exists.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

case "${1:-}" in
-h | --help | help)
	cat <<'EOF'
Usage: scripts/seed-demo.sh [flags]

Seeds demo data through the HTTP API of a running CloudRoute: seven partners
(premier, advanced, one paused, one select and one registered that the tier
gate keeps out of routing), a track record of past ACE outcomes for every
advanced and premier partner, one API key per partner, and the console's
demo admin and partner user. When the API already holds a partner it
prints "already seeded", creates only the missing console users, and
exits 0.

Environment:
  API_URL    the API's base URL (default http://localhost:8080)
  ADMIN_KEY  an admin key (default $CLOUDROUTE_BOOTSTRAP_ADMIN_KEY)
  ACE_SIM_URL  the Partner Central simulator to connect the demo partners to
             and file a demo record through (scripts/run.sh sets it)

The flags are those of the seeder program:
EOF
	exec go run ./scripts/seeddemo --help
	;;
esac

exec go run ./scripts/seeddemo "$@"
