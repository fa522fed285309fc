//! The DRG and HAC formulas: parsed once from their text into a tree, then
//! evaluated against a claim's atom set.
//!
//! Syntax (grouper README section 3): `&` (and) binds tighter than `|` (or),
//! both left-associative; `~` (not) applies to the next atom or parenthesised
//! group; an atom is any run of characters other than whitespace, `(`, `)`,
//! `&`, `|` and `~`, optionally prefixed `PDX:`, `SDX:`, `ANY:` or `ONLY:`.
//!
//! `expr := term ('|' term)*`, `term := factor ('&' factor)*`,
//! `factor := ATOM | '(' expr ')' | '~' factor`.

/// An atom as a formula names it, before it is resolved to an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtomText<'a> {
    /// `PDX`, `SDX`, `ANY`, `ONLY`, or empty for a bare atom.
    pub prefix: &'a str,
    pub name: &'a str,
}

/// A parsed formula: a tree over atoms of type `A`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr<A> {
    Atom(A),
    Not(Box<Expr<A>>),
    And(Vec<Expr<A>>),
    Or(Vec<Expr<A>>),
}

/// Why a formula's text does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormulaError {
    #[error("the formula is empty")]
    Empty,
    #[error("unexpected {found} at character {at} (expected {expected})")]
    Unexpected {
        found: String,
        at: usize,
        expected: &'static str,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Open,
    Close,
    And,
    Or,
    Not,
    Atom(&'a str),
}

fn tokens(text: &str) -> Vec<(usize, Token<'_>)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let t = match bytes[i] {
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'(' => Token::Open,
            b')' => Token::Close,
            b'&' => Token::And,
            b'|' => Token::Or,
            b'~' => Token::Not,
            _ => {
                let start = i;
                while i < bytes.len()
                    && !bytes[i].is_ascii_whitespace()
                    && !matches!(bytes[i], b'(' | b')' | b'&' | b'|' | b'~')
                {
                    i += 1;
                }
                out.push((start, Token::Atom(&text[start..i])));
                continue;
            }
        };
        out.push((i, t));
        i += 1;
    }
    out
}

struct Parser<'a, 'r, A, F: FnMut(AtomText<'a>) -> A> {
    tokens: Vec<(usize, Token<'a>)>,
    at: usize,
    len: usize,
    resolve: &'r mut F,
}

impl<'a, A, F: FnMut(AtomText<'a>) -> A> Parser<'a, '_, A, F> {
    fn peek(&self) -> Option<Token<'a>> {
        self.tokens.get(self.at).map(|(_, t)| *t)
    }

    fn unexpected(&self, expected: &'static str) -> FormulaError {
        match self.tokens.get(self.at) {
            Some((at, t)) => FormulaError::Unexpected {
                found: match t {
                    Token::Open => "'('".into(),
                    Token::Close => "')'".into(),
                    Token::And => "'&'".into(),
                    Token::Or => "'|'".into(),
                    Token::Not => "'~'".into(),
                    Token::Atom(a) => format!("{a:?}"),
                },
                at: at + 1,
                expected,
            },
            None => FormulaError::Unexpected {
                found: "the end".into(),
                at: self.len + 1,
                expected,
            },
        }
    }

    fn expr(&mut self) -> Result<Expr<A>, FormulaError> {
        let mut terms = vec![self.term()?];
        while self.peek() == Some(Token::Or) {
            self.at += 1;
            terms.push(self.term()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::Or(terms)
        })
    }

    fn term(&mut self) -> Result<Expr<A>, FormulaError> {
        let mut factors = vec![self.factor()?];
        while self.peek() == Some(Token::And) {
            self.at += 1;
            factors.push(self.factor()?);
        }
        Ok(if factors.len() == 1 {
            factors.remove(0)
        } else {
            Expr::And(factors)
        })
    }

    fn factor(&mut self) -> Result<Expr<A>, FormulaError> {
        match self.peek() {
            Some(Token::Atom(text)) => {
                self.at += 1;
                let (prefix, name) = text.split_once(':').unwrap_or(("", text));
                Ok(Expr::Atom((self.resolve)(AtomText { prefix, name })))
            }
            Some(Token::Not) => {
                self.at += 1;
                Ok(Expr::Not(Box::new(self.factor()?)))
            }
            Some(Token::Open) => {
                self.at += 1;
                let inner = self.expr()?;
                if self.peek() != Some(Token::Close) {
                    return Err(self.unexpected("')'"));
                }
                self.at += 1;
                Ok(inner)
            }
            _ => Err(self.unexpected("an atom, '(' or '~'")),
        }
    }
}

