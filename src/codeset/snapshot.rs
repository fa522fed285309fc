//! The parsed code sets as bytes and back: what the code-set cache keeps on
//! disk so that a start reads them in milliseconds instead of parsing the
//! tabular, PCS and MCE files again.
//!
//! Only the encoding lives here (no files, no fingerprints: the cache that
//! owns the file checks those). Decoding trusts nothing: every count is
//! bounded by the bytes left, every index a lookup follows is checked, and a
//! parent always comes before its children, so bytes that passed the cache's
//! checksum by accident still cannot make a lookup panic or loop.

use super::pcs::{Axis, AxisValue, Pcs, PcsDefinition, PcsDefinitions, PcsTable};
use super::risk::{CcExclusions, CcMcc, DrgSeverityExclusion, HccMap};
use super::{
    Edition, EditionSet, IcdCm, IcdPcs, MceEntry, NodeKind, Note, NoteKind, Parsed,
    SeventhCharacter, TabularNode, ValidPeriod,
};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// Bytes that are not a snapshot this code wrote (cut short, damaged, or
/// inconsistent): the caller parses the official files instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Damaged;

/// The code sets as bytes: a table of section lengths, then the sections,
/// which decode side by side (the MCE masters are as big as the rest).
pub fn encode(parsed: &Parsed) -> Vec<u8> {
    let sections: [Vec<u8>; SECTIONS] = [
        bytes_of(|out| put_cm(&parsed.cm, out)),
        bytes_of(|out| parsed.cm.mce.put(out)),
        bytes_of(|out| put_pcs(&parsed.pcs, out)),
        bytes_of(|out| parsed.pcs.mce.put(out)),
        bytes_of(|out| put_risk(&parsed.cc_mcc, &parsed.hcc, out)),
    ];
    let mut out = Vec::with_capacity(sections.iter().map(Vec::len).sum::<usize>() + 64);
    for s in &sections {
        s.len().put(&mut out);
    }
    for s in &sections {
        out.extend_from_slice(s);
    }
    out
}

/// An MCE master: code without dot -> its rows.
type Masters = HashMap<String, MceEntry>;

/// ICD-10-CM, its MCE master, ICD-10-PCS, its MCE master, CC/MCC and HCC.
const SECTIONS: usize = 5;

fn bytes_of(put: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    put(&mut out);
    out
}

/// Decodes one section whole: every byte of it read, nothing past it.
fn whole<T>(
    bytes: &[u8],
    get: impl FnOnce(&mut Reader<'_>) -> Result<T, Damaged>,
) -> Result<T, Damaged> {
    let mut r = Reader { bytes, at: 0 };
    let value = get(&mut r)?;
    if r.at != bytes.len() {
        return Err(Damaged);
    }
    Ok(value)
}

/// A section decoded on its own thread (a thread that died: damage).
fn joined<T>(h: std::thread::Result<Result<T, Damaged>>) -> Result<T, Damaged> {
    h.unwrap_or(Err(Damaged))
}

/// The code sets from bytes [`encode`] wrote, the sections side by side.
pub fn decode(bytes: &[u8]) -> Result<Parsed, Damaged> {
    let mut r = Reader { bytes, at: 0 };
    let mut parts: Vec<&[u8]> = Vec::with_capacity(SECTIONS);
    let lens = (0..SECTIONS)
        .map(|_| usize::get(&mut r))
        .collect::<Result<Vec<usize>, Damaged>>()?;
    for len in lens {
        parts.push(r.take(len)?);
    }
    if r.at != bytes.len() {
        return Err(Damaged);
    }
    let [cm, cm_mce, pcs, pcs_mce, risk] = parts.as_slice() else {
        return Err(Damaged);
    };
    let (cm, cm_mce, pcs, pcs_mce, risk) = std::thread::scope(|s| {
        let cm = s.spawn(|| whole(cm, get_cm));
        let cm_mce = s.spawn(|| whole(cm_mce, <Masters as Wire>::get));
        let pcs_mce = s.spawn(|| whole(pcs_mce, <Masters as Wire>::get));
        let pcs = whole(pcs, get_pcs);
        let risk = whole(risk, get_risk);
        (
            joined(cm.join()),
            joined(cm_mce.join()),
            pcs,
            joined(pcs_mce.join()),
            risk,
        )
    });
    let (mut cm, mut pcs, (cc_mcc, hcc)) = (cm?, pcs?, risk?);
    cm.mce = cm_mce?;
    pcs.mce = pcs_mce?;
    Ok(Parsed {
        cm,
        pcs,
        cc_mcc,
        hcc,
    })
}

/// A value that goes to and comes from the snapshot bytes.
trait Wire: Sized {
    fn put(&self, out: &mut Vec<u8>);
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged>;
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Damaged> {
        let end = self.at.checked_add(n).ok_or(Damaged)?;
        let s = self.bytes.get(self.at..end).ok_or(Damaged)?;
        self.at = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Damaged> {
        let mut w = [0u8; N];
        w.copy_from_slice(self.take(N)?);
        Ok(w)
    }

    /// A count of items, each at least one byte: never more than the bytes
    /// left, so a damaged count cannot ask for a huge allocation.
    fn count(&mut self) -> Result<usize, Damaged> {
        let n = u32::get(self)? as usize;
        if n > self.bytes.len() - self.at {
            return Err(Damaged);
        }
        Ok(n)
    }
}

fn put_count(n: usize, out: &mut Vec<u8>) {
    // No table of the code sets comes near 4 billion items.
    (n as u32).put(out);
}

macro_rules! wire_int {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn put(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
                r.array().map(<$t>::from_le_bytes)
            }
        }
    )*};
}
wire_int!(u8, u16, u32, i32);

