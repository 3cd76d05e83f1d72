//! A linear pre-scan of workflow code, before oxc parses it: oxc's parser (and QuickJS's) recurse
//! once per level of nesting with no limit of their own, so `[[[[…` of a few hundred kilobytes
//! would overflow the stack and abort the process. The scan counts levels the way the parsers
//! recurse and refuses code deeper than [`MAX_NESTING`]; it errs on the side of counting too
//! much (a comparison `a < b` counts like a type argument until the statement ends).
//!
//! What counts as a level: `(`, `[`, `{`, `${`, `<`; each prefix operator of a run (`!!x`,
//! `- -x`, `typeof new x`, `...`, and the TypeScript non-null `x!`); and each right-associative
//! operator within one expression (`a ? b : c ? …`, `a = b = …`, `x => y => …`, `a ** b ** …`),
//! counted until the `,` or `;` or line break that ends the expression. Left-associative chains
//! (`a + b + …`, `a.b.c…`, `f()()…`) are not counted: the parser loops over them, and the passes
//! after it need less stack per level than the compile thread has (see `compile`).
//!
//! Whether `/` starts a regular expression or divides depends on what came before; the scan
//! follows the usual rule (after an operand it divides; after an operator, a keyword like
//! `return`, or `)` of `if (…)`/`while (…)`/`for (…)` it starts a regular expression). Where that
//! cannot be decided without a parser (a line that starts with `/` after a complete expression;
//! `/` right after `}`, after type arguments `f<T>`, or after `of`/`as`), the code is refused
//! with a hint rather than guessed: a wrong guess could hide brackets from the count.
mod lex;
mod operators;

/// The deepest that workflow code may nest, in the levels described above.
pub const MAX_NESTING: usize = 200;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Open {
    Root,
    /// `(`; `head` when it follows `if`, `while`, `for` or `with` (a `/` after `)` starts a
    /// regular expression).
    Paren {
        head: bool,
    },
    Bracket,
    /// `{`: an object literal or type (`expr`), a block, or a function or class body.
    Brace(BraceKind),
    /// `${` in a template literal.
    Subst,
    /// `<`: type arguments, or a comparison (counted all the same).
    Angle,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum BraceKind {
    Expr,
    Block,
    Body,
}

struct Level {
    open: Open,
    /// Right-associative operators in the expression at this level so far.
    chain: usize,
    /// The run of prefix operators that was open when this level was opened (`!(…)`).
    unary: usize,
    /// A `function` or `class` keyword was read: the next `{` here is its body.
    body_pending: bool,
}

/// What the last token leaves: whether a `/` now starts a regular expression.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Prev {
    /// An expression may start here: `/` begins a regular expression.
    Start,
    /// An operand ended: `/` divides.
    Operand,
    /// Either, depending on TypeScript context: a `/` here is refused.
    Ambiguous,
    /// After `.` or `?.`: a property name follows (keywords are plain names).
    Dot,
}

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
    levels: Vec<Level>,
    /// The current run of prefix operators.
    unary: usize,
    /// Levels open in all: brackets + chains + runs.
    total: usize,
    prev: Prev,
    /// A statement may start here (decides blocks from object literals, labels, declarations).
    stmt_start: bool,
    /// An identifier read at a statement start: a `:` after it ends a label.
    label_pending: bool,
    /// `case`/`default` read: its `:` starts statements.
    case_pending: bool,
    last_word: &'a str,
    word_before: &'a str,
    /// `stmt_start` as it was before an `async` keyword.
    async_stmt: bool,
}

/// One punctuation token and what surrounds it.
#[derive(Clone, Copy)]
struct Tok {
    c: u8,
    next: u8,
    next2: u8,
    at: usize,
    newline: bool,
    label: bool,
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'\\' || c == b'#' || c >= 0x80
}

pub fn check(source: &str) -> Result<(), (usize, String)> {
    let mut s = Scan {
        b: source.as_bytes(),
        i: 0,
        levels: vec![Level { open: Open::Root, chain: 0, unary: 0, body_pending: false }],
        unary: 0,
        total: 0,
        prev: Prev::Start,
        stmt_start: true,
        label_pending: false,
        case_pending: false,
        last_word: "",
        word_before: "",
        async_stmt: false,
    };
    if s.b.starts_with(b"#!") {
        s.skip_line();
    }
    s.run(source)
}

