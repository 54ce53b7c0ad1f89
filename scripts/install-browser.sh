#!/bin/sh
# Installs the browser that the HTML-report tests drive (test/browser-*.test.ts): Debian's chromium at
# /usr/bin/chromium. playwright-core is used without its own browser download, which cannot reach the
# network on the build machines, so the distribution's package is the one browser the tests know.
#
# Idempotent: does nothing when /usr/bin/chromium is already there. Needs root (CI runs as root); otherwise
# it uses sudo when present.
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "chromium already installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=
elif command -v sudo >/dev/null 2>&1; then
  SUDO=sudo
else
  echo "install-browser.sh: $CHROMIUM is missing and this user is not root (and there is no sudo)" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser.sh: no apt-get here; install Chromium so that $CHROMIUM exists, then rerun the tests" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core

if [ ! -x "$CHROMIUM" ]; then
  echo "install-browser.sh: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "installed: $("$CHROMIUM" --version)"
