//! The ICD-10-PCS Alphabetic Index and the Body Part Key as search texts.
//!
//! The Index leads from the surgeon's words to a complete code, a table row
//! (4 characters) or a table (3 characters). A row or table becomes an entry of
//! its own, a header whose complete codes are the valid codes the FY2026 tables
//! allow under it: shown as the header, or (when only reportable codes are
//! wanted) as those codes, ranked by the rest of the query's words.

use super::build_pcs_values as values_mod;
use super::builder::{Builder, EntryB, TextB, split_parens};
use super::synonyms::{MAX_KEY_WORDS, Synonym};
use super::text::{index_words, words};
use super::{System, TextKind, flag};
use crate::codeset::IcdPcs;
use crate::codeset::pcs_index::PcsIndex;
use std::collections::HashMap;

/// At most this many subterms of a "see" target are indexed under the term
/// that refers to it ("Ablation — see Destruction": every body part of Destruction).
const SEE_FANOUT: usize = 1_500;
/// At most this many body parts of a table a surgeon's "-ectomy" refers to
/// ("Lobectomy — see Resection, Respiratory System 0BT") are indexed under it.
const TABLE_FANOUT: usize = 200;

/// Where one Index term offers both Excision and Resection of a body part
/// ("Cholecystectomy — see Excision, Gallbladder 0FB4 / see Resection,
/// Gallbladder 0FT4"), Resection (all of the body part) is the default reading
/// of the surgeon's "-ectomy": its text earns this much more.
const RESECTION_DEFAULT: f32 = 1.0;
/// Words saying only a portion was cut out (Excision: "cutting out or off ...
/// a portion of a body part"); a transurethral resection is piecemeal.
/// A superficial parotidectomy takes the gland's superficial lobe, a distal
/// pancreatectomy the body and tail: portions of the body part.
const PORTION_WORDS: [&str; 10] = [
    "partial",
    "portion",
    "wedge",
    "segmental",
    "subtotal",
    "transurethral",
    "biopsy",
    "bx",
    "superficial",
    "distal",
];
/// Words saying all of it was (Resection: "cutting out or off ... all of a
/// body part").
const WHOLE_WORDS: [&str; 4] = ["total", "complete", "entire", "radical"];

/// The PCS Index's "use" entries for devices and substances as synonyms:
/// the term's words (outside parentheses) and a parenthesised abbreviation
/// stand for the value the tables name ("Foley catheter — use Drainage
/// Device"; "Peripherally inserted central catheter (PICC) — use Infusion
/// Device"). Body part "use" entries are the Body Part Key's texts instead.
pub(super) fn use_synonyms(pcs: &IcdPcs, ix: &PcsIndex) -> Vec<Synonym> {
    let mut values: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut label_words: std::collections::HashSet<String> = std::collections::HashSet::new();
    for table in &pcs.tables.tables {
        for row in &table.rows {
            for v in row.get(2).map_or(&[][..], |a| a.values.as_slice()) {
                values.insert(v.label.to_lowercase());
            }
            for axis in row {
                for v in &axis.values {
                    label_words.extend(index_words(&v.label));
                }
            }
        }
    }
    let mut out: Vec<Synonym> = Vec::new();
    for (i, term) in ix.terms.iter().enumerate() {
        let Some(value) = &term.use_value else {
            continue;
        };
        // "Internal Fixation Device, Intramedullary in Upper Bones": the value
        // is the label before " in <body system>".
        let label = value.split(" in ").next().unwrap_or(value).trim();
        if !values.contains(&label.to_lowercase()) {
            continue;
        }
        let phrase = index_words(label);
        let title = ix.path(i).last().copied().unwrap_or_default();
        let (core, inner) = split_parens(title);
        let mut keys = vec![words(&core)];
        // "PERCEPT(tm) PC neurostimulator", "Aveir(tm) VR, as single
        // chamber": the name before the trademark sign is the brand the
        // surgeon writes; a word the tables use for something else
        // ("Epic(tm)", "Formula(tm)") is not taken alone.
        if let Some(brand) = brand(title).filter(|b| b.len() > 1 || !label_words.contains(&b[0])) {
            keys.push(brand);
        }
        // "(PICC)": an abbreviation in capitals is a key of its own.
        for a in inner.split_whitespace() {
            let letters = a.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            if (2..=6).contains(&letters.len())
                && letters
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            {
                keys.push(vec![letters.to_ascii_lowercase()]);
            }
        }
        for key in keys {
            if key.is_empty() || key.len() > MAX_KEY_WORDS || phrase.is_empty() {
                continue;
            }
            super::synonyms::merge(
                &mut out,
                vec![Synonym {
                    key: key.join(" "),
                    phrases: vec![phrase.clone()],
                    narrows: false,
                }],
            );
        }
    }
    super::synonyms::merge(&mut out, scope_synonyms(pcs, ix));
    super::synonyms::merge(&mut out, operation_synonyms(pcs, ix));
    out
}

