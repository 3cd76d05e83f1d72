//! TypeScript or JavaScript in, JavaScript out: types are stripped with oxc at save time and a
//! source map is kept, so that syntax errors and runtime errors point at the code as typed.
use oxc::allocator::Allocator;
use oxc::ast::ast::Statement;
use oxc::codegen::{Codegen, CodegenOptions};
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::span::SourceType;
use oxc::transformer::{TransformOptions, Transformer};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compiled {
    pub js: String,
    /// JSON source map from `js` back to the source as typed.
    pub source_map: String,
}

/// One problem in the code as typed; line and column are 1-based.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompileError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

pub const MAX_SOURCE_BYTES: usize = 200_000;

fn line_col(source: &str, offset: u32) -> (u32, u32) {
    let offset = (offset as usize).min(source.len());
    let before = &source[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) as u32 + 1;
    (line, col)
}

fn error_at(source: &str, offset: u32, message: impl Into<String>) -> CompileError {
    let (line, column) = line_col(source, offset);
    CompileError { line, column, message: message.into() }
}

pub fn compile(source: &str) -> Result<Compiled, Vec<CompileError>> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(vec![CompileError { line: 1, column: 1, message: format!("the workflow is larger than {MAX_SOURCE_BYTES} bytes") }]);
    }
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::ts().with_module(true)).parse();
    if parsed.diagnostics.has_errors() || parsed.panicked {
        let mut errs: Vec<CompileError> = parsed
            .diagnostics
            .errors()
            .map(|d| {
                let offset = d.labels.first().map(|l| l.offset()).unwrap_or(0);
                error_at(source, offset, d.message.to_string())
            })
            .collect();
        if errs.is_empty() {
            errs.push(CompileError { line: 1, column: 1, message: "the code could not be parsed".into() });
        }
        return Err(errs);
    }
    let mut program = parsed.program;
    // No modules: a workflow has no I/O but the integrations it is handed.
    let mut errs = Vec::new();
    let mut has_default = false;
    for stmt in &program.body {
        match stmt {
            Statement::ImportDeclaration(d) => errs.push(error_at(source, d.span.start, "imports are not available in workflows")),
            Statement::ExportDefaultDeclaration(_) => has_default = true,
            _ => {}
        }
    }
    if !has_default {
        errs.push(CompileError { line: 1, column: 1, message: "the workflow must have a default export: export default async function ({ offer, identity, integrations }) { … }".into() });
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let semantic = SemanticBuilder::new().build(&program);
    let scoping = semantic.semantic.into_scoping();
    let transformed = Transformer::new(&allocator, Path::new("workflow.ts"), &TransformOptions::default()).build_with_scoping(scoping, &mut program);
    if transformed.diagnostics.has_errors() {
        return Err(transformed
            .diagnostics
            .errors()
            .map(|d| error_at(source, d.labels.first().map(|l| l.offset()).unwrap_or(0), d.message.to_string()))
            .collect());
    }
    let out = Codegen::new()
        .with_options(CodegenOptions { source_map_path: Some(PathBuf::from("workflow.ts")), ..CodegenOptions::default() })
        .build(&program);
    Ok(Compiled { js: out.code, source_map: out.map.map(|m| m.to_json_string()).unwrap_or_default() })
}

