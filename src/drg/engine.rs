//! The grouping steps (grouper README section 5), in order: clusters,
//! procedure and diagnosis attributes, exclusions, the atom set, the initial
//! grouping, the HAC step, the final grouping and the marking of codes.

use super::tables::{Atom, AttrId, CodeKey, FormulaRow, Synth, Tables, code_key};
use super::{
    Claim, DxOutput, Grouping, HacCandidate, HacCandidateStatus, HacStatus, HospitalStatus, Impact,
    Level, Partition, PoaError, PxOutput, ReturnCode, Rules, SeverityUsage, Sex,
};
use crate::domain::Poa;
use atoms::{Atoms, ON_PDX, ON_SDX, ONLY, PRESENT};
use mark::{mark, result};

mod atoms;
mod mark;

/// Discharge statuses the grouper accepts (README section 5, input).
fn valid_discharge_status(s: u32) -> bool {
    matches!(s, 1..=7 | 20 | 21 | 30 | 43 | 50 | 51 | 61..=66 | 69 | 70 | 81..=95)
}

/// Transfers that send a newborn or neonate to DRG 789 (atom XFRNBA).
fn newborn_transfer(s: u32) -> bool {
    matches!(s, 2 | 5 | 66 | 82 | 85 | 94)
}

const DIED: u32 = 20;

/// One secondary diagnosis after look-up.
struct Sdx<'t> {
    key: Option<CodeKey>,
    valid: bool,
    severity: Level,
    attrs: &'t [AttrId],
    dx_cat: &'t [AttrId],
    hac: &'t [AttrId],
    excluded: bool,
    death_excluded: bool,
    /// (HAC number, operand) for each HAC operand of the code.
    candidates: Vec<(u8, AttrId)>,
}

/// One procedure (or satisfied cluster pseudo-code) after look-up.
struct Px<'t> {
    key: Option<CodeKey>,
    recognized: bool,
    is_or: bool,
    attrs: &'t [AttrId],
    /// Bit m: suppressed in MDC m (a component of a satisfied cluster).
    suppression: u32,
    /// The claim index of the procedure; `None` for a cluster pseudo-code.
    index: Option<usize>,
    /// For a pseudo-code: the claim indices of its components.
    components: Vec<usize>,
}

/// The result of one pass (initial or final) before titles are added.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    drg: u16,
    mdc: u8,
    base_drg: Option<u16>,
    rc: ReturnCode,
    level: Level,
    partition: Partition,
    /// The winning formula and the MDC whose list it is in (for suppression).
    formula: Option<(u32, u8)>,
}

impl Outcome {
    fn error(rc: ReturnCode) -> Outcome {
        Outcome {
            drg: 999,
            mdc: 0,
            base_drg: None,
            rc,
            level: Level::None,
            partition: Partition::None,
            formula: None,
        }
    }
}

struct Prepared<'t> {
    t: &'t Tables,
    version: u32,
    pdx_valid: bool,
    pdx_mdc: u8,
    pdx_attrs: Vec<AttrId>,
    sdx: Vec<Sdx<'t>>,
    px: Vec<Px<'t>>,
    atoms: Atoms,
    /// The secondary diagnoses in the grouper's marking order: level, then
    /// code, then claim position (README section 7).
    sdx_order: Vec<usize>,
    /// The claim's procedures (not pseudo-codes) by code, then position.
    px_by_code: Vec<usize>,
}

fn row_for<R: Copy>(
    rows: Option<&Vec<R>>,
    version: u32,
    range: impl Fn(&R) -> (u32, u32),
) -> Option<R> {
    rows?.iter().copied().find(|r| {
        let (s, e) = range(r);
        s <= version && version <= e
    })
}

/// The HAC number of an operand name: `HAC05` -> 5, `hac06_show` -> 6,
/// `hac11_13_common` -> 11; `None` for other names.
fn hac_number(name: &str) -> Option<u8> {
    let rest = name
        .strip_prefix("HAC")
        .or_else(|| name.strip_prefix("hac"))?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|n| (1..=99).contains(n))
}

fn poa_str(p: Option<Poa>) -> Option<&'static str> {
    p.map(Poa::as_str)
}

fn poa_yes(p: Option<Poa>) -> bool {
    matches!(p, Some(Poa::Yes | Poa::Undetermined))
}

fn poa_no(p: Option<Poa>) -> bool {
    matches!(p, Some(Poa::No | Poa::Unknown))
}

