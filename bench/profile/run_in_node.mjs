// CPU profile of kuzzle_browser's hot paths in Pyodide (Node, no browser, no I/O):
//   node bench/profile/run_in_node.mjs bench/profile/hot_path.py   (from the repository root)
// The source tree is mounted at /src, so it profiles the working copy, not the wheel.
import { fileURLToPath } from "node:url";
import path from "node:path";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { loadPyodide } = await import(path.join(root, "build/vendor/pyodide/pyodide.mjs"));
const py = await loadPyodide({ indexURL: path.join(root, "build/vendor/pyodide/") });
py.FS.mkdirTree("/src");
py.mountNodeFS("/src", root);
py.runPython("import sys; sys.path.insert(0, '/src')");
const code = await (await import("node:fs")).promises.readFile(process.argv[2], "utf8");
const out = await py.runPythonAsync(code);
console.log(out);
process.exit(0);
