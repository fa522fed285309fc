//! Relevance fixtures (`tests/fixtures/search_relevance.tsv`) and hit@k: shared
//! by the relevance test and the search benchmark, which scores the naive
//! full-scan matchers on the same fixtures.

/// One fixture: a query and the codes a coder would accept for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    pub line: usize,
    /// The family of the term in a three-column file (morphology, pcs, ...),
    /// else empty.
    pub family: String,
    pub query: String,
    /// Accepted codes; one ending in `*` accepts every code it begins.
    pub accepted: Vec<String>,
}

impl Fixture {
    pub fn accepts(&self, code: &str) -> bool {
        let code = crate::codeset::code_key(code);
        self.accepted.iter().any(|a| match a.strip_suffix('*') {
            Some(prefix) => code.starts_with(&crate::codeset::code_key(prefix)),
            None => crate::codeset::code_key(a) == code,
        })
    }
}

/// Parses a fixture file: `query<TAB>code code ...` or
/// `family<TAB>query<TAB>code code ...`, `#` comments.
pub fn parse(text: &str) -> Result<Vec<Fixture>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let (family, query, codes) = match fields.as_slice() {
            [query, codes] => ("", *query, *codes),
            [family, query, codes] => (*family, *query, *codes),
            _ => {
                return Err(format!(
                    "line {}: expected query<TAB>codes or family<TAB>query<TAB>codes",
                    i + 1
                ));
            }
        };
        let accepted: Vec<String> = codes.split_whitespace().map(str::to_string).collect();
        if query.trim().is_empty() || accepted.is_empty() {
            return Err(format!("line {}: a query and at least one code", i + 1));
        }
        out.push(Fixture {
            line: i + 1,
            family: family.trim().to_string(),
            query: query.trim().to_string(),
            accepted,
        });
    }
    Ok(out)
}

/// hit@1 and hit@10 of a ranking function over the fixtures, and the misses
/// at 10 (query, first hits).
#[derive(Debug, Clone, Default)]
pub struct Score {
    pub total: usize,
    pub hit1: usize,
    pub hit10: usize,
    pub misses: Vec<(String, Vec<String>)>,
    pub not_first: Vec<(String, Vec<String>)>,
}

impl Score {
    pub fn at1(&self) -> f64 {
        self.hit1 as f64 / self.total.max(1) as f64
    }

    pub fn at10(&self) -> f64 {
        self.hit10 as f64 / self.total.max(1) as f64
    }
}

/// Scores `rank` (a query's hit codes, best first) against the fixtures.
pub fn evaluate(fixtures: &[Fixture], mut rank: impl FnMut(&str) -> Vec<String>) -> Score {
    let mut s = Score {
        total: fixtures.len(),
        ..Score::default()
    };
    for f in fixtures {
        let codes = rank(&f.query);
        let top: Vec<String> = codes.iter().take(10).cloned().collect();
        if codes.first().is_some_and(|c| f.accepts(c)) {
            s.hit1 += 1;
        } else {
            s.not_first
                .push((f.query.clone(), top.iter().take(3).cloned().collect()));
        }
        if top.iter().any(|c| f.accepts(c)) {
            s.hit10 += 1;
        } else {
            s.misses.push((f.query.clone(), top));
        }
    }
    s
}