/// The most operations a word's references may name and still be a synonym
/// of them. "Reconstruction — see Repair / Replacement / Supplement" is the
/// choice a coder makes between three; a word the Index sends to four or
/// more is an overview of a section or of every use of a device
/// ("Cannulation — see Bypass / Dilation / Drainage / Irrigation", "Nuclear
/// medicine", "Radiation Therapy"), a synonym of none of them: read as one,
/// "ECMO cannulation, femoral artery and vein" ranked a femoral Bypass above
/// the ECMO it names.
const MAX_OPERATIONS: usize = 3;

/// The PCS Index's main terms that send a surgeon's word to a root operation
/// (or an imaging type) and nothing more ("Infusion — see Introduction of
/// substance in or on", "Ligation — see Occlusion", "Thrombectomy — see
/// Extirpation", "X-ray — see Plain Radiography"), or to several, one per
/// subterm holding only the reference ("Embolization — see Occlusion / see
/// Restriction"; "Clipping, aneurysm — see Occlusion using Extraluminal
/// Device"): the word stands for each operation's label, so it finds that
/// operation in every table that has it (the New Technology Introduction XW0
/// as well as 3E0), and the Body Part Key's texts under it ("Embolization"
/// and "Middle meningeal artery": Occlusion, Intracranial Artery), beside
/// the body part the other words name. Titles of one or two words only (a
/// drug's own entry names its substance, not the word).
fn operation_synonyms(pcs: &IcdPcs, ix: &PcsIndex) -> Vec<Synonym> {
    let labels: std::collections::HashSet<String> = pcs
        .tables
        .tables
        .iter()
        .filter_map(|t| Some(t.head.get(2)?.values.first()?.label.to_lowercase()))
        .collect();
    let children = ix.children();
    // The operation a reference names: "Occlusion", "Introduction of
    // substance in or on" (Introduction), "Occlusion using Extraluminal
    // Device" (Occlusion); none for a reference to a body part or a system.
    let operation = |see: &str| -> Option<Vec<String>> {
        let lower = see.trim().to_lowercase();
        let head = lower
            .split_once(" using ")
            .map_or(lower.as_str(), |(h, _)| h);
        let head = head.split_once(" of ").map_or(head, |(h, _)| h);
        (!see.contains(',') && labels.contains(head)).then(|| index_words(head))
    };
    let mut out: Vec<Synonym> = Vec::new();
    for (i, t) in ix
        .terms
        .iter()
        .enumerate()
        .filter(|(_, t)| t.level == 0 && t.target.is_none())
    {
        let phrases: Vec<Vec<String>> = match t.see.as_deref() {
            Some(see) if !t.title.contains(',') => operation(see).into_iter().collect(),
            Some(_) => Vec::new(),
            None => {
                // Every subterm a bare reference, with no title and no code.
                let subs = &children[i];
                let bare = |&&d: &&u32| {
                    let d = &ix.terms[d as usize];
                    d.title.is_empty() && d.target.is_none() && d.see.is_some()
                };
                if subs.is_empty() || !subs.iter().all(|d| bare(&d)) {
                    continue;
                }
                subs.iter()
                    .filter_map(|&d| operation(ix.terms[d as usize].see.as_deref()?))
                    .collect()
            }
        };
        let (core, _) = split_parens(&t.title);
        let key = words(&core);
        let phrases: Vec<Vec<String>> = phrases
            .into_iter()
            .filter(|p| !p.is_empty() && *p != key)
            .collect();
        if key.is_empty() || key.len() > 2 || phrases.is_empty() || phrases.len() > MAX_OPERATIONS {
            continue;
        }
        super::synonyms::merge(
            &mut out,
            vec![Synonym {
                key: key.join(" "),
                phrases,
                narrows: false,
            }],
        );
    }
    out
}

