//! The tokens the nesting scan steps over without counting levels itself: white space and
//! comments, quoted strings, regular expressions, template text, numbers, and words (keywords
//! and names, which decide what a following `/`, `{` or `:` means).
use super::*;

impl<'a> Scan<'a> {
    pub(super) fn skip_line(&mut self) {
        while self.i < self.b.len() && self.b[self.i] != b'\n' {
            self.i += 1;
        }
    }

    /// Skips white space and comments; true when a line break was among them.
    pub(super) fn trivia(&mut self, source: &str) -> bool {
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

    pub(super) fn skip_quoted(&mut self, quote: u8) {
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

    pub(super) fn skip_regex(&mut self) {
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
    pub(super) fn template_text(&mut self, at: usize) -> Result<(), (usize, String)> {
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

    pub(super) fn word(&mut self, source: &'a str, newline: bool) -> Result<(), (usize, String)> {
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

    pub(super) fn number(&mut self) {
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