fn prepare<'t>(t: &'t Tables, rules: Rules, claim: &Claim, version: u32) -> Prepared<'t> {
    let n = t.attr_names.len();
    let mut atoms = Atoms::new(n);
    let dx_row = |code: &str| {
        code_key(code).and_then(|k| row_for(t.dx.get(&k), version, |r| (r.start, r.end)))
    };

    // PDX (step 6).
    let pdx_row = dx_row(&claim.pdx.code);
    let mut pdx_attrs = Vec::new();
    let mut pdx_mdc = 0;
    let mut invalid_sex = false;
    if let Some(r) = pdx_row {
        pdx_mdc = r.mdc;
        if r.male_mdc.is_some() || r.female_mdc.is_some() {
            match claim.sex {
                Sex::Male => pdx_mdc = r.male_mdc.unwrap_or(r.mdc),
                Sex::Female => pdx_mdc = r.female_mdc.unwrap_or(r.mdc),
                Sex::Unknown => invalid_sex = true,
            }
        }
        for l in [r.attrs, r.dx_cat, r.hac] {
            pdx_attrs.extend_from_slice(t.list_of(l));
        }
    }
    let exclusions = pdx_row
        .and_then(|r| r.exclusion_group)
        .and_then(|g| t.exclusions.get(&g));
    let died = claim.discharge_status == DIED;

    // Secondary diagnoses (steps 3 and 5).
    let sdx: Vec<Sdx<'t>> = claim
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
        .collect();

    // Procedures (steps 1 and 2).
    let mut px: Vec<Px<'t>> = claim
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
        .collect();
    // Candidate clusters, each with the claim's procedures (in claim order)
    // whose code the cluster map lists for it: no other code can be in one
    // of its choices.
    // (Two flat lists, not a list per cluster: no allocation per name.)
    let mut names: Vec<CodeKey> = Vec::new();
    let mut mentions: Vec<(CodeKey, usize)> = Vec::new();
    for (i, p) in px.iter().enumerate() {
        if let Some(rows) = p.key.and_then(|k| t.cluster_map.get(&k)) {
            for (s, e, list) in rows {
                if (*s..=*e).contains(&version) {
                    for name in list {
                        if !names.contains(name) {
                            names.push(*name);
                        }
                        if !mentions.contains(&(*name, i)) {
                            mentions.push((*name, i));
                        }
                    }
                }
            }
        }
    }
    let claim_px = px.len();
    for name in names {
        let candidates = mentions.iter().filter(|(n, _)| *n == name).map(|&(_, i)| i);
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
        // Choices ticked, one bit each (a cluster row has at most 64).
        let all: u64 = u64::MAX >> (64 - row.choices.len().min(64));
        let mut ticked: u64 = 0;
        let mut seen: Vec<CodeKey> = Vec::new();
        let mut satisfied = false;
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
                satisfied = true;
                break;
            }
        }
        if !satisfied {
            continue;
        }
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

    // The atom set (section 4).
    for &a in &pdx_attrs {
        atoms.add(a, 0);
        atoms.set(a, ON_PDX, true);
    }
    for s in sdx.iter().filter(|s| s.valid) {
        for &a in s.attrs.iter().chain(s.dx_cat).chain(s.hac) {
            atoms.add(a, 0);
            atoms.set(a, ON_SDX, true);
        }
    }
    for p in &px {
        for &a in p.attrs {
            atoms.add(a, p.suppression);
        }
    }
    for &a in &pdx_attrs {
        let all = sdx
            .iter()
            .filter(|s| s.valid)
            .all(|s| s.attrs.contains(&a) || s.dx_cat.contains(&a) || s.hac.contains(&a));
        atoms.set(a, ONLY, all);
    }
    let k = &t.known;
    let has = |a: AttrId| atoms.has(a, PRESENT);
    let dx_has = |a: AttrId| {
        pdx_attrs.contains(&a) || sdx.iter().filter(|s| s.valid).any(|s| s.attrs.contains(&a))
    };
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
    set(Synth::InvalidPdx, pdx_row.is_none());
    set(
        Synth::PdxEcode,
        matches!(pdx_code.first(), Some(b'V' | b'W' | b'X' | b'Y')),
    );
    set(Synth::InvalidSex, invalid_sex);
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
    atoms.synth = synth;

    // The orders the marking of both passes reads, sorted once.
    let mut sdx_order: Vec<usize> = (0..sdx.len()).collect();
    sdx_order.sort_unstable_by(|&a, &b| {
        let (x, y) = (&sdx[a], &sdx[b]);
        y.severity
            .cmp(&x.severity)
            .then(x.key.cmp(&y.key))
            .then(a.cmp(&b))
    });
    let mut px_by_code: Vec<usize> = (0..claim_px).collect();
    px_by_code.sort_unstable_by_key(|&i| (px[i].key, i));

    Prepared {
        sdx_order,
        px_by_code,
        t,
        version,
        pdx_valid: pdx_row.is_some(),
        pdx_mdc,
        pdx_attrs,
        sdx,
        px,
        atoms,
    }
}

