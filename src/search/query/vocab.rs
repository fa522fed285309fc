//! Looking a word up in the vocabulary: a hash table of the vocabulary's
//! ids, made once per searcher, so a lookup hashes the word and compares it
//! with one or two vocabulary words instead of a binary search's dozen or
//! so string comparisons. The ranking reads hundreds of titles' words a
//! keystroke, each word looked up.

use crate::search::StrArray;

/// The vocabulary's ids by the hash of their word (open addressing, linear
/// probing; `u32::MAX`: an empty slot), at most half full.
#[derive(Debug, Default)]
pub(super) struct WordTable {
    slots: Vec<u32>,
}

/// A word's hash: its bytes eight at a time, mixed by multiplication.
fn hash(w: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = w.len() as u64;
    let mut chunks = w.chunks_exact(8);
    for c in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

impl WordTable {
    pub(super) fn of(vocab: &StrArray) -> WordTable {
        let size = (vocab.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![u32::MAX; size];
        let mask = size - 1;
        // In id order: of two equal words the lower id is met first, as a
        // binary search of the sorted list finds it.
        for id in 0..vocab.len() {
            let mut at = hash(vocab.get(id).as_bytes()) as usize & mask;
            while slots[at] != u32::MAX {
                at = (at + 1) & mask;
            }
            slots[at] = id as u32;
        }
        WordTable { slots }
    }
}

/// The vocabulary id of `w`, if it is a vocabulary word (the first, if the
/// vocabulary has it twice).
pub(super) fn find(vocab: &StrArray, table: &WordTable, w: &str) -> Option<u32> {
    let size = table.slots.len();
    if size == 0 {
        return None;
    }
    let mask = size - 1;
    let mut at = hash(w.as_bytes()) as usize & mask;
    loop {
        let id = table.slots[at];
        if id == u32::MAX {
            return None;
        }
        if vocab.get(id as usize) == w {
            return Some(id);
        }
        at = (at + 1) & mask;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::partition;

    /// A search of the whole list, as `vocab_id` was written before.
    fn plain(v: &StrArray, w: &str) -> Option<u32> {
        let i = partition(v.len(), |i| v.get(i) < w);
        (i < v.len() && v.get(i) == w).then_some(i as u32)
    }

    #[test]
    fn a_hashed_lookup_answers_as_a_search_of_every_word() {
        let mut words: Vec<&str> =
            "a aa aaa ab abdomen abdominal b ba c c1 c10 d e ea ez f ff z zz zzz \u{e9}t\u{e9} \u{e9} \
             abcdefgh abcdefghi abcdefghijklmnopq"
                .split(' ')
                .collect();
        words.push("");
        words.sort_unstable();
        let mut v = StrArray::default();
        for w in &words {
            v.push(w);
        }
        let table = WordTable::of(&v);
        for w in words.iter().copied().chain([
            "ac",
            "abd",
            "abdomina",
            "a0",
            "b0",
            "bb",
            "c2",
            "y",
            "zzzz",
            "0",
            "\u{e9}a",
            "\u{ff}",
            "abcdefg",
            "abcdefghij",
        ]) {
            assert_eq!(find(&v, &table, w), plain(&v, w), "{w:?}");
        }
        // A word twice: the first.
        let mut twice = StrArray::default();
        for w in ["a", "b", "b", "c"] {
            twice.push(w);
        }
        assert_eq!(find(&twice, &WordTable::of(&twice), "b"), Some(1));
        // An empty vocabulary holds nothing.
        let empty = StrArray::default();
        assert_eq!(find(&empty, &WordTable::of(&empty), "ab"), None);
        assert_eq!(find(&empty, &WordTable::default(), "ab"), None);
    }
}
