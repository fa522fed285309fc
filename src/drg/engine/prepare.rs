//! Preparing a claim for the passes (steps 1-6): the principal and secondary
//! diagnoses and the procedures looked up, the satisfied clusters added, the
//! atom set and its synthesised atoms, and the orders the marking reads.

use super::atoms::{Atoms, ON_PDX, ON_SDX, ONLY, PRESENT, SDX_ATTR};
use super::clusters::add_clusters;
use super::{DIED, row_for, valid_discharge_status};
use crate::drg::tables::{AttrId, CodeKey, DxRow, Synth, Tables, code_key};
use crate::drg::{Claim, Level, Rules, Sex};

/// Transfers that send a newborn or neonate to DRG 789 (atom XFRNBA).
fn newborn_transfer(s: u32) -> bool {
    matches!(s, 2 | 5 | 66 | 82 | 85 | 94)
}

/// One secondary diagnosis after look-up.
pub(super) struct Sdx<'t> {
    pub(super) key: Option<CodeKey>,
    pub(super) valid: bool,
    pub(super) severity: Level,
    pub(super) attrs: &'t [AttrId],
    pub(super) dx_cat: &'t [AttrId],
    pub(super) hac: &'t [AttrId],
    pub(super) excluded: bool,
    pub(super) death_excluded: bool,
    /// (HAC number, operand) for each HAC operand of the code.
    pub(super) candidates: Vec<(u8, AttrId)>,
}

/// One procedure (or satisfied cluster pseudo-code) after look-up.
pub(super) struct Px<'t> {
    pub(super) key: Option<CodeKey>,
    pub(super) recognized: bool,
    pub(super) is_or: bool,
    pub(super) attrs: &'t [AttrId],
    /// Bit m: suppressed in MDC m (a component of a satisfied cluster).
    pub(super) suppression: u32,
    /// The claim index of the procedure; `None` for a cluster pseudo-code.
    pub(super) index: Option<usize>,
    /// For a pseudo-code: the claim indices of its components.
    pub(super) components: Vec<usize>,
}

pub(super) struct Prepared<'t> {
    pub(super) t: &'t Tables,
    pub(super) version: u32,
    pub(super) pdx_valid: bool,
    pub(super) pdx_mdc: u8,
    pub(super) pdx_attrs: Vec<AttrId>,
    pub(super) sdx: Vec<Sdx<'t>>,
    pub(super) px: Vec<Px<'t>>,
    pub(super) atoms: Atoms,
    /// The secondary diagnoses in the grouper's marking order: level, then
    /// code, then claim position (README section 7).
    pub(super) sdx_order: Vec<usize>,
    /// The claim's procedures (not pseudo-codes) by code, then position.
    pub(super) px_by_code: Vec<usize>,
}

/// The HAC number of an operand name: `HAC05` -> 5, `hac06_show` -> 6,
/// `hac11_13_common` -> 11; `None` for other names.
fn hac_number(name: &str) -> Option<u8> {
    let rest = name
        .strip_prefix("HAC")
        .or_else(|| name.strip_prefix("hac"))?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    rest.get(..digits)?
        .parse()
        .ok()
        .filter(|n| (1..=99).contains(n))
}

/// A sort key that orders like `(major, key, index)` (`None` keys first,
/// `index` below 2^16: a claim position).
fn order_key(major: u8, key: Option<CodeKey>, index: usize) -> u128 {
    (u128::from(major) << 96)
        | (u128::from(key.is_some()) << 88)
        | (u128::from(key.unwrap_or(0)) << 16)
        | (index as u128 & 0xFFFF)
}

fn order_index(v: u128) -> usize {
    (v & 0xFFFF) as usize
}

/// The principal diagnosis after look-up (step 6).
struct Pdx {
    row: Option<DxRow>,
    /// The MDC, by the patient's sex where the code's MDC depends on it.
    mdc: u8,
    /// Its three attribute lists, one after the other.
    attrs: Vec<AttrId>,
    /// The MDC depends on the sex and the sex is unknown.
    invalid_sex: bool,
}

fn principal(t: &Tables, claim: &Claim, version: u32) -> Pdx {
    let row = code_key(&claim.pdx.code)
        .and_then(|k| row_for(t.dx.get(&k), version, |r| (r.start, r.end)));
    let mut attrs = Vec::with_capacity(32);
    let mut mdc = 0;
    let mut invalid_sex = false;
    if let Some(r) = row {
        mdc = r.mdc;
        if r.male_mdc.is_some() || r.female_mdc.is_some() {
            match claim.sex {
                Sex::Male => mdc = r.male_mdc.unwrap_or(r.mdc),
                Sex::Female => mdc = r.female_mdc.unwrap_or(r.mdc),
                Sex::Unknown => invalid_sex = true,
            }
        }
        for l in [r.attrs, r.dx_cat, r.hac] {
            attrs.extend_from_slice(t.list_of(l));
        }
    }
    Pdx {
        row,
        mdc,
        attrs,
        invalid_sex,
    }
}

