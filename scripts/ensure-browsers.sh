#!/usr/bin/env bash
# Installs the Debian packages the browser tests need when they are missing (Chromium, Firefox ESR, WebKitGTK's
# WebDriver and MiniBrowser, Xvfb). Paths can be overridden with CHROMIUM_PATH, FIREFOX_PATH, MINIBROWSER_PATH,
# WEBKIT_WEBDRIVER_PATH (see test/browser/engines.ts).
set -euo pipefail
need=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
[ -x "${FIREFOX_PATH:-/usr/bin/firefox-esr}" ] || need+=(firefox-esr)
[ -x "${WEBKIT_WEBDRIVER_PATH:-/usr/bin/WebKitWebDriver}" ] || need+=(webkit2gtk-driver)
[ -x "${MINIBROWSER_PATH:-/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser}" ] || need+=(webkit2gtk-driver)
command -v Xvfb >/dev/null || [ -n "${DISPLAY:-}" ] || need+=(xvfb)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages for the browser tests: ${need[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