/// The words before a trademark sign ("(tm)", "(R)") of an Index title,
/// when they are one or two words of at least four letters in all.
fn brand(title: &str) -> Option<Vec<String>> {
    let lower = title.to_lowercase();
    let at = lower.find("(tm)").or_else(|| lower.find("(r)"))?;
    let name = words(&lower[..at]);
    let letters: usize = name.iter().map(String::len).sum();
    ((1..=2).contains(&name.len()) && letters >= 4).then_some(name)
}

/// The scopes the PCS Index codes as an Inspection through a natural or
/// artificial opening ("Cystoscopy 0TJB8ZZ", "EGD (esophagogastroduodenoscopy)
/// 0DJ08ZZ"): the scope's word stands for the body part it looks at, so a
/// second procedure done through it ("cystoscopy with biopsy") finds that
/// body part's rows (the Bladder's Excision) when the words name no other.
fn scope_synonyms(pcs: &IcdPcs, ix: &PcsIndex) -> Vec<Synonym> {
    let mut out: Vec<Synonym> = Vec::new();
    for t in ix.terms.iter().filter(|t| t.level == 0) {
        let Some(code) = t.target.as_deref().filter(|c| is_scope(c)) else {
            continue;
        };
        let Some(body) = pcs.tables.lookup(code).and_then(|c| c.axes.get(3).cloned()) else {
            continue;
        };
        let phrase = index_words(&body.1);
        let (core, inner) = split_parens(&t.title);
        let keys = std::iter::once(words(&core))
            .chain(words(&inner).into_iter().map(|w| vec![w]))
            .filter(|k| k.len() == 1 && !phrase.is_empty());
        for key in keys {
            super::synonyms::merge(
                &mut out,
                vec![Synonym {
                    key: key.join(" "),
                    phrases: vec![phrase.clone()],
                    narrows: false,
                }],
            );
        }
    }
    out
}

/// An Inspection (root operation J) of the Medical and Surgical section via
/// natural or artificial opening endoscopic (approach 8).
fn is_scope(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 7 && b[0] == b'0' && b[2] == b'J' && b[4] == b'8'
}

/// Index terms with both an Excision and a Resection reference among their
/// own references or their subterms' (by the term holding them).
fn excision_or_resection(ix: &PcsIndex) -> std::collections::HashSet<Option<u32>> {
    let mut seen: HashMap<Option<u32>, (bool, bool)> = HashMap::new();
    for t in &ix.terms {
        let Some(see) = &t.see else { continue };
        if t.target.is_none() {
            continue;
        }
        // The reading is the surgeon's "-ectomy" (not "TURP (transurethral
        // resection of prostate)", which is piecemeal).
        let Some(parent) = t.parent else { continue };
        let title = &ix.terms[parent as usize].title;
        let ectomy = words(title).first().is_some_and(|w| w.ends_with("ectomy"));
        if !ectomy {
            continue;
        }
        let e = seen.entry(t.parent).or_default();
        e.0 |= see.starts_with("Excision");
        e.1 |= see.starts_with("Resection");
    }
    seen.into_iter()
        .filter(|(_, (x, r))| *x && *r)
        .map(|(p, _)| p)
        .collect()
}