fn too_deep(at: usize) -> (usize, String) {
    (at, format!("the code nests deeper than {MAX_NESTING} levels; move inner parts into functions or variables"))
}

fn ambiguous_slash(at: usize) -> (usize, String) {
    (at, "this `/` could divide or start a regular expression; put the regular expression in parentheses, or the division on one line".into())
}

impl<'a> Scan<'a> {
    fn top(&mut self) -> &mut Level {
        self.levels.last_mut().expect("the root level is never popped")
    }

    /// Statements (and so blocks and labels) can appear at this level.
    fn statement_level(&self) -> bool {
        matches!(self.levels.last().map(|l| l.open), Some(Open::Root | Open::Brace(BraceKind::Block | BraceKind::Body)))
    }

    fn check(&self, at: usize) -> Result<(), (usize, String)> {
        if self.total > MAX_NESTING { Err(too_deep(at)) } else { Ok(()) }
    }

    fn end_run(&mut self) {
        self.total -= self.unary;
        self.unary = 0;
    }

    fn bump_unary(&mut self, at: usize) -> Result<(), (usize, String)> {
        self.unary += 1;
        self.total += 1;
        self.check(at)
    }

    fn bump_chain(&mut self, at: usize) -> Result<(), (usize, String)> {
        self.top().chain += 1;
        self.total += 1;
        self.check(at)
    }

    /// The end of an expression at this level (`,` `;` or a statement boundary).
    fn end_expression(&mut self) {
        self.end_run();
        while self.levels.len() > 1 && self.top().open == Open::Angle {
            self.pop();
        }
        self.top().body_pending = false;
        let chain = std::mem::take(&mut self.top().chain);
        self.total -= chain;
    }

    fn push(&mut self, open: Open, at: usize) -> Result<(), (usize, String)> {
        let unary = std::mem::take(&mut self.unary);
        self.levels.push(Level { open, chain: 0, unary, body_pending: false });
        self.total += 1;
        self.check(at)
    }

    fn pop(&mut self) -> Open {
        self.end_run();
        let l = self.levels.pop().expect("never the root");
        self.total -= 1 + l.chain + l.unary;
        l.open
    }

    /// Closes the nearest level that `matches`, with any levels above it; a closer that matches
    /// nothing (without crossing a brace or substitution) is ignored.
    fn close(&mut self, matches: impl Fn(Open) -> bool, crosses: impl Fn(Open) -> bool) -> Option<Open> {
        let n = self.levels.len();
        let mut k = n;
        while k > 1 {
            let open = self.levels[k - 1].open;
            if matches(open) {
                break;
            }
            if !crosses(open) {
                return None;
            }
            k -= 1;
        }
        if k <= 1 {
            return None;
        }
        while self.levels.len() > k {
            self.pop();
        }
        Some(self.pop())
    }

    /// An operand starts after a line break that follows a complete expression: automatic
    /// semicolon insertion ends the statement there (two operands cannot be adjacent).
    fn operand_start(&mut self, newline: bool) {
        if newline && matches!(self.prev, Prev::Operand | Prev::Ambiguous) {
            self.end_expression();
            self.stmt_start = true;
        }
    }

    fn operand(&mut self) {
        self.end_run();
        self.prev = Prev::Operand;
        self.stmt_start = false;
    }

    fn run(&mut self, source: &'a str) -> Result<(), (usize, String)> {
        loop {
            let newline = self.trivia(source);
            if self.i >= self.b.len() {
                return Ok(());
            }
            let at = self.i;
            let c = self.b[self.i];
            let next = self.b.get(self.i + 1).copied().unwrap_or(0);
            let next2 = self.b.get(self.i + 2).copied().unwrap_or(0);
            if is_ident_byte(c) && !c.is_ascii_digit() {
                self.word(source, newline)?;
                continue;
            }
            let label = std::mem::take(&mut self.label_pending);
            // `true`: the token keeps `last_word` (an arrow is remembered as `=>`).
            if !self.literal(Tok { c, next, next2, at, newline, label })? {
                self.last_word = "";
            }
        }
    }