impl Wire for usize {
    fn put(&self, out: &mut Vec<u8>) {
        (*self as u64).put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
        usize::try_from(u64::get(r)?).map_err(|_| Damaged)
    }
}
wire_int!(u64);

impl Wire for bool {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
        match u8::get(r)? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Damaged),
        }
    }
}

impl Wire for char {
    fn put(&self, out: &mut Vec<u8>) {
        u32::from(*self).put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
        char::from_u32(u32::get(r)?).ok_or(Damaged)
    }
}

impl Wire for String {
    fn put(&self, out: &mut Vec<u8>) {
        put_count(self.len(), out);
        out.extend_from_slice(self.as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
        let n = r.count()?;
        let s = std::str::from_utf8(r.take(n)?).map_err(|_| Damaged)?;
        Ok(s.to_string())
    }
}

impl Wire for NaiveDate {
    fn put(&self, out: &mut Vec<u8>) {
        chrono::Datelike::num_days_from_ce(self).put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
        NaiveDate::from_num_days_from_ce_opt(i32::get(r)?).ok_or(Damaged)
    }
}

impl<T: Wire> Wire for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        self.is_some().put(out);
        if let Some(v) = self {
            v.put(out);
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
        Ok(match bool::get(r)? {
            true => Some(T::get(r)?),
            false => None,
        })
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        put_count(self.len(), out);
        for v in self {
            v.put(out);
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
        let n = r.count()?;
        (0..n).map(|_| T::get(r)).collect()
    }
}

impl<A: Wire, B: Wire> Wire for (A, B) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
        Ok((A::get(r)?, B::get(r)?))
    }
}

impl<A: Wire, B: Wire, C: Wire> Wire for (A, B, C) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
        self.2.put(out);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
        Ok((A::get(r)?, B::get(r)?, C::get(r)?))
    }
}