impl Prepared<'_> {
    /// The claim's CC level for a formula (step 7).
    fn level(&self, f: &FormulaRow, hac_met: &[bool], base: Level) -> Level {
        if f.suppression.is_empty() {
            return base;
        }
        self.sdx
            .iter()
            .enumerate()
            .filter(|(i, s)| {
                s.valid
                    && !s.excluded
                    && !s.death_excluded
                    && !hac_met.get(*i).copied().unwrap_or(false)
                    && !f.suppression.iter().any(|a| s.attrs.contains(a))
            })
            .map(|(_, s)| s.severity)
            .max()
            .unwrap_or(Level::None)
    }

    fn formula(&self, i: u32) -> Option<&FormulaRow> {
        self.t.formulas.get(i as usize).map(|(_, _, f)| f)
    }

    /// Evaluates list `list` (a reroute or the PDX's MDC), the claim's MDC
    /// being `mdc`; `None` when nothing in it matches.
    fn eval_list(&self, list: u8, mdc: u8, hac_met: &[bool], depth: u8) -> Option<Outcome> {
        let rows = self.t.lists_by_mdc.get(&(self.version, list))?;
        let base = self.base_level(hac_met);
        for &i in rows {
            let Some(f) = self.formula(i) else { continue };
            let level = self.level(f, hac_met, base);
            if !f.expr.eval(&|a: &Atom| self.atoms.truth(a, list, level)) {
                continue;
            }
            if f.drg == 0 && f.reroute == 0 {
                match f.control {
                    Some(rc) => return Some(Outcome::error(rc)),
                    None => continue, // a marker row
                }
            }
            if f.reroute != 0 {
                if depth > 4 {
                    return Some(Outcome::error(ReturnCode::Ungroupable));
                }
                // Reroutes to 11, 24 and 25 change the claim's MDC; the
                // unrelated-OR list (29) keeps it.
                let next_mdc = if f.reroute == 29 { mdc } else { f.reroute };
                return Some(
                    self.eval_list(f.reroute, next_mdc, hac_met, depth + 1)
                        .unwrap_or(Outcome::error(ReturnCode::Ungroupable)),
                );
            }
            return Some(Outcome {
                drg: f.drg,
                mdc,
                base_drg: Some(f.base_drg),
                rc: ReturnCode::Ok,
                level,
                partition: f.partition,
                formula: Some((i, list)),
            });
        }
        None
    }

    /// One grouping pass (steps 7-9).
    fn pass(&self, hac_met: &[bool]) -> Outcome {
        if self
            .t
            .known
            .ecode
            .is_some_and(|e| self.pdx_attrs.contains(&e))
        {
            return Outcome::error(ReturnCode::DxCannotBePdx);
        }
        if let Some(o) = self.eval_list(0, self.pdx_mdc, hac_met, 0) {
            return o;
        }
        self.eval_list(self.pdx_mdc, self.pdx_mdc, hac_met, 0)
            .unwrap_or(Outcome::error(ReturnCode::Ungroupable))
    }

    fn hac_formula_true(&self, hac: u8) -> bool {
        let level = self.level_plain();
        self.t.hac_formulas.iter().any(|(s, e, n, expr)| {
            *n == hac
                && (*s..=*e).contains(&self.version)
                && expr.eval(&|a: &Atom| self.atoms.truth(a, 0, level))
        })
    }

    /// The claim's CC level for a formula without severity suppression.
    fn base_level(&self, hac_met: &[bool]) -> Level {
        self.sdx
            .iter()
            .enumerate()
            .filter(|(i, s)| {
                s.valid
                    && !s.excluded
                    && !s.death_excluded
                    && !hac_met.get(*i).copied().unwrap_or(false)
            })
            .map(|(_, s)| s.severity)
            .max()
            .unwrap_or(Level::None)
    }

    fn level_plain(&self) -> Level {
        self.sdx
            .iter()
            .filter(|s| s.valid && !s.excluded && !s.death_excluded)
            .map(|s| s.severity)
            .max()
            .unwrap_or(Level::None)
    }
}