impl Builder {
    /// The PCS codes the tables allow, sorted, with their entries.
    fn pcs_codes(&self) -> Vec<(String, u32)> {
        let mut codes: Vec<(String, u32)> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.system == System::Icd10Pcs && e.key.len() == 7)
            .filter(|(_, e)| e.flags & flag::INDEX_ONLY == 0)
            .map(|(i, e)| (e.key.clone(), i as u32))
            .collect();
        codes.sort();
        codes
    }

    /// The entry of a PCS table (3 characters) or row prefix (4 characters):
    /// made on first use, a header offering the valid codes under it.
    fn pcs_prefix(&mut self, prefix: &str, codes: &[(String, u32)], pcs: &IcdPcs) -> u32 {
        if let Some(&e) = self.by_key.get(&(System::Icd10Pcs, prefix.to_string())) {
            return e;
        }
        let lo = codes.partition_point(|(c, _)| c.as_str() < prefix);
        let under: Vec<u32> = codes[lo..]
            .iter()
            .take_while(|(c, _)| c.starts_with(prefix))
            .map(|&(_, e)| e)
            .collect();
        let axes = under
            .first()
            .and_then(|&e| pcs.tables.lookup(&self.entries[e as usize].key))
            .map(|c| c.axes)
            .unwrap_or_default();
        let label = |i: usize| axes.get(i).map_or("", |(_, l)| l.as_str());
        let (title, flags) = if under.is_empty() {
            (
                format!("PCS Index row {prefix} (not in the ICD-10-PCS FY2026 tables)"),
                flag::INDEX_ONLY,
            )
        } else if prefix.len() >= 4 {
            // A row (or a narrower prefix): its operation and body part.
            (
                format!("{}, {} ({})", label(2), label(3), label(1)),
                flag::HEADER | flag::EXPANDS | flag::UNDATED,
            )
        } else {
            (
                format!("{}, {}", label(2), label(1)),
                flag::HEADER | flag::EXPANDS | flag::UNDATED,
            )
        };
        self.entry(EntryB {
            system: System::Icd10Pcs,
            code: prefix.to_string(),
            key: prefix.to_string(),
            title,
            flags,
            periods: Vec::new(),
            extensions: under,
        })
    }

    /// The entry a PCS Index target names: a complete code (made, marked
    /// index-only, when the FY2026 tables no longer have it) or a prefix.
    fn pcs_target(&mut self, target: &str, codes: &[(String, u32)], pcs: &IcdPcs) -> u32 {
        if target.len() < 7 {
            return self.pcs_prefix(target, codes, pcs);
        }
        if let Some(&e) = self.by_key.get(&(System::Icd10Pcs, target.to_string())) {
            return e;
        }
        self.entry(EntryB {
            system: System::Icd10Pcs,
            code: target.to_string(),
            key: target.to_string(),
            title: format!("{target} (PCS Index code not in the ICD-10-PCS FY2026 tables)"),
            flags: flag::INDEX_ONLY,
            periods: Vec::new(),
            extensions: Vec::new(),
        })
    }

    pub(super) fn add_pcs_index(&mut self, pcs: &IcdPcs, ix: &PcsIndex) {
        let codes = self.pcs_codes();
        let children = ix.children();
        let both = excision_or_resection(ix);
        let operations = operations(pcs);
        let mut main_terms: HashMap<String, usize> = HashMap::new();
        for (i, t) in ix.terms.iter().enumerate().filter(|(_, t)| t.level == 0) {
            main_terms.entry(t.title.to_lowercase()).or_insert(i);
        }
        let at = Lookup {
            ix,
            pcs,
            codes: &codes,
            children: &children,
            main_terms: &main_terms,
        };
        for (i, term) in ix.terms.iter().enumerate() {
            let path = ix.path(i);
            if let Some(target) = &term.target {
                let entry = self.pcs_target(target, &codes, pcs);
                let (core, mut optional) = path_words(&path);
                // "Pacemaker, Dual Chamber, Chest 0JH6" is its insertion.
                if let Some(op) = target.get(..3).and_then(|t| operations.get(t)) {
                    optional.extend(op.iter().cloned());
                }
                let mut label = format!("PCS Index: {}", path.join(" > "));
                let mut bonus = 0.0;
                if let Some(see) = &term.see {
                    optional.extend(index_words(see));
                    label.push_str(&format!(" → see {see}"));
                    if both.contains(&term.parent) {
                        if see.starts_with("Resection") {
                            bonus = RESECTION_DEFAULT;
                            optional.extend(WHOLE_WORDS.map(String::from));
                        } else if see.starts_with("Excision") {
                            optional.extend(PORTION_WORDS.map(String::from));
                        }
                    }
                }
                label.push_str(&format!(" {target}"));
                self.fan_out_table(&at, i, target, bonus);
                let kind = if term.level == 0 {
                    TextKind::IndexMain
                } else {
                    TextKind::IndexSub
                };
                self.texts.push(TextB {
                    entry,
                    kind,
                    core,
                    optional,
                    label,
                    bonus,
                    column: 0,
                });
            } else if let Some(see) = &term.see {
                self.fan_out_see(&at, i, see);
            }
        }
        let values = super::build_pcs_values::value_reference_words(pcs, ix);
        self.add_body_part_key(pcs, &codes, &index_operation_words(ix), &values);
    }

    /// "Ablation — see Destruction": the target's subterms, under this
    /// term's words. "Biopsy — see Excision with qualifier Diagnostic": the
    /// target's subterms, the qualifier's words with them. "Induction of
    /// labor, Oxytocin — see Introduction of Hormone": the subterms of
    /// "Introduction of substance in or on" under a "Hormone".
    fn fan_out_see(&mut self, at: &Lookup, term: usize, see: &str) {
        let Lookup {
            ix,
            children,
            main_terms,
            ..
        } = *at;
        let Some(target) = see_target(see, ix, main_terms) else {
            return;
        };
        if target.term == term {
            return;
        }
        let path = ix.path(term);
        let (core, mut optional) = path_words(&path);
        optional.extend(index_words(see));
        let under = target.under.as_deref();
        let mut stack: Vec<(u32, bool)> = children[target.term]
            .iter()
            .map(|&d| (d, under.is_none()))
            .collect();
        let mut done = 0;
        while let Some((d, inside)) = stack.pop() {
            if done >= SEE_FANOUT {
                break;
            }
            let d = d as usize;
            let inside = inside || under.is_some_and(|u| ix.terms[d].title.eq_ignore_ascii_case(u));
            stack.extend(children[d].iter().map(|&c| (c, inside)));
            let Some(code) = ix.terms[d].target.as_deref().filter(|_| inside) else {
                continue;
            };
            done += 1;
            self.push_see_subterm(at, d, code, (&core, &optional), &path, 0.0);
        }
    }

    /// "Lobectomy — see Resection, Respiratory System 0BT": the table's
    /// body parts, as the Index lists them under its main term ("Resection >
    /// Lung > Upper Lobe > Right 0BTC"), each under this term's words, so a
    /// surgeon's "right upper lobectomy" reaches its row. Only for a
    /// surgeon's operation word, an "-ectomy", "-ostomy", "-otomy",
    /// "-rrhaphy", "-plasty" or "-pexy" ("Herniorrhaphy — see Repair,
    /// Anatomical Regions, Lower Extremities 0YQ"; "Colostomy — see Bypass,
    /// Gastrointestinal System 0D1"): the word names the operation, the body
    /// part is what the other words add.
    /// The text of Index subterm `d` reached through a "see" reference from
    /// the entry at `path`: the entry's words and the subterm's, coded `code`.
    fn push_see_subterm(
        &mut self,
        at: &Lookup,
        d: usize,
        code: &str,
        (core, optional): (&[String], &[String]),
        path: &[&str],
        bonus: f32,
    ) {
        let sub = at.ix.path(d);
        let mut words = core.to_vec();
        for part in sub.iter().skip(1) {
            words.extend(index_words(part));
        }
        let entry = self.pcs_target(code, at.codes, at.pcs);
        self.texts.push(TextB {
            entry,
            kind: TextKind::IndexSub,
            core: words,
            optional: optional.to_vec(),
            label: format!(
                "PCS Index: {} → see {} {code}",
                path.join(" > "),
                sub.join(" > ")
            ),
            bonus,
            column: 0,
        });
    }

    fn fan_out_table(&mut self, at: &Lookup, term: usize, table: &str, bonus: f32) {
        let Lookup {
            ix,
            children,
            main_terms,
            ..
        } = *at;
        let path = ix.path(term);
        let ectomy = |t: &&str| {
            words(t).first().is_some_and(|w| {
                ["ectomy", "ostomy", "otomy", "rrhaphy", "plasty", "pexy"]
                    .iter()
                    .any(|end| w.ends_with(end))
            })
        };
        let Some(see) = ix.terms[term].see.as_deref() else {
            return;
        };
        if table.len() != 3 || !path.first().is_some_and(ectomy) {
            return;
        }
        let optional = index_words(see);
        let Some((main, _)) = see.split_once(',') else {
            return;
        };
        let Some(&target) = main_terms.get(&main.trim().to_lowercase()) else {
            return;
        };
        if target == term {
            return;
        }
        let (core, _) = path_words(&path);
        let mut stack: Vec<u32> = children[target].clone();
        let mut done = 0;
        while let Some(d) = stack.pop() {
            if done >= TABLE_FANOUT {
                break;
            }
            let d = d as usize;
            stack.extend(&children[d]);
            let Some(code) = ix.terms[d]
                .target
                .as_deref()
                .filter(|c| c.starts_with(table))
            else {
                continue;
            };
            done += 1;
            self.push_see_subterm(at, d, code, (&core, &optional), &path, bonus);
        }
    }

    /// The Body Part Key: the anatomical terms a body part value includes
    /// ("Achilles tendon" → Lower Leg Tendon), under each table row of that body part.
    /// Each text also holds the surgeon's one-word Index main terms that
    /// lead to its row or its table
    /// (`index_operation_words`): "olecranon bursectomy" is the Excision or
    /// Resection of the Elbow Bursa and Ligament, "quadriceps biopsy" the
    /// Excision, Diagnostic, of the Upper Leg Muscle.
    fn add_body_part_key(
        &mut self,
        pcs: &IcdPcs,
        codes: &[(String, u32)],
        surgeon: &IndexOperationWords,
        values: &HashMap<String, Vec<String>>,
    ) {
        // (row, operation and body part, include, a muscle's tendon)
        let mut rows: Vec<(String, String, String, bool)> = Vec::new();
        let devices = row_devices(pcs);
        for table in &pcs.tables.tables {
            let prefix = table.prefix();
            let Some(section) = prefix.chars().next() else {
                continue;
            };
            let operation = table
                .head
                .get(2)
                .and_then(|a| a.values.first())
                .map_or(String::new(), |v| v.label.clone());
            for row in &table.rows {
                let Some(body) = row.first() else { continue };
                for v in &body.values {
                    let own = pcs.definitions.get(section, 4, &v.label);
                    let own = own.map_or(&[][..], |d| d.includes.as_slice()).iter();
                    let tendons = values_mod::muscles_tendons(pcs, &prefix, &v.label);
                    let all = own.map(|i| (i, false));
                    for (i, tendon) in all.chain(tendons.iter().map(|i| (i, true))) {
                        let names = format!("{operation}\t{}", v.label);
                        rows.push((format!("{prefix}{}", v.character), names, i.clone(), tendon));
                    }
                }
            }
        }
        rows.sort();
        rows.dedup();
        for (prefix, names, include, tendon) in rows {
            let (operation, body) = names.split_once('\t').unwrap_or((&names, ""));
            let entry = self.pcs_prefix(&prefix, codes, pcs);
            let (inc_core, inc_optional) = split_parens(&include);
            let mut core = index_words(operation);
            core.extend(index_words(&inc_core));
            let mut optional = index_words(&inc_optional);
            optional.extend(index_words(body));
            // The devices the row allows may be typed: "ACL reconstruction
            // with autograft" is the Knee Bursa and Ligament's Replacement
            // with Autologous Tissue Substitute.
            optional.extend(devices.get(&prefix).into_iter().flatten().cloned());
            // "Biopsy — see Excision with qualifier Diagnostic": the row's
            // value references (src/search/build_pcs_values.rs), not for a
            // muscle's tendon, in 0C and 0G a gland's texts only.
            let gland = !matches!(prefix.get(..2), Some("0C" | "0G"))
                || include.to_lowercase().contains("gland");
            let referring = values.get(&prefix).into_iter().flatten().filter(|_| gland);
            for w in surgeon.of(&prefix).chain(referring).filter(|_| !tendon) {
                if !core.contains(w) && !optional.contains(w) {
                    optional.push(w.clone());
                }
            }
            let key = ["Body Part Key", "Body Part Key (muscle)"][usize::from(tendon)];
            self.texts.push(TextB {
                entry,
                kind: TextKind::Alias,
                core,
                optional,
                label: format!("{key}: {include} → {body}"),
                bonus: 0.0,
                column: 0,
            });
        }
    }
}

