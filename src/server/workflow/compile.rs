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

pub use super::nesting::MAX_NESTING;

/// The stack of the thread that compiles. oxc's parser, semantic analysis, transformer and code
/// generator all recurse once per level of the syntax tree. The pre-scan bounds what nests
/// through brackets and right-associative operators, but left-associative chains (`a + b + …`,
/// `a.b.c…`, `f()()…`) of up to `MAX_SOURCE_BYTES` still give trees ~100,000 levels deep, which
/// need ~50 MiB of stack in a debug build (~250 bytes per byte of source, measured). A thread of
/// its own with a large stack was chosen over `stacker::maybe_grow`: stacker can only grow the
/// stack where we call it, not inside oxc's recursion, so it would amount to the same single
/// large segment, with a C dependency more; the thread also keeps a compile, which is CPU work
/// over caller-sized input, off the async workers. The stack is reserved address space, not
/// memory: only the pages a compile touches are backed.
const COMPILE_STACK_BYTES: usize = 256 << 20;

/// Compiles at a time (each on its own thread); more wait their turn.
const CONCURRENT_COMPILES: usize = 4;
static COMPILES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_COMPILES);

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

/// Compiles `source` on a thread of its own with a large stack, waiting for it (blocking the
/// caller). Async code uses [`compile_async`].
pub fn compile(source: &str) -> Result<Compiled, Vec<CompileError>> {
    let source = source.to_owned();
    match compile_thread(source, |r| r) {
        Ok(handle) => handle.join().unwrap_or_else(|_| Err(crashed())),
        Err(e) => Err(e),
    }
}

/// [`compile`] for async callers: the compile thread is awaited, not joined, and at most
/// `CONCURRENT_COMPILES` run at once. Every path that compiles workflow code (create, save,
/// restore of an older version) goes through here.
pub async fn compile_async(source: &str) -> Result<Compiled, Vec<CompileError>> {
    // The turn goes with the thread: a caller that gives up (a dropped request) does not free
    // it while the compile still runs.
    let turn = COMPILES.acquire().await;
    let (tx, rx) = tokio::sync::oneshot::channel();
    compile_thread(source.to_owned(), move |r| {
        let _ = tx.send(r);
        drop(turn);
    })?;
    // A dropped sender means the thread panicked (an oxc bug): an error, not a crash.
    rx.await.unwrap_or_else(|_| Err(crashed()))
}

fn crashed() -> Vec<CompileError> {
    vec![CompileError { line: 1, column: 1, message: "the code could not be compiled".into() }]
}

fn compile_thread<T: Send + 'static>(
    source: String,
    done: impl FnOnce(Result<Compiled, Vec<CompileError>>) -> T + Send + 'static,
) -> Result<std::thread::JoinHandle<T>, Vec<CompileError>> {
    std::thread::Builder::new()
        .name("workflow-compile".into())
        .stack_size(COMPILE_STACK_BYTES)
        .spawn(move || done(compile_here(&source)))
        .map_err(|_| vec![CompileError { line: 1, column: 1, message: "the workflow could not be compiled right now; try again".into() }])
}