/// A map's entries in key order, so one set of code sets always gives the
/// same bytes.
impl<K: Wire + Eq + Hash + Ord, V: Wire> Wire for HashMap<K, V> {
    fn put(&self, out: &mut Vec<u8>) {
        let mut entries: Vec<(&K, &V)> = self.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        put_count(entries.len(), out);
        for (k, v) in entries {
            k.put(out);
            v.put(out);
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
        let n = r.count()?;
        let mut map = HashMap::with_capacity(n);
        for _ in 0..n {
            let k = K::get(r)?;
            if map.insert(k, V::get(r)?).is_some() {
                return Err(Damaged);
            }
        }
        Ok(map)
    }
}

impl<T: Wire + Eq + Hash + Ord> Wire for HashSet<T> {
    fn put(&self, out: &mut Vec<u8>) {
        let mut items: Vec<&T> = self.iter().collect();
        items.sort_unstable();
        put_count(items.len(), out);
        for v in items {
            v.put(out);
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
        let n = r.count()?;
        let mut set = HashSet::with_capacity(n);
        for _ in 0..n {
            if !set.insert(T::get(r)?) {
                return Err(Damaged);
            }
        }
        Ok(set)
    }
}

/// A struct as its fields in order.
macro_rules! wire_struct {
    ($t:ident { $($f:ident),* $(,)? }) => {
        impl Wire for $t {
            fn put(&self, out: &mut Vec<u8>) {
                $(self.$f.put(out);)*
            }
            fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
                Ok($t { $($f: Wire::get(r)?),* })
            }
        }
    };
}

/// A field-less enum as the index of its variant.
macro_rules! wire_enum {
    ($t:ident [ $($v:ident),* $(,)? ]) => {
        impl Wire for $t {
            fn put(&self, out: &mut Vec<u8>) {
                const ALL: &[$t] = &[$($t::$v),*];
                let i = ALL.iter().position(|v| v == self).unwrap_or(0);
                out.push(i as u8);
            }
            fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
                const ALL: &[$t] = &[$($t::$v),*];
                ALL.get(usize::from(u8::get(r)?)).copied().ok_or(Damaged)
            }
        }
    };
}

wire_enum!(NodeKind[Chapter, Section, Code]);
wire_enum!(NoteKind[
    Includes,
    InclusionTerm,
    Excludes1,
    Excludes2,
    CodeFirst,
    UseAdditionalCode,
    CodeAlso,
    Note,
    SeventhCharacter,
]);
wire_struct!(Note { kind, text, group });
wire_struct!(SeventhCharacter { character, meaning });
wire_struct!(TabularNode {
    kind,
    code,
    title,
    parent,
    children,
    notes,
    seventh,
    placeholder,
    line,
});
wire_struct!(ValidPeriod { start, end });
wire_struct!(MceEntry {
    periods,
    dated_flags,
    flags,
});
wire_struct!(AxisValue { character, label });
wire_struct!(Axis {
    title,
    values,
    definition,
});
wire_struct!(PcsTable { head, rows, line });
wire_struct!(PcsDefinition {
    definition,
    explanation,
    includes,
});
wire_struct!(DrgSeverityExclusion {
    mdc,
    first_drg,
    last_drg,
    title,
    codes,
});
wire_struct!(CcExclusions {
    collection_of,
    collections,
    alive_only,
    in_drgs,
});
wire_struct!(CcMcc {
    cc,
    mcc,
    exclusions,
});
wire_struct!(HccMap { map, labels });

impl Wire for Edition {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(self.row() as u8);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
        Edition::at(usize::from(u8::get(r)?)).ok_or(Damaged)
    }
}

impl Wire for EditionSet {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(self.bits());
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, Damaged> {
        Ok(EditionSet::from_bits(u8::get(r)?))
    }
}

fn put_cm(cm: &IcdCm, out: &mut Vec<u8>) {
    cm.nodes.put(out);
    cm.editions.put(out);
    cm.present.put(out);
    cm.revised.put(out);
    cm.deleted.put(out);
    cm.added.put(out);
}

fn get_cm(r: &mut Reader<'_>) -> Result<IcdCm, Damaged> {
    let nodes: Vec<TabularNode> = Wire::get(r)?;
    // Parents come before their children (the tabular in document order, the
    // later editions' additions after it): a walk up or down the tree always ends.
    for (i, n) in nodes.iter().enumerate() {
        let parent_ok = n.parent.is_none_or(|p| p < i);
        if !parent_ok || n.children.iter().any(|&c| c <= i || c >= nodes.len()) {
            return Err(Damaged);
        }
    }
    let editions = Wire::get(r)?;
    let present: HashMap<usize, EditionSet> = Wire::get(r)?;
    let revised: HashMap<usize, Vec<(Edition, String)>> = Wire::get(r)?;
    if present
        .keys()
        .chain(revised.keys())
        .any(|&n| n >= nodes.len())
    {
        return Err(Damaged);
    }
    let deleted = Wire::get(r)?;
    let added = Wire::get(r)?;
    // The MCE master comes from its own section.
    let mut cm = IcdCm::from_nodes(nodes, HashMap::new());
    cm.editions = editions;
    cm.present = present;
    cm.revised = revised;
    cm.deleted = deleted;
    cm.added = added;
    Ok(cm)
}

