#!/usr/bin/env bash
# Installs the end-to-end suite's tools on a fresh Debian machine. Idempotent:
# it skips whatever is already present. Run as root (CI does) or with sudo.
#   Debian: browsers, validators and real feed/calendar clients
#   npm:    the pinned tools of e2e/package.json (+ package-lock.json), via npm ci
set -euo pipefail
cd "$(dirname "$0")"

apt_pkgs=(
	chromium                      # the browser playwright-core and Lighthouse drive
	default-jre-headless          # runs the Nu HTML Checker (vnu.jar)
	python3-feedparser            # RSS/Atom parsing as feed readers do
	python3-icalendar             # maintenance.ics
	newsboat                      # a real feed reader
	libxml2-utils                 # xmllint
	prometheus                    # history.source: prometheus
	prometheus-blackbox-exporter  # probe_success series for it
	nginx                         # docs/deploy.md's recipes (checks/deploy.mjs):
	caddy                         #   both web servers,
	systemd                       #   systemd-analyze verify for the unit,
	rsync                         #   push.sh,
	awscli                        #   the object storage script (against npm s3rver)
	python3-yaml                  #   and the CI workflow, read as YAML
)

missing=()
for p in "${apt_pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if ((${#missing[@]})); then
	echo "setup: apt installing ${missing[*]}"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
	# --no-install-recommends keeps the JRE, Prometheus and newsboat lean;
	# services that Debian packages start (prometheus, nginx, caddy) are left
	# alone: the suite starts its own on a free 127.0.0.1 port.
	$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
else
	echo "setup: apt packages present"
fi

# npm: node_modules must match package-lock.json exactly; npm ci is only run
# when they are missing or the lock file changed since the last install.
stamp=node_modules/.e2e-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	echo "setup: node_modules up to date"
else
	echo "setup: npm ci"
	npm ci --no-audit --no-fund --loglevel=error
	echo "$want" >"$stamp"
fi