/// The secondary diagnoses looked up (steps 3 and 5): their lists, the PDX's
/// CC exclusions, MCCs that count only if alive, and HAC candidates.
fn secondaries<'t>(
    t: &'t Tables,
    rules: Rules,
    claim: &Claim,
    version: u32,
    pdx_row: Option<DxRow>,
) -> Vec<Sdx<'t>> {
    let exclusions = pdx_row
        .and_then(|r| r.exclusion_group)
        .and_then(|g| t.exclusions.get(&g));
    let died = claim.discharge_status == DIED;
    // A closure, not a function: it stays inlined in the loop.
    let dx_row = |code: &str| {
        code_key(code).and_then(|k| row_for(t.dx.get(&k), version, |r| (r.start, r.end)))
    };
    claim
        .sdx
        .iter()
        .map(|d| {
            let key = code_key(&d.code);
            let row = dx_row(&d.code);
            let (attrs, dx_cat, hac) = row.map_or((&[][..], &[][..], &[][..]), |r| {
                (t.list_of(r.attrs), t.list_of(r.dx_cat), t.list_of(r.hac))
            });
            let candidates = hac
                .iter()
                .filter_map(|&a| {
                    let name = t.name(a);
                    if rules.pdx_only_hac_operands_skip_sdx && name.ends_with("_pdx") {
                        return None;
                    }
                    hac_number(name).map(|n| (n, a))
                })
                .collect();
            Sdx {
                key,
                valid: row.is_some(),
                severity: row.map_or(Level::None, |r| r.severity),
                attrs,
                dx_cat,
                hac,
                excluded: key
                    .is_some_and(|k| exclusions.is_some_and(|e| e.binary_search(&k).is_ok())),
                death_excluded: died && t.known.mccalive.is_some_and(|m| attrs.contains(&m)),
                candidates,
            }
        })
        .collect()
}

/// The claim's procedures looked up (step 1), in claim order.
fn procedures<'t>(t: &'t Tables, claim: &Claim, version: u32) -> Vec<Px<'t>> {
    claim
        .procedures
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let key = code_key(code);
            let row = key.and_then(|k| row_for(t.px.get(&k), version, |r| (r.start, r.end)));
            Px {
                key,
                recognized: row.is_some(),
                is_or: row.is_some_and(|r| r.is_or),
                attrs: row.map_or(&[][..], |r| t.list_of(r.attrs)),
                suppression: 0,
                index: Some(i),
                components: Vec::new(),
            }
        })
        .collect()
}

/// The atom set (section 4) of the codes: every attribute of the PDX, of the
/// valid secondary diagnoses and of the procedures and pseudo-codes.
fn atom_set(atoms: &mut Atoms, pdx_attrs: &[AttrId], sdx: &[Sdx<'_>], px: &[Px<'_>]) {
    for &a in pdx_attrs {
        atoms.add(a, 0);
        atoms.set(a, ON_PDX, true);
    }
    let mut valid_sdx: u8 = 0;
    for s in sdx.iter().filter(|s| s.valid) {
        valid_sdx = valid_sdx.saturating_add(1);
        for &a in s.attrs.iter().chain(s.dx_cat).chain(s.hac) {
            atoms.add(a, 0);
            atoms.set(a, ON_SDX, true);
            atoms.count_sdx(a, valid_sdx);
        }
        for &a in s.attrs {
            atoms.set(a, SDX_ATTR, true);
        }
    }
    for p in px {
        for &a in p.attrs {
            atoms.add(a, p.suppression);
        }
    }
    for &a in pdx_attrs {
        let all = atoms.sdx_count(a) == usize::from(valid_sdx);
        atoms.set(a, ONLY, all);
    }
}

