// Parse an AsyncAPI document with the official parser (@asyncapi/parser) and print what it says.
// Usage: node tools/asyncapi/validate.mjs FILE
// Prints one JSON object: {parser, asyncapi, valid, channels, messages, operations, counts, diagnostics}.
// Exit code: 0 when the document parsed with no error-severity diagnostic, 1 when it did not,
// 2 on a usage or I/O error.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { Parser, fromFile } from "@asyncapi/parser";

const SEVERITY = ["error", "warning", "information", "hint"];

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate.mjs FILE");
  process.exit(2);
}

const require = createRequire(import.meta.url);
const parserVersion = JSON.parse(
  readFileSync(require.resolve("@asyncapi/parser/package.json"), "utf8"),
).version;

let result;
try {
  result = await fromFile(new Parser(), file).parse();
} catch (e) {
  console.error(`cannot read or parse ${file}: ${e.message}`);
  process.exit(2);
}
const { document, diagnostics } = result;

const out = diagnostics.map((d) => ({
  severity: SEVERITY[d.severity] ?? String(d.severity),
  code: d.code,
  message: d.message,
  path: d.path,
}));
const counts = Object.fromEntries(SEVERITY.map((s) => [s, out.filter((d) => d.severity === s).length]));
const report = {
  parser: parserVersion,
  file,
  asyncapi: document ? document.version() : null,
  valid: Boolean(document) && counts.error === 0,
  channels: document ? document.channels().length : 0,
  messages: document ? document.components().messages().length : 0,
  operations: document ? document.operations().length : 0,
  counts,
  diagnostics: out,
};
process.stdout.write(JSON.stringify(report, null, 2) + "\n");
process.exit(report.valid ? 0 : 1);
