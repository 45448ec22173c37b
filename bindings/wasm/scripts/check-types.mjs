// Fails when a public type of the package is `any`: `node scripts/check-types.mjs pkg`.
//
// Two checks, with the TypeScript compiler: no `any` keyword in the public declaration files
// (pkg/*.d.ts), and no exported function parameter, return value, property or alias of
// pkg/index.d.ts that resolves to `any` (an unresolved import would, silently). The raw
// wasm-bindgen glue in pkg/web and pkg/node is not public: package.json exports only ".".
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const dir = process.argv[2] ?? "pkg";
const ownDir = dir.replace(/\/+$/, "").split("/").pop();
const problems = [];

const files = readdirSync(dir)
  .filter((f) => f.endsWith(".d.ts"))
  .map((f) => join(dir, f));

for (const file of files) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      problems.push(`${file}:${line + 1}: \`any\` in ${node.parent.getText().slice(0, 80)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

const program = ts.createProgram([join(dir, "index.d.ts")], {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  types: [],
});
for (const d of ts.getPreEmitDiagnostics(program)) {
  problems.push(`tsc: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}
const checker = program.getTypeChecker();
const index = program.getSourceFile(join(dir, "index.d.ts"));
const seen = new Set();

function checkType(type, where, depth) {
  if (type.flags & ts.TypeFlags.Any) {
    problems.push(`${where} is any`);
    return;
  }
  if (depth > 8 || seen.has(type)) return;
  seen.add(type);
  // Only the package's own declarations are walked into; the standard library (Array, Promise,
  // Response) is TypeScript's business.
  const decls = (type.aliasSymbol ?? type.getSymbol())?.getDeclarations() ?? [];
  if (decls.length && decls.every((d) => !d.getSourceFile().fileName.includes(`/${ownDir}/`))) return;
  if (type.isUnionOrIntersection()) {
    for (const t of type.types) checkType(t, where, depth + 1);
    return;
  }
  for (const sig of type.getCallSignatures()) {
    for (const p of sig.getParameters()) {
      checkType(checker.getTypeOfSymbol(p), `${where}(${p.getName()})`, depth + 1);
    }
    checkType(sig.getReturnType(), `${where}() return`, depth + 1);
  }
  if (type.flags & ts.TypeFlags.Object) {
    for (const prop of type.getProperties()) {
      checkType(checker.getTypeOfSymbol(prop), `${where}.${prop.getName()}`, depth + 1);
    }
    const str = type.getStringIndexType();
    if (str) checkType(str, `${where}[string]`, depth + 1);
    const args = checker.getTypeArguments?.(type) ?? [];
    for (const a of args) checkType(a, `${where}<>`, depth + 1);
  }
}

const moduleSymbol = index && checker.getSymbolAtLocation(index);
if (!moduleSymbol) problems.push(`${dir}/index.d.ts is not a module`);
let exported = 0;
for (const sym of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
  const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
  exported++;
  if (target.flags & (ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Interface)) {
    checkType(checker.getDeclaredTypeOfSymbol(target), sym.getName(), 0);
  } else {
    checkType(checker.getTypeOfSymbol(target), sym.getName(), 0);
  }
}

if (problems.length) {
  console.error(`${problems.length} public type problem(s):\n${problems.slice(0, 50).join("\n")}`);
  process.exit(1);
}
console.log(`no \`any\` in ${files.length} declaration files; ${exported} exports checked`);