/// The surgeon's one-word main terms of the PCS Index by the row, or the
/// table of one tissue, their "see" references lead to ("Bursectomy — see Excision, Bursae and
/// Ligaments 0MB"; "Sphincterotomy, anal — see Division, Anal Sphincter
/// 0D8R"; "Tenotomy — see Division, Tendons 0L8"). A reference with no code
/// ("Biopsy — see Excision with qualifier Diagnostic") is not read: it
/// names every table of its root operation, and its word in every row's
/// text would crowd out the texts the Index gives it.
#[derive(Default)]
pub(super) struct IndexOperationWords {
    by_prefix: HashMap<String, Vec<String>>,
}

impl IndexOperationWords {
    /// The words for a row prefix (4 characters): its table's and its own.
    fn of<'a>(&'a self, prefix: &str) -> impl Iterator<Item = &'a String> {
        let table = prefix.get(..3).unwrap_or(prefix);
        [self.by_prefix.get(table), self.by_prefix.get(prefix)]
            .into_iter()
            .flatten()
            .flatten()
    }
}

/// Reads `IndexOperationWords` from the Index: main terms whose title before
/// its first comma is one word of five letters or more ("Myotomy",
/// "Bursectomy", "Sphincterotomy"), each word once per place.
pub(super) fn index_operation_words(ix: &PcsIndex) -> IndexOperationWords {
    let mut out = IndexOperationWords::default();
    for (i, t) in ix.terms.iter().enumerate() {
        if t.see.is_none() {
            continue;
        }
        let path = ix.path(i);
        let Some(main) = path.first() else { continue };
        let head = words(main.split(',').next().unwrap_or(main));
        let [word] = head.as_slice() else { continue };
        if word.len() < 5 {
            continue;
        }
        // A table of one tissue (Subcutaneous Tissue and Fascia, Muscles,
        // Tendons, Bursae and Ligaments: 0J, 0K, 0L, 0M) holds only body
        // parts its word names; a table of organs ("Thyroidectomy — see
        // Excision, Endocrine System 0GB") is read by row only.
        let one_tissue =
            |c: &str| c.len() == 3 && matches!(c.get(..2), Some("0J" | "0K" | "0L" | "0M"));
        let Some(target) = t.target.as_ref().filter(|c| c.len() == 4 || one_tissue(c)) else {
            continue;
        };
        let list = out.by_prefix.entry(target.clone()).or_default();
        if !list.contains(word) {
            list.push(word.clone());
        }
    }
    out
}