fn put_pcs(pcs: &IcdPcs, out: &mut Vec<u8>) {
    pcs.tables.tables.put(out);
    pcs.definitions.terms.put(out);
    pcs.definitions.definitions.put(out);
}

fn get_pcs(r: &mut Reader<'_>) -> Result<IcdPcs, Damaged> {
    let tables: Vec<PcsTable> = Wire::get(r)?;
    // What the tables parser guarantees and a lookup relies on: characters
    // 1-3 one value each, rows of characters 4-7.
    let shaped = |t: &PcsTable| {
        t.head.len() == 3
            && t.head.iter().all(|a| a.values.len() == 1)
            && t.rows.iter().all(|row| row.len() == 4)
    };
    if !tables.iter().all(shaped) {
        return Err(Damaged);
    }
    let terms: HashMap<(char, u8, String), usize> = Wire::get(r)?;
    let definitions: Vec<PcsDefinition> = Wire::get(r)?;
    if terms.values().any(|&i| i >= definitions.len()) {
        return Err(Damaged);
    }
    Ok(IcdPcs {
        tables: Pcs::new(tables),
        // The MCE master comes from its own section.
        mce: HashMap::new(),
        definitions: PcsDefinitions { terms, definitions },
    })
}

fn put_risk(cc_mcc: &CcMcc, hcc: &HccMap, out: &mut Vec<u8>) {
    cc_mcc.put(out);
    hcc.put(out);
}

fn get_risk(r: &mut Reader<'_>) -> Result<(CcMcc, HccMap), Damaged> {
    Ok((Wire::get(r)?, Wire::get(r)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_as_they_went() {
        let mut out = Vec::new();
        let map: HashMap<String, Vec<Option<u16>>> =
            [("b".to_string(), vec![Some(3), None]), ("a".into(), vec![])].into();
        map.put(&mut out);
        ('é', true, NaiveDate::from_ymd_opt(2026, 10, 1)).put(&mut out);
        let mut r = Reader { bytes: &out, at: 0 };
        assert_eq!(
            <HashMap<String, Vec<Option<u16>>> as Wire>::get(&mut r),
            Ok(map)
        );
        assert_eq!(
            <(char, bool, Option<NaiveDate>)>::get(&mut r),
            Ok(('é', true, NaiveDate::from_ymd_opt(2026, 10, 1)))
        );
        assert_eq!(r.at, out.len());
    }

    #[test]
    fn a_cut_or_lying_count_is_damage_not_a_huge_allocation() {
        let mut out = Vec::new();
        vec!["x".to_string(); 3].put(&mut out);
        for cut in 0..out.len() {
            let mut r = Reader {
                bytes: &out[..cut],
                at: 0,
            };
            assert_eq!(Vec::<String>::get(&mut r), Err(Damaged), "cut at {cut}");
        }
        let mut lying = out.clone();
        lying[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut r = Reader {
            bytes: &lying,
            at: 0,
        };
        assert_eq!(Vec::<String>::get(&mut r), Err(Damaged));
    }

    #[test]
    fn a_tree_that_would_loop_is_damage() {
        let node = |code: &str, parent: Option<usize>, children: Vec<usize>| TabularNode {
            kind: NodeKind::Code,
            code: code.into(),
            title: code.into(),
            parent,
            children,
            notes: Vec::new(),
            seventh: Vec::new(),
            placeholder: false,
            line: 1,
        };
        let parsed = |nodes: Vec<TabularNode>| Parsed {
            cm: IcdCm::from_nodes(nodes, HashMap::new()),
            pcs: IcdPcs {
                tables: Pcs::new(Vec::new()),
                mce: HashMap::new(),
                definitions: PcsDefinitions::default(),
            },
            cc_mcc: CcMcc::default(),
            hcc: HccMap::default(),
        };
        let good = parsed(vec![
            node("A00", None, vec![1]),
            node("A00.0", Some(0), vec![]),
        ]);
        let bytes = encode(&good);
        assert_eq!(encode(&decode(&bytes).unwrap()), bytes);
        for nodes in [
            vec![node("A00", Some(1), vec![]), node("A00.0", Some(0), vec![])],
            vec![node("A00", None, vec![0])],
            vec![node("A00", None, vec![7])],
        ] {
            assert_eq!(decode(&encode(&parsed(nodes))).err(), Some(Damaged));
        }
    }
}