pub(super) fn group(t: &Tables, rules: Rules, claim: &Claim, version: u32) -> Grouping {
    let p = prepare(t, rules, claim, version);
    let nsdx = p.sdx.len();
    let no_hac = vec![false; nsdx];

    // Life status (step 6): an MCC that counts only if alive, and no valid
    // discharge status to tell.
    let life_stop = !valid_discharge_status(claim.discharge_status)
        && t.known
            .mccalive
            .is_some_and(|m| p.sdx.iter().any(|s| s.valid && s.attrs.contains(&m)));
    let initial = if life_stop {
        Outcome::error(ReturnCode::InvalidDischargeStatus)
    } else {
        p.pass(&no_hac)
    };

    // The HAC step (step 10).
    let exempt = claim.hospital_status == HospitalStatus::Exempt;
    let evaluate = !exempt || version >= 440;
    let mut statuses: Vec<Vec<HacCandidateStatus>> = Vec::with_capacity(nsdx);
    let mut met_numbers: Vec<u8> = Vec::new();
    let mut hac_met = vec![false; nsdx];
    let mut formula_cache: Vec<(u8, bool)> = Vec::new();
    for (i, s) in p.sdx.iter().enumerate() {
        let d = &claim.sdx[i];
        let mut st = Vec::with_capacity(s.candidates.len());
        for &(n, _) in &s.candidates {
            let status = if !evaluate {
                HacCandidateStatus::HacNotApplicableExempt
            } else if poa_yes(d.poa) {
                HacCandidateStatus::HacCriteriaNotMet
            } else if s.excluded {
                HacCandidateStatus::HacNotApplicableExclusion
            } else {
                let met = match formula_cache.iter().find(|(k, _)| *k == n) {
                    Some((_, v)) => *v,
                    None => {
                        let v = p.hac_formula_true(n);
                        formula_cache.push((n, v));
                        v
                    }
                };
                if met {
                    HacCandidateStatus::HacCriteriaMet
                } else {
                    HacCandidateStatus::HacCriteriaNotMet
                }
            };
            st.push(status);
        }
        statuses.push(st);
    }
    if exempt {
        // Evaluated (v44) or not, an exempt hospital's HACs change nothing.
        for st in &mut statuses {
            for s in st.iter_mut() {
                *s = HacCandidateStatus::HacNotApplicableExempt;
            }
        }
    } else if initial.rc == ReturnCode::Ok {
        // A claim that did not group has no HAC step to speak of.
        for (i, s) in p.sdx.iter().enumerate() {
            for (j, &(n, _)) in s.candidates.iter().enumerate() {
                if statuses[i][j] == HacCandidateStatus::HacCriteriaMet {
                    hac_met[i] = true;
                    if !met_numbers.contains(&n) {
                        met_numbers.push(n);
                    }
                }
            }
        }
    }
    let invalid_poa = |i: usize| !poa_yes(claim.sdx[i].poa) && !poa_no(claim.sdx[i].poa);
    let hac_rc = if initial.rc != ReturnCode::Ok || met_numbers.is_empty() {
        None
    } else if claim.hospital_status == HospitalStatus::Unknown {
        let counted = if rules.unknown_status_counts_every_sdx {
            nsdx
        } else {
            claim.sdx.iter().filter(|d| !poa_yes(d.poa)).count()
        };
        Some(if counted >= 2 {
            ReturnCode::HacStatusInvalidMultHacsPoaNotYW
        } else if (0..nsdx).any(|i| hac_met[i] && poa_no(claim.sdx[i].poa)) {
            ReturnCode::HacStatusInvalidPoaNOrU
        } else {
            ReturnCode::HacStatusInvalidPoaInvalidOr1
        })
    } else {
        // A met code with an invalid POA; or, for a HAC other than 6, any
        // candidate evaluated by its formulas (not excluded by the PDX) with
        // one (HAC 6 is checked on its own).
        let met_invalid = (0..nsdx).any(|i| hac_met[i] && invalid_poa(i));
        let other_than_6 = met_numbers.iter().any(|&n| n != 6);
        let claim_wide = other_than_6
            && (0..nsdx)
                .any(|i| !p.sdx[i].candidates.is_empty() && !p.sdx[i].excluded && invalid_poa(i));
        (met_invalid || claim_wide).then_some(ReturnCode::HacMissingOnePoa)
    };
    let final_outcome = if initial.rc != ReturnCode::Ok {
        initial
    } else if let Some(rc) = hac_rc {
        Outcome::error(rc)
    } else if met_numbers.is_empty() {
        initial
    } else {
        p.pass(&hac_met)
    };

    // Marking (steps 10 and 12).
    let mi = mark(&p, &initial, &no_hac);
    let mf = mark(&p, &final_outcome, &hac_met);
    let final_formula = final_outcome.formula.and_then(|(i, _)| p.formula(i));

    let hac_title = |n: u8| {
        super::title(&t.hac_titles, u16::from(n), version)
            .unwrap_or("")
            .to_string()
    };
    let sdx_out: Vec<DxOutput> = p
        .sdx
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let d = &claim.sdx[i];
            let usage = if !s.valid {
                SeverityUsage::Invalid
            } else if s.severity == Level::None {
                SeverityUsage::NotCc
            } else if s.excluded {
                SeverityUsage::ExcludedByPdx
            } else if s.death_excluded {
                SeverityUsage::McConlyIfAlive
            } else if hac_met[i] {
                SeverityUsage::HacNotCounted
            } else if final_formula
                .is_some_and(|f| f.suppression.iter().any(|a| s.attrs.contains(a)))
            {
                SeverityUsage::ExcludedByDrgLogic
            } else if s.severity == Level::Mcc {
                SeverityUsage::Mcc
            } else {
                SeverityUsage::Cc
            };
            let poa_error = if s.candidates.is_empty() {
                PoaError::PoaNotChecked
            } else if exempt {
                PoaError::HospitalExempt
            } else if poa_yes(d.poa) {
                PoaError::PoaRecognizedYesPoa
            } else if poa_no(d.poa) {
                PoaError::PoaRecognizedNotPoa
            } else {
                PoaError::PoaNotRecognized
            };
            DxOutput {
                code: d.code.clone(),
                poa: poa_str(d.poa),
                valid: s.valid,
                severity: s.severity,
                usage,
                drg_impact: Impact::from(mi.sdx[i], mf.sdx[i]),
                excluded: s.excluded,
                poa_error,
                hacs: s
                    .candidates
                    .iter()
                    .zip(&statuses[i])
                    .map(|(&(n, a), &status)| HacCandidate {
                        hac: n,
                        list: t.name(a).to_string(),
                        status,
                        description: hac_title(n),
                    })
                    .collect(),
            }
        })
        .collect();

    let pdx_severity = code_key(&claim.pdx.code)
        .and_then(|k| row_for(t.dx.get(&k), version, |r| (r.start, r.end)))
        .map_or(Level::None, |r| r.severity);
    let pdx_out = DxOutput {
        code: claim.pdx.code.clone(),
        poa: poa_str(claim.pdx.poa),
        valid: p.pdx_valid,
        severity: pdx_severity,
        usage: if p.pdx_valid {
            SeverityUsage::NotCc
        } else {
            SeverityUsage::Invalid
        },
        // README section 7: with a final OK result the PDX is marked in both passes.
        drg_impact: if mf.pdx { Impact::Both } else { Impact::None },
        excluded: false,
        poa_error: PoaError::PoaNotChecked,
        hacs: Vec::new(),
    };

    let px_out: Vec<PxOutput> = (0..claim.procedures.len())
        .map(|i| {
            let q = &p.px[i];
            let mut usage: Vec<u8> = Vec::new();
            for &a in q.attrs {
                // `hacNN_proc`, read once at load.
                if let Some(&n) = t.known.hac_proc.get(usize::from(a))
                    && n != 0
                    && (version >= 440 || met_numbers.contains(&n))
                    && !usage.contains(&n)
                {
                    usage.push(n);
                }
            }
            let clusters = p.px[claim.procedures.len()..]
                .iter()
                .filter(|c| c.components.contains(&i))
                .filter_map(|c| c.key)
                .map(|k| {
                    String::from_utf8_lossy(&k.to_be_bytes())
                        .trim_end_matches('\0')
                        .to_string()
                })
                .collect();
            PxOutput {
                code: claim.procedures[i].clone(),
                recognized: q.recognized,
                is_or: q.is_or,
                drg_impact: Impact::from(mi.px[i], mf.px[i]),
                hac_usage: usage,
                clusters,
            }
        })
        .collect();

    let hac_status = if exempt || met_numbers.is_empty() {
        HacStatus::NotApplicable
    } else if final_outcome.drg == 999 {
        HacStatus::FinalDrgUngroupable
    } else if final_outcome.drg == initial.drg {
        HacStatus::FinalDrgNoChange
    } else {
        HacStatus::FinalDrgChanges
    };

    Grouping {
        version,
        version_label: String::new(),
        initial: result(t, version, &initial),
        final_result: result(t, version, &final_outcome),
        pdx: pdx_out,
        sdx: sdx_out,
        procedures: px_out,
        hac_status,
        hac_categories_met: u8::try_from(met_numbers.len()).unwrap_or(u8::MAX),
        weight: None,
        weight_note: None,
        table5_edition: None,
    }
}