/// The words of the devices each row prefix (table and body part) allows,
/// "No Device" left out, each word once.
fn row_devices(pcs: &IcdPcs) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for table in &pcs.tables.tables {
        let prefix = table.prefix();
        for row in &table.rows {
            let (Some(body), Some(device)) = (row.first(), row.get(2)) else {
                continue;
            };
            let labels = device.values.iter().filter(|d| d.character != 'Z');
            let device_words: Vec<String> = labels.flat_map(|d| index_words(&d.label)).collect();
            for v in &body.values {
                let list = out.entry(format!("{prefix}{}", v.character)).or_default();
                for w in &device_words {
                    if !list.contains(w) {
                        list.push(w.clone());
                    }
                }
            }
        }
    }
    out
}

/// What a table fan-out reads: the PCS Index, the tables, the codes they
/// allow, each term's subterms and the main terms by title.
#[derive(Clone, Copy)]
struct Lookup<'a> {
    ix: &'a PcsIndex,
    pcs: &'a IcdPcs,
    codes: &'a [(String, u32)],
    children: &'a [Vec<u32>],
    main_terms: &'a HashMap<String, usize>,
}

/// Each table's root operation (or type), as words, by its 3 characters: an
/// Index term leading to a device's or a body part's row is that operation.
fn operations(pcs: &IcdPcs) -> HashMap<String, Vec<String>> {
    pcs.tables
        .tables
        .iter()
        .filter_map(|t| {
            let op = t.head.get(2)?.values.first()?;
            Some((t.prefix(), index_words(&op.label)))
        })
        .collect()
}

