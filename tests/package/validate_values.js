// Validates JSON documents against a JSON Schema with ajv (strict mode, all errors).
// Usage: node validate_values.js SCHEMA.json expect=valid|invalid FILE.json [expect=... FILE.json]...
// Exits 0 only when every file meets its expectation; prints ajv's errors either way.
"use strict";
const fs = require("fs");
const Ajv = require("ajv");

const [schemaPath, ...rest] = process.argv.slice(2);
const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
let ok = true;
for (let i = 0; i < rest.length; i += 2) {
  const expect = rest[i].replace("expect=", "");
  const file = rest[i + 1];
  const valid = validate(JSON.parse(fs.readFileSync(file, "utf8")));
  const why = valid ? "" : ": " + validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}` +
    (e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : "")).join("; ");
  const good = (expect === "valid") === valid;
  console.log(`${good ? "ok  " : "FAIL"} ${file}: ${valid ? "valid" : "invalid"} (expected ${expect})${why}`);
  ok = ok && good;
}
process.exit(ok ? 0 : 1);
