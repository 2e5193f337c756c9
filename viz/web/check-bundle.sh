#!/bin/sh
# check-bundle.sh: checks that the committed dist/ is reproducible from the
# lockfile. It copies the sources to a temporary directory, runs npm ci and
# npm run build there, and compares the result with dist/. Exit status 1
# when they differ (rebuild with `npm ci && npm run build` and commit dist/).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cp "$here/package.json" "$here/package-lock.json" "$here/build.mjs" "$tmp/"
cp -R "$here/src" "$tmp/src"

cd "$tmp"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
npm run build --silent

if diff -r "$tmp/dist" "$here/dist"; then
	echo "check-bundle: dist/ matches a fresh build from package-lock.json"
else
	echo "check-bundle: dist/ differs from a fresh build; run npm ci && npm run build and commit dist/" >&2
	exit 1
fi