/// The main term a "see" without a code names, and the subterm title under
/// which its codes are (when the reference names one).
struct SeeTarget {
    term: usize,
    under: Option<String>,
}

/// "Destruction" is a main term; "Excision with qualifier Diagnostic" is the
/// main term Excision (the qualifier's words are the reference's); and
/// "Introduction of Hormone" is the main term beginning "Introduction of",
/// under its subterms titled "Hormone".
fn see_target(see: &str, ix: &PcsIndex, main_terms: &HashMap<String, usize>) -> Option<SeeTarget> {
    let lower = see.trim().to_lowercase();
    // "Biopsy — see Excision with qualifier Diagnostic", "Clipping,
    // aneurysm — see Occlusion using Extraluminal Device", "Brachytherapy —
    // see Insertion with device Radioactive Element": the operation is the
    // main term; the value's words go with it (the caller's `optional`).
    let head = [" with qualifier ", " with device ", " using "]
        .iter()
        .find_map(|sep| lower.split_once(sep))
        .map_or(lower.as_str(), |(h, _)| h.trim());
    if let Some(&term) = main_terms.get(head) {
        return Some(SeeTarget { term, under: None });
    }
    let (operation, sub) = head.split_once(" of ")?;
    let prefix = format!("{operation} of ");
    let term = ix
        .terms
        .iter()
        .position(|t| t.level == 0 && t.title.to_lowercase().starts_with(&prefix))?;
    Some(SeeTarget {
        term,
        under: Some(sub.trim().to_string()),
    })
}

