#!/usr/bin/env bash
# Makes sure the browser tests (internal/browsertest) can run: Debian's
# chromium at /usr/bin/chromium, and the pinned development dependencies of
# package-lock.json (axe-core) in node_modules/. Safe to run any number of
# times: what is already in place is left alone.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: scripts/browser.sh [--help]

Prepares the browser tests:

  1. Chromium: when /usr/bin/chromium is missing and this script runs as
     root, `apt-get update` (once) and `apt-get install -y chromium`, Debian's
     own package. Nothing else downloads a browser: the tests drive
     /usr/bin/chromium through the DevTools protocol (github.com/chromedp/chromedp).
  2. Node packages: `npm ci` in the repository root (`npm install` when there
     is no package-lock.json), so node_modules/ holds exactly the pinned
     versions, axe-core among them. It is skipped when node_modules/ was
     installed from the current package-lock.json already. When npm itself is
     missing and this script runs as root, it installs Debian's npm first.

Without root, a missing chromium or npm is an error that says what to install.
scripts/test.sh runs this script before the Go tests; the browser tests skip
when chromium is missing, except under CI=true, where they fail.

Environment:
  APT_LOCK_WAIT   seconds apt-get waits for another apt or dpkg to finish (default 900)
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
	echo "browser.sh: unexpected argument: $1" >&2
	exit 2
	;;
esac

CHROMIUM=/usr/bin/chromium
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCK_WAIT="${APT_LOCK_WAIT:-900}"

log() { echo "browser: $*"; }
die() {
	echo "browser: error: $*" >&2
	exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_updated=
apt_install() {
	is_root || die "$* is not installed and this script is not root: install it (for example: sudo apt-get install -y $*), then run this script again"
	have apt-get || die "$* is not installed and apt-get is not available: install $* yourself"
	# Another apt or dpkg may hold the lock (unattended upgrades, a parallel
	# setup); wait for it rather than fail.
	local apt=(apt-get -q -o "DPkg::Lock::Timeout=$LOCK_WAIT")
	if [ -z "$apt_updated" ]; then
		log "apt-get update"
		DEBIAN_FRONTEND=noninteractive "${apt[@]}" update >/dev/null
		apt_updated=1
	fi
	log "apt-get install -y $*"
	local start=$SECONDS
	DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y "$@" >/dev/null
	log "installed $* in $((SECONDS - start))s"
}

# 1. Chromium.
if [ -x "$CHROMIUM" ]; then
	log "$("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
else
	apt_install chromium
	[ -x "$CHROMIUM" ] || die "apt-get installed chromium but $CHROMIUM is missing"
	log "$("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
fi

# 2. Node packages, pinned by package-lock.json.
cd "$ROOT"
[ -f package.json ] || die "no package.json in $ROOT"
if ! have npm; then
	apt_install npm
fi
# Belt and braces: no dependency may fetch a browser of its own.
export PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm_flags=(--no-audit --no-fund --loglevel=error)
if [ -f package-lock.json ]; then
	stamp=node_modules/.installed-from-lock
	want="$(sha256sum package-lock.json | cut -d' ' -f1)"
	if [ -d node_modules ] && [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ]; then
		log "node_modules is up to date with package-lock.json"
	else
		log "npm ci"
		npm ci "${npm_flags[@]}"
		echo "$want" >"$stamp"
	fi
else
	log "npm install (no package-lock.json)"
	npm install "${npm_flags[@]}"
fi
[ -f node_modules/axe-core/axe.min.js ] || die "node_modules/axe-core/axe.min.js is missing after npm: is axe-core in package.json?"
log "axe-core $(node -p 'require("./node_modules/axe-core/package.json").version' 2>/dev/null || echo '?')"
log "ok"
