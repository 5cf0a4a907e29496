#!/usr/bin/env bash
# herald's end-to-end suite (`make e2e`): installs its tools (setup.sh),
# tests its own plumbing (node --test), builds the example site and a
# generated stress site into a temp folder, serves both with `herald serve`
# on free 127.0.0.1 ports, and runs the checks of suite.mjs against them and
# against the broken fixtures.
#
#   E2E_UPDATE_SCREENSHOT=1  also copy the desktop-light index screenshots to docs/screenshot.png
#                            (and of the Arabic example, to docs/screenshot-ar.png)
#   E2E_ONLY=html,browser    run only some groups (html, browser, lighthouse, feeds, reports, calendar,
#                            statuspage, prometheus, newsboat, deploy, migrate, sigkill); the others are
#                            listed as skipped
#   E2E_SKIP_SETUP=1         don't run setup.sh
#   CI=true                  a skipped check or group is a failure (CI services set it)
#   CHROMIUM, PYTHON, NGINX, CADDY, SYSTEMD_ANALYZE, AWS, PROMETHEUS, BLACKBOX_EXPORTER
#                            the program to run instead of the first one in PATH (e2e/lib/tools.mjs)
set -euo pipefail
e2e=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$e2e")
NOW=${NOW:-2026-11-28T15:00:00Z}
HERALD=${HERALD:-$root/bin/herald}

[ "${E2E_SKIP_SETUP:-}" = 1 ] || "$e2e/setup.sh"
[ -x "$HERALD" ] || { echo "e2e: $HERALD missing; run make build" >&2; exit 1; }
node --test --test-reporter=dot "$e2e/lib/" "$e2e/checks/"

work=$(mktemp -d "${TMPDIR:-/tmp}/herald-e2e.XXXXXX")
pids=()
cleanup() {
	local rc=$?
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
	rm -rf "$work"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { node --input-type=module -e "import { freePort } from '$e2e/lib/harness.mjs'; console.log(await freePort());"; }

# serve SITE: starts `herald serve` for SITE on a free port, waits until it
# answers, and prints its URL. Its PID goes into pids (stopped by cleanup).
serve() {
	local site=$1 port
	port=$(free_port)
	# -reload=false: the pages exactly as published, without the authors'
	# live-reload script and its open event stream.
	"$HERALD" serve -reload=false -site "$site" -addr "127.0.0.1:$port" -now "$NOW" >"$site.serve.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do
		if curl -fs -o /dev/null "http://127.0.0.1:$port/"; then URL="http://127.0.0.1:$port/"; return; fi
		kill -0 "${pids[-1]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "e2e: herald serve for $site did not come up:" >&2
	cat "$site.serve.log" >&2
	exit 1
}

# The example site is copied so the suite never touches the repo's public/
# and may rebuild it with other inputs (the newsboat GUID check does).
mkdir -p "$work/example"
cp -r "$root/herald.yaml" "$root/incidents" "$work/example/"
# As make run does: 90 days of recorded probe results, so the uptime bars,
# charts and their labels are checked full.
"$HERALD" import -site "$work/example" -now "$NOW" "$root/example/history.jsonl.gz"
# The example in German and in Arabic, right to left (issue #14), each in
# its own folder: the HTML, axe and Lighthouse checks run on them as on the
# example. A locale or languages line of the example's own gives way, and
# so do its translations (*.de.md): a site of one language would read each
# as an incident of its own. (vnu reads the example's own de/ pages too.)
for lang in de ar; do
	mkdir -p "$work/example-$lang"
	cp -r "$root/incidents" "$work/example-$lang/"
	rm -f "$work/example-$lang"/incidents/*.de.md
	{ sed -E '/^(locale|languages):/d' "$root/herald.yaml"; printf '\nlocale: %s\n' "$lang"; } >"$work/example-$lang/herald.yaml"
	"$HERALD" import -site "$work/example-$lang" -now "$NOW" "$root/example/history.jsonl.gz"
done
node "$e2e/gen-stress.mjs" "$work/stress" 300 20 "$NOW"
for site in "$work/example" "$work/example-de" "$work/example-ar" "$work/stress"; do "$HERALD" check -site "$site"; done

serve "$work/example"; EXAMPLE_URL=$URL
serve "$work/example-de"; EXAMPLE_DE_URL=$URL
serve "$work/example-ar"; EXAMPLE_AR_URL=$URL
serve "$work/stress"; STRESS_URL=$URL
echo "e2e: example on $EXAMPLE_URL (de $EXAMPLE_DE_URL, ar $EXAMPLE_AR_URL), stress on $STRESS_URL"

HERALD=$HERALD NOW=$NOW WORK=$work \
	EXAMPLE_SITE="$work/example" EXAMPLE_URL=$EXAMPLE_URL \
	EXAMPLE_DE_SITE="$work/example-de" EXAMPLE_DE_URL=$EXAMPLE_DE_URL \
	EXAMPLE_AR_SITE="$work/example-ar" EXAMPLE_AR_URL=$EXAMPLE_AR_URL \
	STRESS_SITE="$work/stress" STRESS_URL=$STRESS_URL \
	node "$e2e/suite.mjs"
