//! The ICD-10-PCS sections after Medical and Surgical, and the body parts a
//! surgeon's word names: the words of `codesets/search/pcs_section_terms.tsv`
//! (written from the PCS Index, the Body Part Key and the FY2026 tables)
//! lead to the codes of their tables, and HCPCS drugs and supplies do not
//! come before the procedure.

mod common;
mod search_support;

use chartcoder::search::synonyms;
use search_support::{codes, first, px};

/// The entries of one bundled list (more than `at_least` of them) as the
/// merged lists hold them: a key another list also has ("central line")
/// keeps that list's phrases beside these.
fn merged_entries_of(path: &str, text: &str, at_least: usize) -> Vec<synonyms::Synonym> {
    let own = synonyms::parse(path, text).unwrap();
    assert!(own.len() > at_least, "{path}: {} entries", own.len());
    let list: Vec<synonyms::Synonym> = synonyms::bundled()
        .unwrap()
        .into_iter()
        .filter(|s| own.iter().any(|o| o.key == s.key))
        .collect();
    assert_eq!(list.len(), own.len());
    list
}

#[test]
fn every_section_term_leads_to_a_pcs_code_holding_one_of_its_phrases() {
    let list = merged_entries_of(synonyms::SECTIONS_PATH, synonyms::SECTIONS, 40);
    // A complete PCS code, not a table header.
    search_support::assert_each_entry_leads_to_its_phrases(
        &list,
        |s| px(&s.key),
        |h| h.code.len() == 7,
    );
}

#[test]
fn every_other_section_word_leads_to_a_pcs_code_holding_one_of_its_phrases() {
    // codesets/search/pcs_other_sections.tsv: DCCV, HBOT, OMT, CBT, detox,
    // contrast agents, the routes of Administration.
    let list = merged_entries_of(synonyms::OTHER_SECTIONS_PATH, synonyms::OTHER_SECTIONS, 20);
    search_support::assert_each_entry_leads_to_its_phrases(
        &list,
        |s| px(&s.key),
        |h| h.code.len() == 7,
    );
}

#[test]
fn a_sections_own_words_find_its_table() {
    for (q, code) in [
        // Radiation Therapy: IMRT is photon Beam Radiation; SBRT Stereotactic
        // Other Photon Radiosurgery; Gamma Knife Stereotactic Gamma Beam.
        ("IMRT prostate", "DV00"),
        ("IMRT left breast", "DM00"),
        ("SBRT lung", "DB22DZZ"),
        ("SBRT liver", "DF20DZZ"),
        ("gamma knife radiosurgery brain", "D020JZZ"),
        // Nuclear Medicine: SPECT is the Tomographic type; a bone scan Planar.
        ("bone scan", "CP1"),
        ("gastric emptying study", "CD15"),
        // Measurement and Monitoring: the EEG is Central Nervous electrical
        // activity.
        ("EEG", "4A0"),
        // Extracorporeal Therapies: apheresis is Pheresis.
        ("leukapheresis", "6A55"),
        ("platelet apheresis", "6A55"),
        // Placement: a short arm cast is Immobilization of the Lower Arm.
        ("short arm cast left", "2W3DX2Z"),
    ] {
        let hits = px(q);
        assert!(first(&hits).starts_with(code), "{q}: {:?}", codes(&hits));
    }
}

#[test]
fn hcpcs_drugs_and_supplies_come_after_the_procedure() {
    // J (drugs), Q20 (vaccines), Q40 (casting supplies) and G8 (quality
    // data) are no procedures: a PCS code of the procedure's row is first.
    for (q, code) in [
        ("insulin injection subcutaneous", "3E013"),
        ("short arm cast right", "2W3CX2Z"),
        ("influenza vaccine intramuscular", "3E0234Z"),
    ] {
        let hits = px(q);
        assert!(first(&hits).starts_with(code), "{q}: {:?}", codes(&hits));
    }
}

#[test]
fn bipap_is_respiratory_assistance_by_positive_airway_pressure() {
    // PCS Index "BiPAP — see Assistance, Respiratory 5A09": the Index names
    // the table, not the qualifier. Bilevel positive airway pressure is one
    // of table 5A09's positive airway pressure qualifiers (Continuous 7,
    // Intermittent 8), never a negative pressure (9, B) or a High
    // Flow/Velocity Cannula (A); the duration is the approach character.
    for (q, duration) in [
        ("BiPAP", None),
        ("BiPAP less than 24 hours", Some('3')),
        ("BiPAP 24-96 hours", Some('4')),
        ("BiPAP greater than 96 hours", Some('5')),
    ] {
        let hits = px(q);
        let code = first(&hits);
        let chars: Vec<char> = code.chars().collect();
        assert!(
            code.starts_with("5A09")
                && chars.len() == 7
                && chars[5] == '5'
                && matches!(chars[6], '7' | '8')
                && duration.is_none_or(|d| chars[4] == d),
            "{q}: {:?}",
            codes(&hits)
        );
    }
}
