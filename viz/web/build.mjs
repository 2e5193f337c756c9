// Build script for the RingLens web page: bundles src/ into dist/ with
// esbuild. The output is deterministic (no timestamps, no content hashes),
// so check-bundle.sh can compare a fresh build with the committed dist/.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist", { recursive: true });

const common = {
  bundle: true,
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  logLevel: "warning",
};

await build({
  ...common,
  entryPoints: ["src/main.js"],
  outfile: "dist/app.js",
  format: "iife",
  target: ["es2020"],
  define: { "process.env.NODE_ENV": '"production"' },
});

await build({
  ...common,
  entryPoints: ["src/app.css"],
  outfile: "dist/app.css",
});

copyFileSync("src/index.html", "dist/index.html");