/// Maps a 1-based line/column of the generated JavaScript back to the code as typed.
pub fn original_position(compiled: &Compiled, line: u32, column: u32) -> Option<(u32, u32)> {
    let map = oxc_sourcemap::SourceMap::from_json_string(&compiled.source_map).ok()?;
    let table = map.generate_lookup_table();
    let token = map.lookup_token(&table, line.checked_sub(1)?, column.saturating_sub(1))?;
    Some((token.get_src_line() + 1, token.get_src_col() + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_types_and_keeps_the_default_export() {
        let src = "type Offer = { id: string };\ninterface X { a: number }\nexport default async function ({ offer }: { offer: Offer }): Promise<object> {\n  const n: number = 1;\n  return { success: true, id: offer.id, n };\n}\n";
        let c = compile(src).unwrap();
        assert!(c.js.contains("export default async function"), "{}", c.js);
        assert!(!c.js.contains("interface") && !c.js.contains(": number"), "{}", c.js);
        assert!(!c.source_map.is_empty());
    }

    #[test]
    fn syntax_errors_point_at_the_line_as_typed() {
        let src = "// a comment\n\nexport default async function () {\n  const x: number = ;\n  return { success: true };\n}\n";
        let errs = compile(src).unwrap_err();
        assert_eq!(errs[0].line, 4, "{errs:?}");
        assert!(errs[0].column > 1);
    }

    #[test]
    fn imports_and_missing_default_are_refused() {
        let errs = compile("import fs from 'fs';\nexport default async function () { return {success:true}; }\n").unwrap_err();
        assert_eq!(errs[0].line, 1);
        assert!(errs[0].message.contains("imports"));
        let errs = compile("async function main() { return {}; }\n").unwrap_err();
        assert!(errs[0].message.contains("default export"));
    }

    #[test]
    fn maps_generated_positions_back() {
        let src = "type T = {\n  a: string;\n  b: number;\n};\n\nexport default async function () {\n  throw new Error('boom');\n}\n";
        let c = compile(src).unwrap();
        let gen_line = c.js.lines().position(|l| l.contains("throw")).unwrap() as u32 + 1;
        let col = c.js.lines().nth(gen_line as usize - 1).unwrap().find("throw").unwrap() as u32 + 1;
        assert_eq!(original_position(&c, gen_line, col).map(|p| p.0), Some(7));
    }
}

#[cfg(test)]
mod probe {
    #[test]
    #[ignore]
    fn probe_depth() {
        let kind = std::env::var("PK").unwrap();
        let n: usize = std::env::var("PN").unwrap().parse().unwrap();
        let mb: usize = std::env::var("PS").unwrap().parse().unwrap();
        let body = match kind.as_str() {
            "bracket" => "[".repeat(n),
            "bracketok" => format!("const x = {}1{};", "[".repeat(n), "]".repeat(n)),
            "paren" => format!("const x = {}1{};", "(".repeat(n), ")".repeat(n)),
            "not" => format!("const x = {}a;", "!".repeat(n)),
            "neg" => format!("const x = {}a;", "- ".repeat(n)),
            "cond" => format!("const x = {}a{};", "a?".repeat(n), ":a".repeat(n)),
            "alt" => format!("const x = {}a;", "a?a:".repeat(n)),
            "assign" => format!("let a; a = {}1;", "a=".repeat(n)),
            "arrow" => format!("const x = {}1;", "a=>".repeat(n)),
            "binary" => format!("const x = {}a;", "a+".repeat(n)),
            "member" => format!("const x = a{};", ".a".repeat(n)),
            "call" => format!("const x = a{};", "()".repeat(n)),
            "exp" => format!("const x = {}2;", "2**".repeat(n)),
            "generic" => format!("type T = {}B{};", "A<".repeat(n), ">".repeat(n)),
            "union" => format!("type T = {}B;", "A|".repeat(n)),
            "newx" => format!("const x = {}X;", "new ".repeat(n)),
            "typeof" => format!("const x = {}a;", "typeof ".repeat(n)),
            "await" => format!("async function f() {{ return {}a; }}", "await ".repeat(n)),
            "if" => format!("function f(){{ {}a; }}", "if(a)".repeat(n)),
            "elseif" => format!("function f(){{ if(a){{}} {} }}", "else if(a){}".repeat(n)),
            "label" => format!("function f(){{ {}a; }}", "a:".repeat(n)),
            "template" => format!("const x = {}a{};", "`${".repeat(n), "}`".repeat(n)),
            "func" => format!("const x = {}1{};", "function(){return ".repeat(n), "}".repeat(n)),
            "keyof" => format!("type T = {}A;", "keyof ".repeat(n)),
            "condtype" => format!("type T = {}A;", "A extends B ? A : ".repeat(n)),
            "nullish" => format!("const x = {}a;", "a??".repeat(n)),
            "logical" => format!("const x = {}a;", "a&&".repeat(n)),
            "comma" => format!("const x = ({}a);", "a,".repeat(n)),
            "class" => format!("const x = {}Object;", "class extends ".repeat(n)),
            "spread" => format!("const x = {}a{};", "[...".repeat(n), "]".repeat(n)),
            "optcall" => format!("const x = a{};", "?.()".repeat(n)),
            "index" => format!("const x = a{};", "[0]".repeat(n)),
            "asexpr" => format!("const x = a{};", " as any".repeat(n)),
            "nonnull" => format!("const x = a{};", "!".repeat(n)),
            "while" => format!("function f(){{ {}a; }}", "while(a)".repeat(n)),
            "arrowblock" => format!("const x = {}1{};", "()=>{return ".repeat(n), "}".repeat(n)),
            "decor" => format!("{}class A {{}}", "@a ".repeat(n)),
            k => panic!("{k}"),
        };
        let src = format!("{body}\nexport default async function () {{ return {{ success: true }}; }}\n");
        eprintln!("len {}", src.len());
        let r = std::thread::Builder::new().stack_size(mb << 20).spawn(move || super::compile(&src).map(|_| ()).map_err(|e| e[0].message.clone())).unwrap().join().unwrap();
        eprintln!("RESULT {kind} {n}: {r:?}");
    }
}
