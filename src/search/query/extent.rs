//! Burns and corrosions by extent: the Index's "Burn, extent (percentage of
//! body surface), 30-39 percent, with 10-19 percent third degree burns
//! T31.31" (and "Corrosion, extent ..." T32). A coder types the percentages
//! ("35% TBSA with 15% third degree"): the code is read from the numbers,
//! the tens of each, the third degree share never above the whole.

use super::Searcher;
use crate::search::{Filters, SystemFilter};

/// Points above the best word match the code the percentages name earns.
const NAMED_EXTENT: f32 = 5.0;

/// Words after a number that make it a share of the body surface.
const PERCENT_WORDS: [&str; 5] = ["%", "percent", "pct", "tbsa", "bsa"];

/// The T31/T32 code (without the dot) the words name: a burn or corrosion
/// and a percentage of the body surface; the percentage next to "third
/// degree" ("3rd", "full thickness": the Index codes full thickness as third
/// degree) is the third degree share.
pub(super) fn extent_code(query: &str) -> Option<String> {
    let lower = query.to_ascii_lowercase();
    let tokens: Vec<String> = lower
        .replace('%', " % ")
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '%'))
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect();
    let category = if tokens.iter().any(|t| t.starts_with("corrosion")) {
        "T32"
    } else if tokens.iter().any(|t| t.starts_with("burn")) {
        "T31"
    } else {
        return None;
    };
    // Each percentage, with whether "third degree" is said next to it.
    let mut shares: Vec<(u32, bool)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let Ok(n) = t.parse::<u32>() else {
            continue;
        };
        if n > 100
            || !tokens
                .get(i + 1)
                .is_some_and(|w| PERCENT_WORDS.contains(&w.as_str()))
        {
            continue;
        }
        let near = |w: &str| matches!(w, "third" | "3rd" | "full");
        let after = tokens.iter().skip(i + 1).take(3).any(|w| near(w));
        let before = i > 0 && near(&tokens[i - 1]);
        shares.push((n, after || before));
    }
    let w = shares
        .iter()
        .position(|s| !s.1)
        .or((!shares.is_empty()).then_some(0))?;
    let whole = shares[w].0;
    let third = shares
        .iter()
        .enumerate()
        .find(|(i, s)| s.1 && *i != w)
        .map_or(0, |(_, s)| s.0);
    let tens = (whole / 10).min(9);
    if tens == 0 {
        return Some(format!("{category}0"));
    }
    Some(format!("{category}{tens}{}", (third / 10).min(tens)))
}

impl Searcher<'_> {
    /// The extent code the percentages name, above every word match.
    pub(super) fn extent_hits(&mut self, query: &str, filters: &Filters) {
        let Some(key) = extent_code(query) else {
            return;
        };
        let found = self.ix.code_prefix(&key, SystemFilter::Diagnoses);
        let Some(&e) = found.iter().find(|&&e| self.ix.keys.get(e) == key) else {
            return;
        };
        if !self.allowed(e, filters) {
            return;
        }
        let top = self
            .touched
            .iter()
            .map(|&t| self.best[t as usize])
            .fold(0.0f32, f32::max);
        self.offer(e, top + NAMED_EXTENT, u32::MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::extent_code;

    #[test]
    fn the_percentages_name_the_extent_code() {
        // Index: Burn, extent, 30-39 percent, with 10-19 percent third
        // degree burns T31.31.
        assert_eq!(
            extent_code("burns 35% TBSA with 15% third degree").as_deref(),
            Some("T3131")
        );
        // The third degree share first: 20-29 percent with 20-29 T31.22.
        assert_eq!(
            extent_code("22% third degree burns, 25% body surface").as_deref(),
            Some("T3122")
        );
        // No third degree named: "with 0-9 percent" (T31.40 "... NOS").
        assert_eq!(
            extent_code("burn involving 45 percent of body surface").as_deref(),
            Some("T3140")
        );
        // Under 10 percent: T31.0 has no fifth character.
        assert_eq!(extent_code("burn 8% TBSA").as_deref(), Some("T310"));
        // 90 percent or more, all third degree: T31.99.
        assert_eq!(
            extent_code("burns 95% TBSA, 92% full thickness").as_deref(),
            Some("T3199")
        );
        // The same share for both is no contradiction: T31.22.
        assert_eq!(
            extent_code("burns 25% TBSA, 25% third degree").as_deref(),
            Some("T3122")
        );
        // Corrosions: T32 the same way.
        assert_eq!(
            extent_code("chemical corrosion 12% BSA").as_deref(),
            Some("T3210")
        );
        // No percentage, or no burn: nothing.
        assert_eq!(extent_code("third degree burn right thigh"), None);
        assert_eq!(extent_code("45% stenosis"), None);
    }
}
