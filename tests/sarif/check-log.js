#!/usr/bin/env node
// Reads the SARIF log that `sarif-multitool validate --output` wrote and
// prints every error-level problem it reports about the validated file.
// Exits 1 if there is any, 2 if the log itself is unusable, 0 otherwise.
'use strict';
const fs = require('fs');

const logPath = process.argv[2];
if (!logPath) {
  console.error('usage: check-log.js VALIDATOR_LOG');
  process.exit(2);
}
let log;
try {
  log = JSON.parse(fs.readFileSync(logPath, 'utf8'));
} catch (e) {
  console.error(`${logPath}: cannot read validator log: ${e.message}`);
  process.exit(2);
}
if (!Array.isArray(log.runs) || log.runs.length === 0) {
  console.error(`${logPath}: validator log has no runs`);
  process.exit(2);
}

function text(message) {
  if (!message) return '';
  if (message.text) return message.text;
  return `${message.id || ''} ${JSON.stringify(message.arguments || [])}`;
}

let errors = 0;
for (const run of log.runs) {
  for (const result of run.results || []) {
    // A result without a level is a warning (SARIF 3.27.10), unless its rule
    // says otherwise; the validator always writes rule levels explicitly.
    const level = result.level || 'warning';
    if (level !== 'error') continue;
    errors++;
    const loc = (((result.locations || [])[0] || {}).physicalLocation || {});
    const region = loc.region || {};
    const where = region.startLine ? `${region.startLine}:${region.startColumn || 1}: ` : '';
    console.error(`${where}error ${result.ruleId}: ${text(result.message)}`);
  }
  for (const inv of run.invocations || []) {
    for (const key of ['toolExecutionNotifications', 'toolConfigurationNotifications']) {
      for (const n of inv[key] || []) {
        if ((n.level || 'warning') !== 'error') continue;
        errors++;
        console.error(`validator ${key}: ${text(n.message)}`);
      }
    }
    if (inv.executionSuccessful === false) {
      errors++;
      console.error('validator: execution was not successful');
    }
  }
}
if (errors) {
  console.error(`${errors} error(s)`);
  process.exit(1);
}
