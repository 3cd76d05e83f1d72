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

    fn skip_line(&mut self) {
        while self.i < self.b.len() && self.b[self.i] != b'\n' {
            self.i += 1;
        }
    }

    /// Skips white space and comments; true when a line break was among them.
    fn trivia(&mut self, source: &str) -> bool {
        let mut newline = false;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            match c {
                b'\n' | b'\r' => {
                    newline = true;
                    self.i += 1;
                }
                b' ' | b'\t' | 0x0b | 0x0c => self.i += 1,
                b'/' if self.b.get(self.i + 1) == Some(&b'/') => self.skip_line(),
                b'/' if self.b.get(self.i + 1) == Some(&b'*') => {
                    let end = source.get(self.i + 2..).and_then(|s| s.find("*/")).map_or(self.b.len(), |e| self.i + 2 + e + 2);
                    newline |= self.b[self.i..end].iter().any(|&c| c == b'\n' || c == b'\r');
                    self.i = end;
                }
                c if c >= 0x80 => {
                    let ch = source.get(self.i..).and_then(|s| s.chars().next()).unwrap_or('a');
                    if ch == '\u{2028}' || ch == '\u{2029}' {
                        newline = true;
                    } else if !(ch.is_whitespace() || ch == '\u{feff}') {
                        break;
                    }
                    self.i += ch.len_utf8();
                }
                _ => break,
            }
        }
        newline
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

    fn skip_quoted(&mut self, quote: u8) {
        self.i += 1;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' => self.i += 2,
                b'\n' => return,
                c if c == quote => {
                    self.i += 1;
                    return;
                }
                _ => self.i += 1,
            }
        }
    }

    fn skip_regex(&mut self) {
        self.i += 1;
        let mut class = false;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' => self.i += 2,
                b'\n' | b'\r' => return,
                b'[' => {
                    class = true;
                    self.i += 1;
                }
                b']' => {
                    class = false;
                    self.i += 1;
                }
                b'/' if !class => {
                    self.i += 1;
                    while self.i < self.b.len() && is_ident_byte(self.b[self.i]) {
                        self.i += 1;
                    }
                    return;
                }
                _ => self.i += 1,
            }
        }
    }

    /// Template text up to its end (an operand) or to `${` (a new level).
    fn template_text(&mut self, at: usize) -> Result<(), (usize, String)> {
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' => self.i += 2,
                b'`' => {
                    self.i += 1;
                    self.operand();
                    return Ok(());
                }
                b'$' if self.b.get(self.i + 1) == Some(&b'{') => {
                    self.i += 2;
                    self.push(Open::Subst, at)?;
                    self.prev = Prev::Start;
                    self.stmt_start = false;
                    return Ok(());
                }
                _ => self.i += 1,
            }
        }
        Ok(())
    }

    fn word(&mut self, source: &'a str, newline: bool) -> Result<(), (usize, String)> {
        let at = self.i;
        while self.i < self.b.len() && is_ident_byte(self.b[self.i]) {
            if self.b[self.i] >= 0x80 {
                let ch = source.get(self.i..).and_then(|s| s.chars().next()).unwrap_or('a');
                if ch.is_whitespace() || ch == '\u{feff}' || ch == '\u{2028}' || ch == '\u{2029}' {
                    break;
                }
                self.i += ch.len_utf8();
            } else {
                self.i += 1;
            }
        }
        if self.i == at {
            self.i += source.get(at..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
        }
        let w = source.get(at..self.i).unwrap_or("");
        let (before, was_stmt) = (self.prev, self.stmt_start);
        if before == Prev::Dot {
            // A property name (`a.if`, `x?.new`), not a keyword.
            self.last_word = "";
            self.operand();
            return Ok(());
        }
        self.word_before = std::mem::replace(&mut self.last_word, w);
        match w {
            // Operators that continue an expression across a line break.
            "in" | "instanceof" | "extends" | "implements" => {
                self.prev = Prev::Start;
                self.stmt_start = false;
            }
            // Contextual: operators, or plain names (`as / 2`).
            "of" | "as" | "satisfies" => {
                self.prev = Prev::Ambiguous;
                self.stmt_start = false;
            }
            "typeof" | "void" | "delete" | "await" | "new" | "yield" => {
                self.operand_start(newline);
                self.bump_unary(at)?;
                self.prev = Prev::Start;
                self.stmt_start = false;
            }
            // Statement keywords: an expression at this level cannot go on through them.
            "const" | "let" | "var" | "return" | "throw" | "break" | "continue" | "debugger" | "export" | "if" | "for" | "while" | "with" | "switch"
            | "catch" | "else" | "do" | "try" | "finally" | "case" | "default" => {
                self.end_expression();
                self.prev = if matches!(w, "break" | "continue" | "debugger") { Prev::Operand } else { Prev::Start };
                self.stmt_start = matches!(w, "else" | "do" | "try" | "finally");
                self.case_pending = w == "case" || (w == "default" && self.word_before != "export");
            }
            "function" | "class" => {
                self.operand_start(newline);
                self.top().body_pending = true;
                self.prev = Prev::Start;
                self.stmt_start = false;
            }
            _ => {
                self.operand_start(newline);
                let stmt = self.stmt_start;
                if w == "async" {
                    self.async_stmt = stmt;
                }
                self.operand();
                self.label_pending = stmt || (w == "async" && was_stmt);
                if matches!(w, "this" | "super" | "null" | "true" | "false") {
                    self.label_pending = false;
                }
                return Ok(());
            }
        }
        self.label_pending = false;
        Ok(())
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
            b'{' => {
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
            }
            b'}' => {
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
            }
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

    /// `?`, `=`, `!`, `~`, `+` and `-` in their forms.
    fn operator(&mut self, t: Tok) -> Result<bool, (usize, String)> {
        let Tok { c, next, next2, at, .. } = t;
        match c {
            b'?' => {
                if next == b'.' && !next2.is_ascii_digit() {
                    self.i += 2;
                    self.prev = Prev::Dot;
                } else if next == b'?' {
                    self.i += if next2 == b'=' { 3 } else { 2 };
                    if next2 == b'=' {
                        self.bump_chain(at)?;
                    }
                    self.prev = Prev::Start;
                } else {
                    self.i += 1;
                    // `x?: T`, `(x?) =>`: TypeScript's optional marker, not a conditional.
                    let j = self.b[self.i..].iter().position(|c| !c.is_ascii_whitespace()).map(|p| self.i + p);
                    let optional = j.is_some_and(|j| matches!(self.b[j], b':' | b')' | b',' | b'=' | b';' | b']' | b'}' | b'>'));
                    if !optional {
                        self.bump_chain(at)?;
                    }
                    self.prev = Prev::Start;
                }
                self.stmt_start = false;
            }
            b'=' if next == b'>' => {
                self.i += 2;
                self.last_word = "=>";
                self.bump_chain(at)?;
                self.prev = Prev::Start;
                self.stmt_start = false;
                return Ok(true);
            }
            b'=' => {
                if next == b'=' {
                    self.i += if next2 == b'=' { 3 } else { 2 };
                } else {
                    self.i += 1;
                    self.bump_chain(at)?;
                }
                self.prev = Prev::Start;
            }
            b'!' => {
                if next == b'=' {
                    self.i += if next2 == b'=' { 3 } else { 2 };
                    self.prev = Prev::Start;
                } else {
                    // Prefix `!x`, or TypeScript's postfix `x!` (which keeps the operand).
                    self.i += 1;
                    self.bump_unary(at)?;
                    if self.prev != Prev::Operand {
                        self.prev = Prev::Start;
                    }
                }
            }
            b'~' => {
                self.i += 1;
                self.bump_unary(at)?;
                self.prev = Prev::Start;
            }
            b'+' | b'-' => {
                let binary = matches!(self.prev, Prev::Operand | Prev::Ambiguous);
                if next == c {
                    // `++`/`--`: postfix after an operand (it stays one), prefix otherwise.
                    self.i += 2;
                    if !binary {
                        self.bump_unary(at)?;
                        self.prev = Prev::Start;
                    }
                } else if next == b'=' {
                    self.i += 2;
                    self.bump_chain(at)?;
                    self.prev = Prev::Start;
                } else {
                    self.i += 1;
                    if !binary {
                        self.bump_unary(at)?;
                    }
                    self.prev = Prev::Start;
                }
            }
            _ => return self.more_operator(t),
        }
        Ok(false)
    }

    /// The remaining operators, and anything else.
    fn more_operator(&mut self, t: Tok) -> Result<bool, (usize, String)> {
        let Tok { c, next, next2, at, .. } = t;
        match c {
            b'*' => {
                if next == b'*' {
                    self.i += if next2 == b'=' { 3 } else { 2 };
                    self.bump_chain(at)?;
                } else if next == b'=' {
                    self.i += 2;
                    self.bump_chain(at)?;
                } else {
                    self.i += 1;
                }
                self.prev = Prev::Start;
            }
            b'<' => {
                if next == b'<' {
                    self.i += if next2 == b'=' { 3 } else { 2 };
                    if next2 == b'=' {
                        self.bump_chain(at)?;
                    }
                } else if next == b'=' {
                    self.i += 2;
                } else {
                    self.i += 1;
                    self.push(Open::Angle, at)?;
                }
                self.prev = Prev::Start;
            }
            b'>' => {
                let mut n = 1;
                while self.b.get(self.i + n) == Some(&b'>') && n < 3 {
                    n += 1;
                }
                let assign = self.b.get(self.i + n) == Some(&b'=');
                self.i += n + usize::from(assign);
                let mut closed = false;
                for _ in 0..n {
                    if self.levels.len() > 1 && self.top().open == Open::Angle {
                        self.pop();
                        closed = true;
                    }
                }
                if assign && n > 1 {
                    self.bump_chain(at)?;
                }
                self.prev = if closed && !assign { Prev::Ambiguous } else { Prev::Start };
            }
            b'&' | b'|' | b'^' | b'%' => {
                let doubled = next == c && c != b'^' && c != b'%';
                let len = 1 + usize::from(doubled);
                let assign = self.b.get(self.i + len) == Some(&b'=');
                self.i += len + usize::from(assign);
                if assign {
                    self.bump_chain(at)?;
                }
                self.prev = Prev::Start;
            }
            _ => {
                // `@` decorators and anything else: an expression may follow.
                self.i += 1;
                self.prev = Prev::Start;
            }
        }
        Ok(false)
    }
    fn number(&mut self) {
        let start = self.i;
        let radix = self.b[start] == b'0' && matches!(self.b.get(start + 1), Some(b'x' | b'X' | b'b' | b'B' | b'o' | b'O'));
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' {
                self.i += 1;
                if !radix && (c == b'e' || c == b'E') && matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                    self.i += 1;
                }
            } else {
                break;
            }
        }
    }
}