/// Parses a formula, turning each atom into an `A` with `resolve`.
pub fn parse<'a, A>(
    text: &'a str,
    mut resolve: impl FnMut(AtomText<'a>) -> A,
) -> Result<Expr<A>, FormulaError> {
    let tokens = tokens(text);
    if tokens.is_empty() {
        return Err(FormulaError::Empty);
    }
    let mut p = Parser {
        tokens,
        at: 0,
        len: text.len(),
        resolve: &mut resolve,
    };
    let e = p.expr()?;
    if p.at != p.tokens.len() {
        return Err(p.unexpected("'&', '|' or the end"));
    }
    Ok(e)
}

impl<A> Expr<A> {
    /// The truth of the formula, with `atom` deciding each atom.
    pub fn eval(&self, atom: &impl Fn(&A) -> bool) -> bool {
        match self {
            Expr::Atom(a) => atom(a),
            Expr::Not(e) => !e.eval(atom),
            Expr::And(es) => es.iter().all(|e| e.eval(atom)),
            Expr::Or(es) => es.iter().any(|e| e.eval(atom)),
        }
    }

    /// The atoms that make a true formula true: every atom of a true `&`, the
    /// true branches of a `|`, nothing under a `~` (grouper README section 7).
    pub fn true_atoms<'s>(&'s self, atom: &impl Fn(&A) -> bool, out: &mut Vec<&'s A>) {
        match self {
            Expr::Atom(a) => {
                if atom(a) {
                    out.push(a);
                }
            }
            Expr::Not(_) => {}
            Expr::And(es) | Expr::Or(es) => {
                for e in es {
                    if e.eval(atom) {
                        e.true_atoms(atom, out);
                    }
                }
            }
        }
    }

    /// Every atom of the formula, in text order.
    pub fn atoms<'s>(&'s self, out: &mut Vec<&'s A>) {
        match self {
            Expr::Atom(a) => out.push(a),
            Expr::Not(e) => e.atoms(out),
            Expr::And(es) | Expr::Or(es) => es.iter().for_each(|e| e.atoms(out)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Expr<String> {
        parse(text, |a| {
            if a.prefix.is_empty() {
                a.name.to_string()
            } else {
                format!("{}:{}", a.prefix, a.name)
            }
        })
        .unwrap()
    }

    fn a(s: &str) -> Expr<String> {
        Expr::Atom(s.to_string())
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_tightest() {
        // The README's own example: a | b & ~c = a | (b & (~c)).
        assert_eq!(
            p("a | b & ~c"),
            Expr::Or(vec![
                a("a"),
                Expr::And(vec![a("b"), Expr::Not(Box::new(a("c")))])
            ])
        );
        assert_eq!(
            p("~(a | b) & PDX:x"),
            Expr::And(vec![
                Expr::Not(Box::new(Expr::Or(vec![a("a"), a("b")]))),
                a("PDX:x")
            ])
        );
    }

    #[test]
    fn atoms_need_no_spaces_around_operators() {
        assert_eq!(
            p("(a&b)|Z@0217"),
            Expr::Or(vec![Expr::And(vec![a("a"), a("b")]), a("Z@0217")])
        );
    }

    #[test]
    fn broken_formulas_are_errors_with_the_place() {
        let r = |t: &str| parse(t, |_| ()).unwrap_err().to_string();
        assert_eq!(parse("  ", |_| ()).unwrap_err(), FormulaError::Empty);
        assert!(r("(a & b").contains("the end"), "{}", r("(a & b"));
        assert!(r("a & | b").contains("character 5"), "{}", r("a & | b"));
        assert!(r("a b").contains("\"b\""), "{}", r("a b"));
    }

    #[test]
    fn evaluation_and_the_atoms_that_made_it_true() {
        let e = p("(x | y) & ~z & w");
        let truth = |s: &&str| -> bool { matches!(*s, "x" | "w") };
        let truth = |s: &String| truth(&s.as_str());
        assert!(e.eval(&truth));
        let mut out = Vec::new();
        e.true_atoms(&truth, &mut out);
        assert_eq!(out, vec!["x", "w"]);
    }
}