/// The synthesised atoms (section 4), over the claim's atom set: discharge
/// status, PDX checks, and the counts of sites, vessels, stents and fusions.
/// `claim_px` procedures of `px` are the claim's (the rest pseudo-codes).
fn synthetic(
    t: &Tables,
    rules: Rules,
    claim: &Claim,
    atoms: &Atoms,
    px: &[Px<'_>],
    claim_px: usize,
    pdx: &Pdx,
) -> [bool; 32] {
    let k = &t.known;
    let has = |a: AttrId| atoms.has(a, PRESENT);
    let dx_has = |a: AttrId| atoms.has(a, ON_PDX) || atoms.has(a, SDX_ATTR);
    let hits = |a: Option<AttrId>| -> u32 {
        a.map_or(0, |a| {
            px[..claim_px]
                .iter()
                .filter(|p| p.attrs.contains(&a))
                .count() as u32
        })
    };
    let sites = k.st_sites.iter().filter(|&&a| dx_has(a)).count();
    let bilateral = k.bilateral_sites.iter().filter(|&&a| has(a)).count();
    let vessels: u32 = px
        .iter()
        .map(|p| {
            k.vessels
                .iter()
                .filter(|(a, _)| p.attrs.contains(a))
                .map(|(_, n)| n)
                .sum::<u32>()
        })
        .sum();
    let stents: u32 = px[..claim_px]
        .iter()
        .filter(|p| k.drug_stent.iter().any(|a| p.attrs.contains(a)))
        .map(|p| {
            k.stents
                .iter()
                .filter(|(a, _)| p.attrs.contains(a))
                .map(|(_, n)| n)
                .sum::<u32>()
        })
        .sum();
    let (ant, post) = (hits(k.sglantfuse), hits(k.sglpostfuse));
    let dstat = claim.discharge_status;
    let pdx_code = claim.pdx.code.as_bytes();
    let mut synth = [false; 32];
    let mut set = |s: Synth, v: bool| synth[s as usize] = v;
    set(Synth::Alive, dstat != DIED);
    set(Synth::Died, dstat == DIED);
    set(Synth::Ama, dstat == 7);
    set(Synth::Xfrnba, newborn_transfer(dstat));
    set(Synth::AnyDx, true);
    set(Synth::InvalidPdx, pdx.row.is_none());
    set(
        Synth::PdxEcode,
        matches!(pdx_code.first(), Some(b'V' | b'W' | b'X' | b'Y')),
    );
    set(Synth::InvalidSex, pdx.invalid_sex);
    set(
        Synth::InvalidDstat,
        rules.invalid_dstat_atom && !valid_discharge_status(dstat),
    );
    set(Synth::InvalidAge, false);
    set(Synth::Multst, sites >= 2);
    set(Synth::Bilateral, bilateral >= 2);
    set(Synth::FourVessels, vessels >= 4);
    set(Synth::FourStents, stents >= 4);
    set(
        Synth::SingleFusionCtr,
        ant + post >= 3 && (!rules.single_fusion_needs_both || (ant > 0 && post > 0)),
    );
    set(Synth::SglAntCtr, ant >= 2);
    set(Synth::SglPost1Ctr, hits(k.sglpostfuse1) >= 2);
    set(Synth::SglAntSectXCtr, hits(k.sglantsectxfuse) >= 2);
    set(Synth::SglPostFuseCtr, post >= 2);
    synth
}

/// The orders the marking of both passes reads, sorted once: the secondary
/// diagnoses by severity (highest first), code and position; the claim's
/// procedures by code and position. (Sorted as packed integers.)
fn marking_orders(sdx: &[Sdx<'_>], claim_px: &[Px<'_>]) -> (Vec<usize>, Vec<usize>) {
    let mut sdx_order: Vec<u128> = sdx
        .iter()
        .enumerate()
        .map(|(i, s)| order_key(2 - s.severity as u8, s.key, i))
        .collect();
    sdx_order.sort_unstable();
    let sdx_order = sdx_order.into_iter().map(order_index).collect();
    let mut px_by_code: Vec<u128> = claim_px
        .iter()
        .enumerate()
        .map(|(i, p)| order_key(0, p.key, i))
        .collect();
    px_by_code.sort_unstable();
    let px_by_code = px_by_code.into_iter().map(order_index).collect();
    (sdx_order, px_by_code)
}

pub(super) fn prepare<'t>(
    t: &'t Tables,
    rules: Rules,
    claim: &Claim,
    version: u32,
) -> Prepared<'t> {
    let mut atoms = Atoms::new(t.attr_names.len());
    let pdx = principal(t, claim, version);
    let sdx = secondaries(t, rules, claim, version, pdx.row);
    // Procedures (steps 1 and 2).
    let mut px = procedures(t, claim, version);
    let claim_px = px.len();
    add_clusters(t, version, &mut px);
    atom_set(&mut atoms, &pdx.attrs, &sdx, &px);
    atoms.synth = synthetic(t, rules, claim, &atoms, &px, claim_px, &pdx);
    let (sdx_order, px_by_code) = marking_orders(&sdx, &px[..claim_px]);
    Prepared {
        sdx_order,
        px_by_code,
        t,
        version,
        pdx_valid: pdx.row.is_some(),
        pdx_mdc: pdx.mdc,
        pdx_attrs: pdx.attrs,
        sdx,
        px,
        atoms,
    }
}