    /// Strings, templates, numbers, dots and slashes.
    fn literal(&mut self, t: Tok) -> Result<bool, (usize, String)> {
        let Tok { c, next, next2, at, newline, .. } = t;
        match c {
            b'\'' | b'"' => {
                self.operand_start(newline);
                self.skip_quoted(c);
                self.operand();
            }
            b'`' => {
                self.i += 1;
                self.template_text(at)?;
            }
            b'0'..=b'9' => {
                self.operand_start(newline);
                self.number();
                self.operand();
            }
            b'.' if next.is_ascii_digit() => {
                self.operand_start(newline);
                self.number();
                self.operand();
            }
            b'.' if next == b'.' && next2 == b'.' => {
                self.i += 3;
                self.bump_unary(at)?;
                self.prev = Prev::Start;
            }
            b'.' => {
                self.i += 1;
                self.prev = Prev::Dot;
            }
            b'/' => match self.prev {
                Prev::Operand if newline => return Err(ambiguous_slash(at)),
                Prev::Ambiguous => return Err(ambiguous_slash(at)),
                Prev::Operand | Prev::Dot => {
                    self.i += 1;
                    if next == b'=' {
                        self.i += 1;
                        self.bump_chain(at)?;
                    }
                    self.prev = Prev::Start;
                }
                Prev::Start => {
                    self.skip_regex();
                    self.operand();
                }
            },
            _ => return self.bracket(t),
        }
        Ok(false)
    }

    /// Brackets, braces, parentheses and separators.
    fn bracket(&mut self, t: Tok) -> Result<bool, (usize, String)> {
        let Tok { c, at, label, .. } = t;
        match c {
            b'(' => {
                let head = matches!(self.last_word, "if" | "while" | "for" | "with") || (self.last_word == "await" && self.word_before == "for");
                self.i += 1;
                self.push(Open::Paren { head }, at)?;
                self.prev = Prev::Start;
                self.stmt_start = false;
            }
            b')' => {
                self.i += 1;
                let closed = self.close(|o| matches!(o, Open::Paren { .. }), |o| matches!(o, Open::Angle | Open::Bracket));
                if let Some(Open::Paren { head: true }) = closed {
                    self.prev = Prev::Start;
                    self.stmt_start = true;
                } else {
                    self.operand();
                }
            }
            b'[' => {
                self.i += 1;
                self.push(Open::Bracket, at)?;
                self.prev = Prev::Start;
                self.stmt_start = false;
            }
            b']' => {
                self.i += 1;
                self.close(|o| o == Open::Bracket, |o| matches!(o, Open::Angle | Open::Paren { .. }));
                self.operand();
            }
            b'{' => self.open_brace(at)?,
            b'}' => self.close_brace(at)?,
            b';' => {
                self.i += 1;
                self.end_expression();
                self.prev = Prev::Start;
                self.stmt_start = true;
            }
            b',' => {
                self.i += 1;
                self.end_expression();
                self.prev = Prev::Start;
                self.stmt_start = false;
            }
            b':' => {
                self.i += 1;
                let case = std::mem::take(&mut self.case_pending);
                self.stmt_start = (label || case) && self.statement_level();
                self.prev = Prev::Start;
            }
            _ => return self.operator(t),
        }
        Ok(false)
    }

    /// `{`: a function or class body, a block, or an object literal (an expression).
    fn open_brace(&mut self, at: usize) -> Result<(), (usize, String)> {
        self.i += 1;
        let kind = if std::mem::take(&mut self.top().body_pending) {
            BraceKind::Body
        } else if (self.stmt_start && self.statement_level()) || matches!(self.prev, Prev::Operand | Prev::Ambiguous) || self.last_word == "=>" {
            BraceKind::Block
        } else {
            BraceKind::Expr
        };
        self.push(Open::Brace(kind), at)?;
        self.prev = Prev::Start;
        self.stmt_start = kind != BraceKind::Expr;
        Ok(())
    }

    /// `}`: closes a brace or a template substitution.
    fn close_brace(&mut self, at: usize) -> Result<(), (usize, String)> {
        self.i += 1;
        match self.close(|o| matches!(o, Open::Brace(_) | Open::Subst), |o| matches!(o, Open::Angle | Open::Paren { .. } | Open::Bracket)) {
            Some(Open::Subst) => self.template_text(at)?,
            Some(Open::Brace(BraceKind::Expr)) => self.operand(),
            // After a block or a function or class body a `/` on the same line
            // divides or starts a regular expression depending on whether the
            // braces were a statement or an expression: refused, not guessed.
            _ => {
                self.end_run();
                self.prev = Prev::Ambiguous;
                self.stmt_start = true;
            }
        }
        Ok(())
    }
}
