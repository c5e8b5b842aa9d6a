#!/usr/bin/env bash
# THE test command: starts Postgres and Redis if needed, then go vet and the
# whole test suite with the race detector.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: scripts/test.sh [go test flags] [packages]

  1. scripts/services.sh (PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379)
  2. scripts/browser.sh (chromium at /usr/bin/chromium, and the pinned node
     packages, axe-core among them, for the browser tests)
  3. go vet ./...
  4. go test -race -count=1 -timeout 20m [args] (./... when no package is named)

Arguments go to `go test`; later flags win, so `-timeout 5m` overrides.
Examples:
  scripts/test.sh
  scripts/test.sh -run 'TestRoutesMatchOpenAPI|TestConfig' ./api/ ./internal/config/
  scripts/test.sh -short ./internal/...

The tests create (and drop) their own databases on the server of
TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
and use Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379/0).

Environment:
  SKIP_VET=1       skip go vet
  NO_RACE=1        run without -race (which needs cgo and a C compiler)
  SKIP_BROWSER=1   skip scripts/browser.sh; without chromium the browser
                   tests then skip, or fail when CI=true
EOF
}

case "${1:-}" in
-h | --help | help)
	usage
	exit 0
	;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { echo "test: $*"; }

"$ROOT/scripts/services.sh"

if [ "${SKIP_BROWSER:-0}" = 1 ]; then
	log "SKIP_BROWSER=1: scripts/browser.sh not run"
elif ! "$ROOT/scripts/browser.sh"; then
	# Without chromium the browser tests skip on a developer's machine, but
	# CI must run them.
	if [ "${CI:-}" = true ]; then
		log "scripts/browser.sh failed"
		exit 1
	fi
	log "warning: scripts/browser.sh failed, so the browser tests will skip"
fi

log "TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable (default)}"
log "TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/0 (default)}"
log "$(go version)"

if [ "${SKIP_VET:-0}" != 1 ]; then
	log "go vet ./..."
	go vet ./...
fi

# A package argument is a path pattern (./x, ../x, x/..., or an import
# path); everything else is a flag or a flag's value.
has_pkg=0
prev_takes_value=0
for a in "$@"; do
	if [ "$prev_takes_value" = 1 ]; then
		prev_takes_value=0
		continue
	fi
	case "$a" in
	-run | -skip | -bench | -timeout | -count | -p | -parallel | -cpu | -tags | -coverpkg | -coverprofile | -cpuprofile | -memprofile | -blockprofile | -mutexprofile | -o | -benchtime | -fuzz | -fuzztime | -shuffle | -list | -exec | -outputdir | -trace)
		prev_takes_value=1
		;;
	-*) ;;
	. | ./* | ../* | */... | github.com/*) has_pkg=1 ;;
	esac
done

race=(-race)
if [ "${NO_RACE:-0}" = 1 ]; then
	race=()
elif [ "$(go env CGO_ENABLED)" != 1 ]; then
	log "warning: cgo is disabled (no C compiler?), so the tests run without -race"
	race=()
fi

args=(${race[@]+"${race[@]}"} -count=1 -timeout 20m "$@")
if [ "$has_pkg" = 0 ]; then
	args+=(./...)
fi
log "go test ${args[*]}"
go test "${args[@]}"
log "ok"
