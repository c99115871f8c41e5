// Lists the public surface of the official kuzzle-sdk package (node_modules/kuzzle-sdk, the
// version package-lock.json pins): its exports, the members of a Kuzzle instance and every
// method of every controller it attaches. One line per entry, "owner.name" (exports: "export.Name").
// Read by tools/api_surface.py; names starting with "_" and the constructor are private.
import { createRequire } from "module";
import path from "path";

const root = process.argv[2] || process.cwd();
const require = createRequire(path.join(root, "package.json"));
const sdk = require("kuzzle-sdk");

function publicMembers(proto) {
  const names = new Set();
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name !== "constructor" && !name.startsWith("_")) names.add(name);
    }
  }
  return [...names];
}

const rows = Object.keys(sdk).map((name) => `export.${name}`);
const kuzzle = new sdk.Kuzzle(new sdk.WebSocket("localhost"));
for (const name of publicMembers(Object.getPrototypeOf(kuzzle))) rows.push(`Kuzzle.${name}`);
for (const [attribute, value] of Object.entries(kuzzle)) {
  if (value && value.constructor && /Controller$/.test(value.constructor.name)) {
    for (const name of publicMembers(Object.getPrototypeOf(value))) rows.push(`${attribute}.${name}`);
  }
}
process.stdout.write(rows.join("\n") + "\n");