/// The compile itself; deep code overflows the stack of an ordinary thread, so this runs only on
/// a compile thread.
fn compile_here(source: &str) -> Result<Compiled, Vec<CompileError>> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(vec![CompileError { line: 1, column: 1, message: format!("the workflow is larger than {MAX_SOURCE_BYTES} bytes") }]);
    }
    super::nesting::check(source).map_err(|(offset, message)| vec![error_at(source, offset as u32, message)])?;
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
        errs.push(CompileError {
            line: 1,
            column: 1,
            message: "the workflow must have a default export: export default async function ({ offer, identity, integrations }) { … }".into(),
        });
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
    let out = Codegen::new().with_options(CodegenOptions { source_map_path: Some(PathBuf::from("workflow.ts")), ..CodegenOptions::default() }).build(&program);
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

    const EXPORT: &str = "export default async function () { return { success: true }; }\n";

    fn refused_as_too_deep(src: &str) -> CompileError {
        let errs = compile(src).expect_err("deep code must be refused");
        assert!(errs[0].message.contains(&format!("nests deeper than {MAX_NESTING} levels")), "{errs:?}");
        errs[0].clone()
    }

    #[test]
    fn a_hundred_thousand_brackets_are_refused_where_the_limit_is_crossed() {
        let src = format!("{EXPORT}const x = {}", "[".repeat(100_000));
        let e = refused_as_too_deep(&src);
        // Line 2; `=` counts one level (an assignment can chain), so the 200th `[` crosses.
        assert_eq!((e.line, e.column), (2, "const x = ".len() as u32 + 200), "{e:?}");
        let e = refused_as_too_deep(&format!("{EXPORT}\n\n   {}", "(".repeat(100_000)));
        assert_eq!((e.line, e.column), (4, 3 + 201));
    }

    #[test]
    fn every_kind_of_deep_nesting_is_refused_not_a_stack_overflow() {
        let n = 60_000;
        let deep = [
            format!("const x = {}1{};", "(".repeat(n), ")".repeat(n)),
            "{".repeat(n),
            format!("const x = {}1{};", "function () { return ".repeat(n / 20), "}".repeat(n / 20)),
            format!("const x = {}1{};", "() => { return ".repeat(n / 15), "}".repeat(n / 15)),
            format!("const x = {}a{};", "`${".repeat(n / 5), "}`".repeat(n / 5)),
            format!("const x = {}a{};", "a ? ".repeat(n / 4), " : a".repeat(n / 4)),
            format!("const x = {}a;", "a ? a : ".repeat(n / 8)),
            format!("const x = {}a;", "!".repeat(n * 3)),
            format!("const x = {}a;", "- ".repeat(n)),
            format!("const x = {}a;", "typeof ".repeat(n / 7)),
            format!("const x = {}X;", "new ".repeat(n / 4)),
            format!("let a; a = {}1;", "a = ".repeat(n / 4)),
            format!("const x = {}1;", "a => ".repeat(n / 5)),
            format!("const x = {}2;", "2 ** ".repeat(n / 5)),
            format!("type T = {}B{};", "A<".repeat(n), ">".repeat(n)),
            format!("const x = a{};", "!".repeat(n * 3)),
            format!("const x = {}a{};", "[...".repeat(n / 4), "]".repeat(n / 4)),
        ];
        for src in deep {
            assert!(src.len() <= MAX_SOURCE_BYTES, "{}", &src[..40]);
            refused_as_too_deep(&format!("{EXPORT}{src}"));
        }
    }

    #[test]
    fn legal_code_nested_150_deep_compiles() {
        let n = 150;
        for src in [
            format!("const x = {}1{};", "(".repeat(n), ")".repeat(n)),
            format!("const x = {}1{};", "[".repeat(n), "]".repeat(n)),
            format!("const x = {}1{};", "{a: ".repeat(n), "}".repeat(n)),
            // A nested arrow counts twice: its parenthesis and its `=>`.
            format!("const x = {}1{};", "(() => ".repeat(n / 2), ")".repeat(n / 2)),
            format!("const x = {}1{};", "[function () { return ".repeat(n / 2), "}]".repeat(n / 2)),
            format!("const x = {}a{};", "`${".repeat(n / 2), "}`".repeat(n / 2)),
            format!("const x = {}a;", "a ? a : ".repeat(n)),
            format!("const x = {}a;", "!".repeat(n)),
        ] {
            compile(&format!("{src}\n{EXPORT}")).unwrap_or_else(|e| panic!("{e:?} for {}", &src[..30]));
        }
    }

    #[test]
    fn long_left_associative_chains_compile_on_the_big_stack() {
        // ~90,000 levels deep once parsed: more than the stack of an ordinary thread holds for
        // oxc's semantic pass and transformer, fine on the compile thread's.
        for unit in ["a + ", "a.b", "a()", "a[0]"] {
            let n = (MAX_SOURCE_BYTES - 200) / unit.len() / 2 * 2;
            let src = format!("const a: any = 1;\nconst x = a{};\n{EXPORT}", unit.trim_start_matches('a').repeat(n).replace("+ ", "+ a"));
            compile(&src).unwrap_or_else(|e| panic!("{unit}: {e:?}"));
        }
    }

    #[test]
    fn strings_comments_and_regular_expressions_do_not_count() {
        let parens = "(".repeat(300);
        let src = format!(
            "const s = '{parens}' + \"{parens}\" + `{parens}`;\n// {parens}\n/* {parens} */\nconst r = /[{parens}]/g;\nif (s) /[{parens}]/.test(s);\n{EXPORT}"
        );
        compile(&src).unwrap_or_else(|e| panic!("{e:?}"));
    }

    #[test]
    fn code_written_without_semicolons_is_not_counted_as_one_expression() {
        let mut src = String::from("export default async function ({ offer }: any) {\n  let a: number, b\n");
        for i in 0..500 {
            src.push_str(&format!("  a = offer.id ? {i} : -{i}\n  b = a > 1 && a < 2\n  const v{i} = (x: number) => x\n"));
        }
        src.push_str("  return { success: true }\n}\n");
        compile(&src).unwrap_or_else(|e| panic!("{e:?}"));
        let chain =
            format!("function f(a: number) {{\n  if (a === 0) {{ return 0 }}\n{}  return 1\n}}\n{EXPORT}", "  else if (a === 1) { return 1 }\n".repeat(400));
        compile(&chain).unwrap_or_else(|e| panic!("{e:?}"));
    }

    #[test]
    fn a_regular_expression_cannot_hide_closing_brackets_from_the_count() {
        // Each `if (a) /…/` is a regular expression whose `}` would close levels of a naive scan.
        let gadget = format!("{}if (a) /{}/.test(s);", "{".repeat(150), "}".repeat(150));
        refused_as_too_deep(&format!("const a = 1, s = '';\n{gadget}{gadget}\n{EXPORT}"));
        // Where a `/` could be either, the code is refused rather than guessed.
        for src in
            ["let x: string[]\n/]]]/.test('')", "function f() {} /)))/", "x = a\n  / b", "for (const c of /a/g.exec('a') || []) {}", "const n = f<number> / 2"]
        {
            let errs = compile(&format!("{EXPORT}{src}\n")).expect_err(src);
            assert!(errs[0].message.contains("regular expression in parentheses"), "{src}: {errs:?}");
        }
        compile(&format!("{EXPORT}const a = 4, b = 2;\nconst c = a / b / (a) / [b][0];\nif (a) /x/.test('x');\n")).unwrap();
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
