//! Looking a word up in the vocabulary. The vocabulary is sorted, so the
//! words sharing their first two bytes are one run of it: a lookup searches
//! that run instead of the whole list (the same answer, a third of the
//! string comparisons). The ranking reads hundreds of titles' words a
//! keystroke, each word looked up.

use super::partition;
use crate::search::StrArray;

/// For each two-byte prefix `k` (first byte × 256 + second), how many
/// vocabulary words sort below it; entry 65,536 is every word.
#[derive(Debug, Default)]
pub(super) struct PrefixStarts(Vec<u32>);

/// Where a word sorts among the two-byte prefixes: its first two bytes as a
/// number; a one-byte word `b` sorts below every `b x` and above every
/// `(b - 1) x`, so it counts as `b × 256 - 1`; the empty word below all.
fn position(w: &[u8]) -> i64 {
    match w {
        [] => -1,
        [a] => (i64::from(*a) << 8) - 1,
        [a, b, ..] => (i64::from(*a) << 8) | i64::from(*b),
    }
}

impl PrefixStarts {
    pub(super) fn of(vocab: &StrArray) -> PrefixStarts {
        // counts[p + 1]: the words at position p (-1..=65,535).
        let mut starts = vec![0u32; 65_537];
        for i in 0..vocab.len() {
            let p = position(vocab.get(i).as_bytes()) + 1;
            if let Some(c) = usize::try_from(p).ok().and_then(|p| starts.get_mut(p)) {
                *c += 1;
            }
        }
        // Running sums: starts[k] = the words at a position below k.
        let mut sum = 0u32;
        for s in &mut starts {
            sum += *s;
            *s = sum;
        }
        PrefixStarts(starts)
    }

    /// The run of the vocabulary that holds `w` if it holds it.
    fn run(&self, w: &str, len: usize) -> (usize, usize) {
        let b = w.as_bytes();
        if b.len() < 2 || self.0.len() != 65_537 {
            return (0, len);
        }
        let k = (usize::from(b[0]) << 8) | usize::from(b[1]);
        let lo = self.0[k] as usize;
        let hi = self.0.get(k + 1).map_or(len, |&h| h as usize);
        (lo.min(len), hi.min(len))
    }
}

/// The vocabulary id of `w`, if it is a vocabulary word.
pub(super) fn find(vocab: &StrArray, starts: &PrefixStarts, w: &str) -> Option<u32> {
    let (lo, hi) = starts.run(w, vocab.len());
    let i = lo + partition(hi - lo, |i| vocab.get(lo + i) < w);
    (i < hi && vocab.get(i) == w).then_some(i as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A search of the whole list, as `vocab_id` was written before.
    fn plain(v: &StrArray, w: &str) -> Option<u32> {
        let i = partition(v.len(), |i| v.get(i) < w);
        (i < v.len() && v.get(i) == w).then_some(i as u32)
    }

    #[test]
    fn a_lookup_in_its_prefix_run_answers_as_a_search_of_every_word() {
        let mut words: Vec<&str> =
            "a aa aaa ab abdomen abdominal b ba c c1 c10 d e ea ez f ff z zz zzz \u{e9}t\u{e9} \u{e9}"
                .split(' ')
                .collect();
        words.push("");
        words.sort_unstable();
        let mut v = StrArray::default();
        for w in &words {
            v.push(w);
        }
        let starts = PrefixStarts::of(&v);
        for w in words.iter().copied().chain([
            "ac", "abd", "abdomina", "a0", "b0", "bb", "c2", "y", "zzzz", "0", "\u{e9}a", "\u{ff}",
        ]) {
            assert_eq!(find(&v, &starts, w), plain(&v, w), "{w:?}");
        }
        // An empty vocabulary holds nothing.
        let empty = StrArray::default();
        assert_eq!(find(&empty, &PrefixStarts::of(&empty), "ab"), None);
    }
}
