#!/bin/sh
# Starts the app for the end-to-end tests: a fresh SQLite database with the test admins of
# tests/fixtures.ts, then the server built by `cargo leptos build`. Run from the repository root.
set -eu
dir=$(mktemp -d)
export DATABASE_URL="sqlite://$dir/e2e.db?mode=rwc"
export LEPTOS_SITE_ADDR="127.0.0.1:${E2E_PORT:-3105}"
export LEPTOS_SITE_ROOT=target/site
export LEPTOS_OUTPUT_NAME=octavia-billing
export RUST_LOG="${RUST_LOG:-warn}"
# The server cargo built: under CARGO_TARGET_DIR when that is set, else target/.
bin="${CARGO_TARGET_DIR:-target}/debug/octavia-billing"
password="e2e password 2026"
echo "$password" | "$bin" add-admin --institution "Riverside University" --email admin@riverside.test
echo "$password" | "$bin" add-admin --institution "Hillcrest Bootcamp" --email admin@hillcrest.test
# One institution per purchase test, so that tests running in parallel never share a pool.
for n in 1 2 3 4 5 6 7 8 9 10 11 12; do
  echo "$password" | "$bin" add-admin --institution "Buyer College $n" --email "buyer$n@college.test"
done
exec "$bin"
