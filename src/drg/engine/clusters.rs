//! Procedure clusters (step 2): the clusters the claim's procedures can
//! satisfy, tried in claim order; each satisfied one becomes a pseudo-code
//! and suppresses its components in the MDCs it names.

use super::prepare::Px;
use super::row_for;
use crate::drg::tables::{ClusterRow, CodeKey, Tables};

/// `(a, b, c)` as one integer that sorts like the tuple (`b` and `c` below
/// 2^32: claim positions and mention numbers).
fn pack3(a: u64, b: usize, c: usize) -> u128 {
    (u128::from(a) << 64) | ((b as u128 & 0xFFFF_FFFF) << 32) | (c as u128 & 0xFFFF_FFFF)
}

fn unpack3(v: u128) -> (u64, usize, usize) {
    (
        (v >> 64) as u64,
        ((v >> 32) & 0xFFFF_FFFF) as usize,
        (v & 0xFFFF_FFFF) as usize,
    )
}

/// Candidate clusters, each with the claim's procedures (in claim order)
/// whose code the cluster map lists for it: no other code can be in one
/// of its choices.
/// One flat list of (name, procedure, mention number), sorted: each
/// cluster's candidates are then one run of it, in claim order; the
/// clusters are tried in the order the claim first names them. (Packed
/// into integers, which sort several times faster than tuples.)
/// Returns the mentions and the runs, (first mention, start, end) of each
/// name's run, in the order to try them.
fn candidate_runs(t: &Tables, version: u32, px: &[Px<'_>]) -> (Vec<u128>, Vec<u128>) {
    let mut mentions: Vec<u128> = Vec::with_capacity(64);
    for (i, p) in px.iter().enumerate() {
        if let Some(rows) = p.key.and_then(|k| t.cluster_map.get(&k)) {
            for (s, e, list) in rows {
                if (*s..=*e).contains(&version) {
                    for name in list {
                        mentions.push(pack3(*name, i, mentions.len()));
                    }
                }
            }
        }
    }
    mentions.sort_unstable();
    mentions.dedup_by_key(|m| *m >> 32);
    // (first mention, start, end) of each name's run.
    let mut runs: Vec<u128> = Vec::with_capacity(mentions.len());
    let mut start = 0;
    while start < mentions.len() {
        let name = mentions[start] >> 64;
        let end = start + mentions[start..].partition_point(|m| *m >> 64 == name);
        let first = mentions[start..end]
            .iter()
            .map(|&m| unpack3(m).2)
            .min()
            .unwrap_or(0);
        runs.push(pack3(first as u64, start, end));
        start = end;
    }
    runs.sort_unstable();
    (mentions, runs)
}

/// The codes of the candidates (procedure indices into `px`) that tick a
/// choice of `row`, when every choice is ticked; `None` when the cluster is
/// not satisfied.
fn satisfy(
    row: &ClusterRow,
    px: &[Px<'_>],
    candidates: impl Iterator<Item = usize>,
) -> Option<Vec<CodeKey>> {
    // Choices ticked, one bit each (a cluster row has at most 64).
    let all: u64 = u64::MAX >> (64 - row.choices.len().min(64));
    let mut ticked: u64 = 0;
    let mut seen: Vec<CodeKey> = Vec::new();
    for pi in candidates {
        let Some(k) = px[pi].key else { continue };
        let mut hit = false;
        for (c, codes) in row.choices.iter().enumerate().take(64) {
            if codes.binary_search(&k).is_ok() {
                ticked |= 1 << c;
                hit = true;
            }
        }
        if hit && !seen.contains(&k) {
            seen.push(k);
        }
        if ticked == all {
            return Some(seen);
        }
    }
    None
}

/// Adds a pseudo-code to `px` (the claim's procedures) for each satisfied
/// cluster, and marks its components suppressed in the cluster's MDCs.
pub(super) fn add_clusters<'t>(t: &'t Tables, version: u32, px: &mut Vec<Px<'t>>) {
    let (mentions, runs) = candidate_runs(t, version, px);
    let claim_px = px.len();
    for &run in &runs {
        let (_, start, end) = unpack3(run);
        let name = unpack3(mentions[start]).0;
        let candidates = mentions[start..end].iter().map(|&m| unpack3(m).1);
        let Some(row) = t
            .clusters
            .get(&name)
            .and_then(|rows| rows.iter().find(|r| (r.start..=r.end).contains(&version)))
        else {
            continue;
        };
        if row.choices.is_empty() {
            continue;
        }
        let Some(seen) = satisfy(row, px, candidates) else {
            continue;
        };
        let mut components = Vec::new();
        for (i, p) in px[..claim_px].iter_mut().enumerate() {
            if p.key.is_some_and(|k| seen.contains(&k)) {
                p.suppression |= row.suppression;
                components.push(i);
            }
        }
        let pseudo = row_for(t.px.get(&name), version, |r| (r.start, r.end));
        px.push(Px {
            key: Some(name),
            recognized: pseudo.is_some(),
            is_or: pseudo.is_some_and(|r| r.is_or),
            attrs: pseudo.map_or(&[][..], |r| t.list_of(r.attrs)),
            suppression: 0,
            index: None,
            components,
        });
    }
}
