//! The operators the nesting scan counts: right-associative chains (`?:`, assignments, `=>`,
//! `**`) and runs of prefix operators; the rest only say whether an operand may follow.
use super::*;

impl<'a> Scan<'a> {
    /// `?`, `=`, `!`, `~`, `+` and `-` in their forms.
    pub(super) fn operator(&mut self, t: Tok) -> Result<bool, (usize, String)> {
        let Tok { c, next, next2, at, .. } = t;
        match c {
            b'?' => self.question(t)?,
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
            b'+' | b'-' => self.plus_minus(t)?,
            _ => return self.more_operator(t),
        }
        Ok(false)
    }

    /// `?.`, `??`, `??=`, the conditional `?` (counted) and TypeScript's optional `x?`.
    fn question(&mut self, t: Tok) -> Result<(), (usize, String)> {
        let Tok { next, next2, at, .. } = t;
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
        Ok(())
    }

    /// `+`/`-` binary or prefix (counted), `++`/`--`, and the assignments `+=`/`-=` (counted).
    fn plus_minus(&mut self, t: Tok) -> Result<(), (usize, String)> {
        let Tok { c, next, at, .. } = t;
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
        Ok(())
    }

    /// The remaining operators, and anything else.
    pub(super) fn more_operator(&mut self, t: Tok) -> Result<bool, (usize, String)> {
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
}
