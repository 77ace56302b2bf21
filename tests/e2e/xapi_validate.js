#!/usr/bin/env node
// Validates every xAPI statement in a JSON file (an array of statements, as
// `casebook export xapi` writes) with Learning Locker's validator,
// @learninglocker/xapi-validation, whose default export takes one statement
// and returns its warnings (an empty array when it is valid).
//
//   node xapi_validate.js FILE
//
// The validator is looked up in $XAPI_VALIDATOR_DIR, else build-node/ of the
// source tree (where scripts/install-deps puts it). Prints one line per
// problem and exits 1 when any statement is invalid, 2 when the file or the
// validator cannot be read, 0 when all are valid.
'use strict';

const fs = require('fs');
const path = require('path');

function fail(message) {
  console.error(`xapi_validate: ${message}`);
  process.exit(2);
}

if (process.argv.length !== 3) fail('usage: node xapi_validate.js FILE');
const file = process.argv[2];

const dir = process.env.XAPI_VALIDATOR_DIR ||
  path.join(process.env.CASEBOOK_SOURCE_DIR || path.join(__dirname, '..', '..'), 'build-node');
let validate;
try {
  const modulePath = require.resolve('@learninglocker/xapi-validation', {
    paths: [path.join(dir, 'node_modules')],
  });
  validate = require(modulePath).default;
} catch (e) {
  fail(`Learning Locker's validator @learninglocker/xapi-validation is not installed in ` +
    `${dir} (${e.code || e.message}); run scripts/install-deps (it needs the npm registry)`);
}
if (typeof validate !== 'function') fail('the validator exports no default function');

let statements;
try {
  statements = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (e) {
  fail(`${file}: ${e.message}`);
}
if (!Array.isArray(statements)) fail(`${file}: not a JSON array of statements`);

// A warning names where it is (path) and what it expected (typeName, for
// type warnings) or what was wrong (its class name).
function describe(w) {
  const where = Array.isArray(w.path) ? w.path.join('.') : String(w.path);
  const what = w.typeName ? `not a valid ${w.typeName}` : (w.constructor && w.constructor.name) || 'invalid';
  let value;
  try {
    value = JSON.stringify(w.data);
  } catch (e) {
    value = '?';
  }
  if (value && value.length > 120) value = value.slice(0, 117) + '...';
  return `${where}: ${what} (${value})`;
}

let invalid = 0;
statements.forEach((statement, i) => {
  const warnings = validate(statement);
  if (!Array.isArray(warnings)) fail('the validator returned no list of warnings');
  if (warnings.length === 0) return;
  invalid++;
  const id = statement && statement.id ? statement.id : '(no id)';
  for (const w of warnings) console.error(`${file}: statement ${i} ${id}: ${describe(w)}`);
});

if (invalid) {
  console.error(`xapi_validate: ${invalid} of ${statements.length} statements invalid`);
  process.exit(1);
}
console.log(`xapi_validate: ${statements.length} statements valid`);
