// Checks HTML files against the caniemail.com data bundled in
// @jsx-email/doiuse-email (offline) for the clients reportmailer targets.
// Prints one JSON object per file on stdout: {"file", "errors", "warnings"}.
// Deciding what is acceptable (the allow-list) is the Go test's job:
// internal/caniemail/caniemail_test.go.
//
// usage: node check.mjs FILE.html...
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { doIUseEmail } = require("@jsx-email/doiuse-email");

// Gmail, Outlook, Apple Mail and Yahoo on every platform the data has for
// them. (Outlook.com is not among the package's clients; outlook.* covers
// Windows, Windows Mail, macOS, iOS and Android.)
const emailClients = ["gmail.*", "outlook.*", "apple-mail.*", "yahoo.*"];

for (const file of process.argv.slice(2)) {
  const result = doIUseEmail(readFileSync(file, "utf8"), { emailClients });
  console.log(JSON.stringify({ file, errors: result.errors ?? [], warnings: result.warnings ?? [] }));
}
