#!/bin/sh
# Starts the app for the end-to-end tests: a fresh SQLite database with the test admins of
# end2end/accounts.json (tests/fixtures.ts signs in with the same file), then the server built
# by `cargo leptos build --split`. Run from the repository root.
set -eu
dir=$(mktemp -d)
export DATABASE_URL="sqlite://$dir/e2e.db?mode=rwc"
export LEPTOS_SITE_ADDR="127.0.0.1:${E2E_PORT:-3105}"
export LEPTOS_SITE_ROOT=target/site
export LEPTOS_OUTPUT_NAME=octavia-billing
export RUST_LOG="${RUST_LOG:-warn}"
# Bank debits settle only when a test says so (the emulator's settle_bank_debit helper).
export EMULATOR_BANK_DEBIT_SECS=3600
# The server cargo built: under CARGO_TARGET_DIR when that is set, else target/.
bin="${CARGO_TARGET_DIR:-target}/debug/octavia-billing"
# Node reads the JSON: Playwright needs it anyway. One admin a line: institution, tab, email.
accounts=./end2end/accounts.json
password=$(node -p "require('$accounts').password")
node -e "
  const { admins, buyers } = require('$accounts');
  for (const a of [...Object.values(admins), ...buyers]) console.log(a.institution + '\t' + a.email);
" > "$dir/admins.tsv"
tab=$(printf '\t')
while IFS=$tab read -r institution email; do
  echo "$password" | "$bin" add-admin --institution "$institution" --email "$email"
done < "$dir/admins.tsv"
exec "$bin"
