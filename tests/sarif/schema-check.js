#!/usr/bin/env node
// Checks a SARIF file against the SARIF 2.1.0 JSON schema (the copy shipped
// with @microsoft/sarif-multitool). The multitool's own schema pass misses
// some violations (enum values, minimum, additionalProperties), so
// validate.sh runs this as well. Implements the JSON Schema keywords that
// schema uses. Usage: schema-check.js SCHEMA.json FILE.sarif
'use strict';
const fs = require('fs');

const [schemaPath, filePath] = process.argv.slice(2);
if (!schemaPath || !filePath) {
  console.error('usage: schema-check.js SCHEMA.json FILE.sarif');
  process.exit(2);
}
let schema, doc;
try {
  schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
} catch (e) {
  console.error(`${schemaPath}: cannot read schema: ${e.message}`);
  process.exit(2);
}
try {
  doc = JSON.parse(fs.readFileSync(filePath, 'utf8'));
} catch (e) {
  console.error(`${filePath}: not valid JSON: ${e.message}`);
  process.exit(1);
}

const errors = [];
const uuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const uriReference = /^[^\s]*$/;

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (Number.isInteger(v)) return 'integer';
  return typeof v;
}
function typeMatches(want, v) {
  const t = typeOf(v);
  return want === t || (want === 'number' && t === 'integer');
}
function resolve(ref) {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(2).split('/').reduce((o, k) => o[k], schema);
}
function checkFormat(fmt, v, path) {
  if (typeof v !== 'string') return;
  let ok = true;
  if (fmt === 'uri') {
    try { new URL(v); } catch { ok = false; }
  } else if (fmt === 'uri-reference') {
    ok = uriReference.test(v);
  } else if (fmt === 'uuid') {
    ok = uuid.test(v);
  } else if (fmt === 'date-time') {
    ok = dateTime.test(v);
  }
  if (!ok) errors.push(`${path}: '${v}' is not a valid ${fmt}`);
}
function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

// Returns the number of errors found, appending them to `out`.
function check(s, v, path, out) {
  const before = out.length;
  if (s === true || s === undefined) return 0;
  if (s === false) { out.push(`${path}: not allowed`); return 1; }
  if (s.$ref) check(resolve(s.$ref), v, path, out);
  if (s.type) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some(t => typeMatches(t, v))) {
      out.push(`${path}: expected ${types.join(' or ')}, got ${typeOf(v)}`);
      return out.length - before;
    }
  }
  if (s.enum && !s.enum.some(e => same(e, v)))
    out.push(`${path}: '${JSON.stringify(v)}' is not one of ${JSON.stringify(s.enum)}`);
  if (s.const !== undefined && !same(s.const, v))
    out.push(`${path}: must be ${JSON.stringify(s.const)}`);
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum)
      out.push(`${path}: ${v} is less than the minimum ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum)
      out.push(`${path}: ${v} is more than the maximum ${s.maximum}`);
  }
  if (typeof v === 'string') {
    if (s.pattern && !new RegExp(s.pattern, 'u').test(v))
      out.push(`${path}: '${v}' does not match ${s.pattern}`);
    if (s.format) {
      const saved = errors.length;
      checkFormat(s.format, v, path);
      out.push(...errors.splice(saved));
    }
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems)
      out.push(`${path}: needs at least ${s.minItems} item(s)`);
    if (s.uniqueItems) {
      const seen = new Set(v.map(x => JSON.stringify(x)));
      if (seen.size !== v.length) out.push(`${path}: items are not unique`);
    }
    if (s.items) v.forEach((x, i) => check(s.items, x, `${path}[${i}]`, out));
  }
  if (typeOf(v) === 'object') {
    for (const r of s.required || [])
      if (!(r in v)) out.push(`${path}: missing required property '${r}'`);
    const props = s.properties || {};
    for (const [k, x] of Object.entries(v)) {
      if (k in props) {
        check(props[k], x, `${path}.${k}`, out);
      } else if (s.additionalProperties === false) {
        out.push(`${path}: unexpected property '${k}'`);
      } else if (typeof s.additionalProperties === 'object') {
        check(s.additionalProperties, x, `${path}.${k}`, out);
      }
    }
  }
  for (const sub of s.allOf || []) check(sub, v, path, out);
  if (s.anyOf && !s.anyOf.some(sub => check(sub, v, path, []) === 0))
    out.push(`${path}: matches none of the allowed forms (anyOf)`);
  if (s.oneOf && s.oneOf.filter(sub => check(sub, v, path, []) === 0).length !== 1)
    out.push(`${path}: must match exactly one allowed form (oneOf)`);
  return out.length - before;
}

const found = [];
check(schema, doc, '$', found);
for (const e of found) console.error(`${filePath}: schema error: ${e}`);
process.exit(found.length ? 1 : 0);