/// The words of an index path: each title's words outside parentheses must be
/// typed, those inside may be.
fn path_words(path: &[&str]) -> (Vec<String>, Vec<String>) {
    let (mut core, mut optional) = (Vec::new(), Vec::new());
    for part in path {
        let (c, o) = split_parens(part);
        core.extend(index_words(&c));
        optional.extend(index_words(&o));
    }
    (core, optional)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_the_index_sends_to_root_operations_stands_for_them() {
        let pcs = IcdPcs::load_bundled().unwrap();
        let ix = crate::codeset::load_pcs_index().unwrap();
        let list = operation_synonyms(&pcs, &ix);
        let phrases = |key: &str| -> Vec<String> {
            list.iter()
                .find(|s| s.key == key)
                .map(|s| s.phrases.iter().map(|p| p.join(" ")).collect())
                .unwrap_or_default()
        };
        // "Ligation — see Occlusion", "Thrombectomy — see Extirpation".
        assert_eq!(phrases("ligation"), ["occlusion"]);
        assert_eq!(phrases("thrombectomy"), ["extirpation"]);
        // One reference per subterm: "Embolization — see Occlusion / see
        // Restriction"; "Closure — see Occlusion / see Repair"; "Ablation —
        // see Control bleeding in (not a label) / see Destruction".
        assert_eq!(phrases("embolization"), ["occlusion", "restriction"]);
        assert_eq!(phrases("closure"), ["occlusion", "repair"]);
        assert_eq!(phrases("ablation"), ["destruction"]);
        // "Clipping, aneurysm — see Occlusion using Extraluminal Device".
        assert_eq!(phrases("clipping aneurysm"), ["occlusion", "restriction"]);
        // Three is a coder's choice: "Reconstruction — see Repair / see
        // Replacement / see Supplement"; "Transposition — see Bypass / see
        // Reposition / see Transfer".
        assert_eq!(
            phrases("reconstruction"),
            ["repair", "replacement", "supplement"]
        );
        assert_eq!(
            phrases("transposition"),
            ["bypass", "reposition", "transfer"]
        );
        // Four or more is an overview, a synonym of none: "Cannulation — see
        // Bypass / Dilation / Drainage / Irrigation", "Radiation Therapy —
        // see Beam Radiation / Brachytherapy / Stereotactic Radiosurgery /
        // Other Radiation", "Nuclear medicine" (seven imaging types).
        for key in ["cannulation", "radiation therapy", "nuclear medicine"] {
            assert!(phrases(key).is_empty(), "{key}: {:?}", phrases(key));
        }
    }

    #[test]
    fn a_see_reference_using_a_device_is_its_operation() {
        let ix = crate::codeset::load_pcs_index().unwrap();
        let mut main_terms: HashMap<String, usize> = HashMap::new();
        for (i, t) in ix.terms.iter().enumerate().filter(|(_, t)| t.level == 0) {
            main_terms.entry(t.title.to_lowercase()).or_insert(i);
        }
        let target = see_target("Occlusion using Extraluminal Device", &ix, &main_terms).unwrap();
        assert_eq!(ix.terms[target.term].title, "Occlusion");
        let target = see_target(
            "Insertion with device Radioactive Element",
            &ix,
            &main_terms,
        )
        .unwrap();
        assert_eq!(ix.terms[target.term].title, "Insertion");
    }

    #[test]
    fn a_brand_is_the_name_before_its_trademark_sign() {
        assert_eq!(
            brand("PERCEPT(tm) PC neurostimulator"),
            Some(vec!["percept".to_string()])
        );
        assert_eq!(
            brand("Aveir(tm) VR, as single chamber"),
            Some(vec!["aveir".to_string()])
        );
        assert_eq!(brand("Kirschner wire (K-wire)"), None);
        assert_eq!(brand("AFX(R) Endovascular AAA System"), None);
    }

    #[test]
    fn a_body_part_rows_devices_are_its_key_texts_optional_words() {
        let pcs = IcdPcs::load_bundled().unwrap();
        let devices = row_devices(&pcs);
        // Table 0MR (Replacement, Bursae and Ligaments), Knee Bursa and
        // Ligament, Right (N): Autologous Tissue Substitute (7), Synthetic
        // Substitute (J), Nonautologous Tissue Substitute (K).
        let knee = &devices["0MRN"];
        for w in [
            "autologous",
            "synthetic",
            "nonautologous",
            "tissue",
            "substitute",
        ] {
            assert!(knee.contains(&w.to_string()), "{w}: {knee:?}");
        }
        // Table 02H (Insertion), Superior Vena Cava (V): Infusion Device (3).
        assert!(devices["02HV"].contains(&"infusion".to_string()));
        // Table 0MQ (Repair) allows No Device only: no device words.
        assert!(
            devices.get("0MQN").is_none_or(|d| d.is_empty()),
            "{:?}",
            devices.get("0MQN")
        );
    }
}
