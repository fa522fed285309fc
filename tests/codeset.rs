//! The ICD-10-CM loaders, checked against the official examples.

mod common;

use chartcoder::codeset::{self, CodeSetError, Edition, IcdCm, NoteKind, tabular};
use common::date;
use std::sync::OnceLock;

fn cm() -> &'static IcdCm {
    static CM: OnceLock<IcdCm> = OnceLock::new();
    CM.get_or_init(|| IcdCm::load_bundled().unwrap_or_else(|e| panic!("{e}")))
}

/// The bundled editions, by their rows in the table (checked against their
/// labels in `the_editions_are_the_tables_rows`).
const FY26: Edition = Edition::ALL[0];
const FY27: Edition = Edition::ALL[1];

#[test]
fn the_tabular_has_every_node_of_the_april_2026_release() {
    let codes = cm()
        .nodes
        .iter()
        .filter(|n| n.kind == codeset::NodeKind::Code && cm().in_edition_code(&n.code, FY26))
        .count();
    // 46,881 diag nodes in the CDC file (README of the sources).
    assert_eq!(codes, 46_881);
    let chapters = cm()
        .nodes
        .iter()
        .filter(|n| n.kind == codeset::NodeKind::Chapter)
        .count();
    assert_eq!(chapters, 22);
}

#[test]
fn leaves_and_their_7th_characters_make_every_billable_code_of_fy2026() {
    // The CDC release has 74,719 billable codes (README of the sources): every leaf,
    // or every leaf times its 7th characters where a definition applies.
    let billable: usize = cm()
        .nodes
        .iter()
        .enumerate()
        .filter(|(i, n)| n.kind == codeset::NodeKind::Code && cm().in_edition(*i, FY26))
        .filter(|(i, _)| cm().children_in(*i, FY26).is_empty())
        .map(|(i, n)| match cm().seventh_characters(i) {
            [] => 1,
            sevenths => sevenths
                .iter()
                .filter(|s| {
                    let code = format!("{:X<6}{}", n.code.replace('.', ""), s.character);
                    cm().lookup(&code, FY26).is_some()
                })
                .count(),
        })
        .sum();
    assert_eq!(billable, 74_719);
    // The 76 built codes the MCE does not list are S06 with 6th character 7 or 8,
    // which takes 7th character A only (note at S06).
    assert!(cm().lookup("S06.1X7A", FY26).is_some());
    assert!(cm().lookup("S06.1X7D", FY26).is_none());
    assert!(cm().lookup("S06.1X7S", FY26).is_none());
    assert!(cm().lookup("S06.1X6D", FY26).is_some());
}

#[test]
fn t45_0x1a_takes_its_placeholder_and_its_7th_character_from_t45() {
    let d = cm().lookup("T45.0X1A", FY27).unwrap();
    assert!(d.billable && !d.header);
    assert_eq!(
        d.title,
        "Poisoning by antiallergic and antiemetic drugs, accidental (unintentional), initial encounter"
    );
    assert_eq!(d.seventh.as_ref().map(|s| s.character), Some('A'));
    assert!(
        cm().lookup("t450x1a", FY27).is_some(),
        "case and dot do not matter"
    );
    // Without the placeholder it is not a code, and the coder is told the right one.
    assert!(cm().lookup("T45.01A", FY27).is_none());
    assert_eq!(
        cm().placeholder_hint("T45.01A", FY27).as_deref(),
        Some("T45.0X1A")
    );
    // The 6-character code itself needs its 7th character.
    let base = cm().lookup("T45.0X1", FY27).unwrap();
    assert!(base.header && !base.billable);
    let sevenths: Vec<char> = cm()
        .seventh_characters(base.node)
        .iter()
        .map(|s| s.character)
        .collect();
    assert_eq!(sevenths, ['A', 'D', 'S']);
}

#[test]
fn w19_pads_with_three_placeholders() {
    assert_eq!(
        cm().lookup("W19.XXXA", FY27).unwrap().title,
        "Unspecified fall, initial encounter"
    );
    assert!(cm().lookup("W19.XXA", FY27).is_none());
    assert!(cm().lookup("W19A", FY27).is_none());
    assert_eq!(
        cm().placeholder_hint("W19A", FY27).as_deref(),
        Some("W19.XXXA")
    );
}

#[test]
fn s72_defines_sixteen_7th_characters_for_every_femur_fracture_code() {
    let s72 = cm().lookup("S72", FY27).unwrap();
    let defs = cm().seventh_characters(s72.node);
    let chars: String = defs.iter().map(|s| s.character).collect();
    assert_eq!(chars, "ABCDEFGHJKMNPQRS");
    // The stray note in the definition qualifies B ("initial encounter for open fracture NOS").
    assert!(
        defs[1].meaning.contains("open fracture NOS"),
        "{:?}",
        defs[1]
    );
    let a = cm().lookup("S72.001A", FY27).unwrap();
    assert_eq!(
        a.title,
        "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture"
    );
    assert!(a.billable);
    assert!(
        cm().lookup("S72.001Z", FY27).is_none(),
        "Z is not an S72 7th character"
    );
    assert!(
        cm().lookup("S72.00A", FY27).is_none(),
        "S72.00 has children: no 7th character on it"
    );
    let header = cm().lookup("S72.00", FY27).unwrap();
    assert!(header.header);
    // The S72 category notes reach every code below it.
    let notes = cm().notes(a.node);
    assert!(notes.iter().any(|(from, n)| *from == "S72"
        && n.kind == NoteKind::Note
        && n.text == "A fracture not indicated as displaced or nondisplaced should be coded to displaced"));
}

#[test]
fn e11_621_asks_for_an_additional_code_for_the_ulcer_site() {
    let d = cm().lookup("E11.621", FY27).unwrap();
    assert!(d.billable);
    let notes = cm().notes(d.node);
    let own: Vec<&str> = notes
        .iter()
        .filter(|(from, n)| *from == "E11.621" && n.kind == NoteKind::UseAdditionalCode)
        .map(|(_, n)| n.text.as_str())
        .collect();
    assert_eq!(own, ["code to identify site of ulcer (L97.4-, L97.5-)"]);
    // ...and inherits E11's own use-additional-code note (insulin, oral drugs).
    assert!(
        notes.iter().any(|(from, n)| *from == "E11"
            && n.kind == NoteKind::UseAdditionalCode
            && n.text.contains("Z79.4")),
        "{notes:#?}"
    );
}

#[test]
fn chapter_notes_reach_the_codes_of_the_chapter() {
    let d = cm().lookup("A01.00", FY27).unwrap();
    assert!(cm().notes(d.node).iter().any(|(from, n)| *from == "1"
        && n.kind == NoteKind::UseAdditionalCode
        && n.text.contains("(Z16.-)")));
}

#[test]
fn fy2027_adds_deletes_and_retitles_codes() {
    // Added: C78.31 exists from FY2027 on, and the MCE starts it on 2026-10-01.
    assert!(cm().lookup("C78.31", FY26).is_none());
    let added = cm().lookup("C78.31", FY27).unwrap();
    assert_eq!(added.title, "Secondary malignant neoplasm of larynx");
    assert!(cm().valid_on("C78.31", date("2026-10-01")));
    assert!(!cm().valid_on("C78.31", date("2026-09-30")));
    // Its parent gained a child.
    let parent = cm().lookup("C78.3", FY27).unwrap();
    assert!(cm().children_in(parent.node, FY27).contains(&added.node));
    assert!(!cm().children_in(parent.node, FY26).contains(&added.node));
    // A new header with children of its own (E89.83 -> E89.830 ...).
    let header = cm().lookup("E89.83", FY27).unwrap();
    assert!(header.header && !cm().children_in(header.node, FY27).is_empty());
    // Deleted: S23.420 and its 7th-character codes end with FY2026.
    assert!(cm().lookup("S23.420A", FY26).is_some());
    assert!(cm().lookup("S23.420A", FY27).is_none());
    // Revised title.
    assert_eq!(
        cm().lookup("L02.232", FY26).unwrap().title,
        "Carbuncle of back [any part, except buttock]"
    );
    assert_eq!(
        cm().lookup("L02.232", FY27).unwrap().title,
        "Carbuncle of back [any part, except buttock and flank]"
    );
}

#[test]
fn the_edition_and_validity_follow_the_date_of_service() {
    assert_eq!(Edition::for_date(date("2026-09-30")), FY26);
    assert_eq!(Edition::for_date(date("2026-10-01")), FY27);
    // Z68.1 was valid through 2026-09-30 and not from 2026-10-01 (MCE v44).
    assert!(cm().valid_on("Z68.1", date("2026-09-30")));
    assert!(!cm().valid_on("Z68.1", date("2026-10-01")));
    assert!(cm().valid_on("I10", date("2026-11-22")));
    assert!(
        !cm().valid_on("I50", date("2026-11-22")),
        "headers are never valid on a claim"
    );
    assert_eq!(cm().lookup("I10", FY27).unwrap().mce_flags, ["qadm"]);
}

#[test]
fn every_answer_key_diagnosis_is_a_billable_code_valid_on_its_discharge_date() {
    let key: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/demo_answer_key.json")).unwrap();
    let charts =
        chartcoder::interchange::json::parse_charts(chartcoder::demo::DEMO_CHARTS_JSON.as_bytes())
            .unwrap();
    for (entry, (_, chart)) in key["charts"].as_array().unwrap().iter().zip(&charts) {
        let when = chart.encounter.discharge_date;
        for dx in entry["diagnoses"].as_array().unwrap() {
            let code = dx["code"].as_str().unwrap();
            let d = cm()
                .lookup(code, Edition::for_date(when))
                .unwrap_or_else(|| panic!("{code} ({})", chart.account));
            assert!(d.billable, "{code} is a header ({})", chart.account);
            assert!(
                cm().valid_on(code, when),
                "{code} not valid on {when} ({})",
                chart.account
            );
        }
    }
}

// ---- corrupt files: an error naming the file, the line and the problem

#[test]
fn a_truncated_tabular_names_its_file_and_line() {
    let xml = "<ICD10CM.tabular>\n<chapter><name>1</name>\n<desc>x</desc>\n<section id=\"A00-A09\">\n<diag><name>A00</name>";
    let err = tabular::parse("tabular.xml", xml).unwrap_err();
    assert_eq!(err.file, "tabular.xml");
    assert!(err.message.contains("truncated"), "{err}");
    let xml = "<ICD10CM.tabular>\n<chapter><name>1</name>\n<diag>\n<desc>no name</desc>\n</diag></chapter></ICD10CM.tabular>";
    let err = tabular::parse("tabular.xml", xml).unwrap_err();
    assert_eq!(
        (err.line, err.message.as_str()),
        (3, "a tabular entry without a name (code)")
    );
    let err = tabular::parse("tabular.xml", "<a>\n<b></c>\n</a>").unwrap_err();
    assert_eq!(err.line, 2, "{err}");
    assert!(
        err.to_string()
            .starts_with("code set file tabular.xml line 2: "),
        "{err}"
    );
}

#[test]
fn a_bad_mce_row_names_its_line() {
    let text = "code,start_date,end_date,flags\nA000,20151001,,\nA001,2015-10-01,,\n";
    let err: CodeSetError = codeset::parse_mce("mce.csv", text).unwrap_err();
    assert_eq!(
        (err.line, err.message.as_str()),
        (3, "start_date is not YYYYMMDD")
    );
    let err = codeset::parse_mce("mce.csv", "code,start,end\n").unwrap_err();
    assert_eq!(err.line, 1);
    let err = codeset::parse_mce(
        "mce.csv",
        "code,start_date,end_date,flags\nA000,20151001,20101001,\n",
    )
    .unwrap_err();
    assert!(err.message.contains("before"), "{err}");
}

#[test]
fn a_corrupt_gzip_file_is_named() {
    let err = codeset::text_of("codesets/x.xml.gz", b"\x1f\x8b\x08\x00garbage").unwrap_err();
    assert_eq!(err.file, "codesets/x.xml.gz");
    assert!(err.message.contains("gzip"), "{err}");
}

#[test]
fn a_bad_change_list_row_names_its_line() {
    let mut cm = IcdCm::from_nodes(Vec::new(), Default::default());
    let added = "code,codeDotted,billable,category,shortTitle,longTitle\nC7831,C78.31,true\n";
    let err = cm
        .apply_changes(
            FY27,
            ("icd10cm_fy2027_changes/added.csv", added),
            ("deleted.csv", "code\n"),
            ("revised.csv", "code,newLongTitle\n"),
        )
        .unwrap_err();
    assert_eq!(
        (err.file.as_str(), err.line),
        ("icd10cm_fy2027_changes/added.csv", 2),
        "{err}"
    );
    let err = cm
        .apply_changes(
            FY27,
            ("added.csv", "code,shortTitle\n"),
            ("deleted.csv", "code\n"),
            ("revised.csv", "code,newLongTitle\n"),
        )
        .unwrap_err();
    assert!(err.message.contains("longTitle"), "{err}");
}

// ---- ICD-10-PCS

fn pcs() -> &'static codeset::IcdPcs {
    static PCS: OnceLock<codeset::IcdPcs> = OnceLock::new();
    PCS.get_or_init(|| codeset::IcdPcs::load_bundled().unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn the_pcs_tables_expand_to_every_code_of_the_release() {
    // 914 tables, 2,733 rows, 79,115 codes (README of the sources).
    assert_eq!(pcs().tables.tables.len(), 914);
    assert_eq!(
        pcs()
            .tables
            .tables
            .iter()
            .map(|t| t.rows.len())
            .sum::<usize>(),
        2_733
    );
    assert_eq!(pcs().tables.count(), 79_115);
}

#[test]
fn pcs_codes_are_valid_only_as_a_row_allows_and_titled_from_the_axes() {
    let appendectomy = pcs().tables.lookup("0dtj4zz").unwrap();
    assert_eq!(
        appendectomy.title,
        "Resection of Appendix, Percutaneous Endoscopic Approach"
    );
    assert_eq!(
        appendectomy.axes[4],
        (
            "Approach".to_string(),
            "Percutaneous Endoscopic".to_string()
        )
    );
    assert!(
        appendectomy
            .definition
            .unwrap()
            .starts_with("Cutting out or off, without replacement, all of a body part")
    );
    // Table 001, body part 6: qualifier 0 comes only with devices 7, J, K (row 1);
    // no device (Z) only with qualifier B (row 2). Z with 0 is in no row.
    assert!(pcs().tables.lookup("0016070").is_some());
    assert!(pcs().tables.lookup("00160ZB").is_some());
    assert!(pcs().tables.lookup("00160Z0").is_none());
    assert!(
        pcs().tables.lookup("0DTJ4ZO").is_none(),
        "O is never a PCS character"
    );
    assert!(pcs().tables.lookup("0DTJ4Z").is_none());
    assert!(pcs().valid_on("0DTJ4ZZ", date("2026-11-22")));
}

#[test]
fn every_answer_key_pcs_code_is_in_the_tables_and_valid_on_its_date() {
    let key: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/demo_answer_key.json")).unwrap();
    let charts =
        chartcoder::interchange::json::parse_charts(chartcoder::demo::DEMO_CHARTS_JSON.as_bytes())
            .unwrap();
    let mut checked = 0;
    for (entry, (_, chart)) in key["charts"].as_array().unwrap().iter().zip(&charts) {
        for px in entry["procedures"].as_array().unwrap() {
            let code = px["code"].as_str().unwrap();
            if code.len() != 7 {
                continue; // CPT/HCPCS
            }
            assert!(
                pcs().tables.lookup(code).is_some(),
                "{code} ({})",
                chart.account
            );
            assert!(
                pcs().valid_on(code, chart.encounter.discharge_date),
                "{code} ({})",
                chart.account
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 18, "every PCS code of the answer key was checked");
}

#[test]
fn a_bad_pcs_table_names_its_line() {
    let xml = "<ICD10PCS.tabular>\n<pcsTable>\n<axis pos=\"1\"><title>Section</title><label code=\"0\">M</label></axis>\n<pcsRow codes=\"1\">\n<axis pos=\"4\"><title>Body Part</title><label code=\"6\">X</label></axis>\n</pcsRow>\n</pcsTable>\n</ICD10PCS.tabular>";
    let err = codeset::pcs::parse("tables.xml", xml).unwrap_err();
    assert_eq!(
        (err.line, err.message.as_str()),
        (6, "a row with 1 axes instead of 4"),
        "{err}"
    );
    let err =
        codeset::pcs::parse("tables.xml", "<ICD10PCS.tabular>\n</ICD10PCS.tabular>").unwrap_err();
    assert!(
        err.message.contains("not an ICD-10-PCS tables file"),
        "{err}"
    );
}

#[test]
fn entity_and_character_references_are_resolved_in_titles() {
    let xml = "<ICD10CM.tabular><chapter><name>1</name><desc>c</desc><diag><name>A00</name>\
               <desc>Crohn&apos;s &amp; colitis, caf&#233; &lt;test&gt;</desc></diag></chapter></ICD10CM.tabular>";
    let nodes = tabular::parse("t.xml", xml).unwrap();
    assert_eq!(nodes[1].title, "Crohn's & colitis, café <test>");
    let err = tabular::parse(
        "t.xml",
        "<a><diag><name>A00</name><desc>&nbsp;</desc></diag></a>",
    )
    .unwrap_err();
    assert!(err.message.contains("unknown entity"), "{err}");
}

// ---- HCPCS Level II

#[test]
fn hcpcs_codes_modifiers_and_continued_descriptions_load() {
    let h = codeset::load_hcpcs().unwrap();
    assert_eq!((h.codes(), h.modifiers()), (7_125, 375));
    let awv = h.lookup("g0439").unwrap();
    assert_eq!(awv.short_description, "Ppps, subseq visit");
    // G0503's long description continues on a record 4 line.
    let g0503 = h.lookup("G0503").unwrap();
    assert!(
        g0503
            .long_description
            .starts_with("Subsequent psychiatric collaborative care management")
    );
    assert!(
        g0503.long_description.ends_with(
            "other treatment goals and are prepared for discharge from active treatment"
        ),
        "{}",
        g0503.long_description
    );
    let lt = h.lookup("LT").unwrap();
    assert!(lt.modifier);
    assert_eq!(
        lt.long_description,
        "Left side (used to identify procedures performed on the left side of the body)"
    );
    assert!(h.lookup("99213").is_none(), "no CPT is bundled");
}

#[test]
fn a_bad_hcpcs_row_names_its_line() {
    let header = "hcpcs,seqnum,recid,long_description,short_description\n";
    let err = codeset::hcpcs::parse(
        "h.csv",
        &format!("{header}A0001,0010,3,x,x\nA0002,0020,4,y,\n"),
    )
    .err()
    .unwrap();
    assert_eq!(
        (err.line, err.message.as_str()),
        (3, "a continuation of A0002 that does not follow it")
    );
    let err = codeset::hcpcs::parse("h.csv", &format!("{header}A0001,0010,9,x,x\n"))
        .err()
        .unwrap();
    assert!(err.message.contains("unknown record id"), "{err}");
    let err = codeset::hcpcs::parse("h.csv", &format!("{header}A001,0010,3,x,x\n"))
        .err()
        .unwrap();
    assert!(
        err.message.contains("is not a HCPCS Level II code"),
        "{err}"
    );
    let err = codeset::hcpcs::parse("h.csv", "code,desc\n").err().unwrap();
    assert!(err.message.contains("lacks the column hcpcs"), "{err}");
}

fn index() -> &'static [codeset::index::IndexFile] {
    static INDEX: OnceLock<Vec<codeset::index::IndexFile>> = OnceLock::new();
    INDEX.get_or_init(|| codeset::load_index().unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn the_alphabetic_index_and_its_tables_load_whole() {
    use codeset::index::IndexSource;
    let files = index();
    let count = |s: IndexSource| files.iter().find(|f| f.source == s).unwrap().terms.len();
    // Row counts of the FY2025 release (README of the sources).
    assert_eq!(count(IndexSource::Diseases), 81_024);
    let drugs = files
        .iter()
        .find(|f| f.source == IndexSource::Drugs)
        .unwrap();
    assert_eq!(drugs.terms.iter().filter(|t| t.level == 0).count(), 5_177);
    assert_eq!(drugs.heading(6), Some("Adverse effect"));
    let neo = files
        .iter()
        .find(|f| f.source == IndexSource::Neoplasms)
        .unwrap();
    assert_eq!(neo.terms.len(), 1_939);
    assert!(count(IndexSource::ExternalCauses) > 8_000);
}

#[test]
fn pneumonia_main_term_points_at_j18_9_and_its_subterms_at_their_codes() {
    let diseases = &index()[0];
    let main = diseases
        .terms
        .iter()
        .position(|t| t.level == 0 && t.title == "Pneumonia")
        .unwrap();
    assert_eq!(diseases.terms[main].code.as_deref(), Some("J18.9"));
    assert!(diseases.terms[main].modifiers.contains("(acute)"));
    let aspiration = diseases
        .terms
        .iter()
        .enumerate()
        .find(|(i, t)| t.parent == Some(main as u32) && t.title == "aspiration" && *i > main)
        .map(|(i, _)| i)
        .unwrap();
    assert_eq!(diseases.path(aspiration), vec!["Pneumonia", "aspiration"]);
    assert_eq!(diseases.terms[aspiration].code.as_deref(), Some("J69.0"));
}

#[test]
fn the_drug_table_gives_one_code_per_intent_column() {
    let drugs = &index()[1];
    let acetaminophen = drugs
        .terms
        .iter()
        .find(|t| t.level == 0 && t.title == "Acetaminophen")
        .unwrap();
    let cell = |c: u8| {
        acetaminophen
            .cells
            .iter()
            .find(|(col, _)| *col == c)
            .map(|(_, code)| code.as_str())
    };
    assert_eq!(cell(2), Some("T39.1X1"));
    assert_eq!(cell(3), Some("T39.1X2"));
    assert_eq!(cell(6), Some("T39.1X5"));
    assert_eq!(cell(7), Some("T39.1X6"));
}

#[test]
fn index_codes_missing_from_the_edition_are_known_as_such() {
    // The FY2025 index points at some codes that FY2026/FY2027 subdivided: complete
    // then, headers now. Search must show these as incomplete, not offer them.
    let subdivided: Vec<&str> = index()[0]
        .terms
        .iter()
        .filter_map(|t| t.code.as_deref())
        .filter(|c| !c.ends_with('-'))
        .filter(|c| {
            let d = cm()
                .lookup(c, FY27)
                .unwrap_or_else(|| panic!("{c} not in FY2027"));
            !d.billable && !cm().children_in(d.node, FY27).is_empty()
        })
        .collect();
    assert!(!subdivided.is_empty());
}

#[test]
fn a_bad_index_file_names_its_line() {
    use codeset::index::{IndexSource, parse_xml};
    let text = "<?xml version=\"1.0\"?>\n<ICD10CM.index>\n<letter><title>A</title>\n<mainTerm><title>Fall</title>\n<code>W19 X</code></mainTerm></letter></ICD10CM.index>\n";
    let e = parse_xml("eindex.xml", text, IndexSource::ExternalCauses).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("eindex.xml", 5));
    let cut = "<?xml version=\"1.0\"?>\n<ICD10CM.index>\n<letter><title>A</title>\n<mainTerm><title>Fall</title>\n";
    let e = parse_xml("eindex.xml", cut, IndexSource::ExternalCauses).unwrap_err();
    assert!(e.message.contains("truncated"), "{e}");
}

#[test]
fn pcs_definitions_explain_the_values_of_a_code() {
    let text = pcs().describe("0DTJ4ZZ", date("2026-03-01")).unwrap();
    assert!(text.contains("Resection"), "{text}");
    // The root operation's definition and the approach's, from the Definitions file.
    assert!(
        text.contains("Cutting out or off, without replacement, all of a body part"),
        "{text}"
    );
    assert!(
        text.contains("Entry, by puncture or minor incision"),
        "{text}"
    );
    // The body part key: the appendix includes the vermiform appendix.
    assert!(text.contains("Vermiform appendix"), "{text}");
    let toe = pcs().definitions.get('0', 4, "1st Toe, Left").unwrap();
    assert_eq!(toe.includes, vec!["Hallux".to_string()]);
}

#[test]
fn cc_mcc_lists_and_the_hcc_map_load_from_the_official_tables() {
    use codeset::risk::{self, Severity};
    let cc = risk::load_cc_mcc().unwrap();
    // Table 6J has 15,078 CCs and Table 6I 3,354 MCCs (README of the sources).
    assert_eq!(cc.counts(), (15_078, 3_354));
    assert_eq!(cc.severity("I50.23"), Some(Severity::Mcc)); // acute on chronic systolic HF
    assert_eq!(cc.severity("I50.22"), Some(Severity::Cc)); // chronic systolic HF
    assert_eq!(cc.severity("I50.9"), None); // unspecified HF: neither
    assert_eq!(cc.severity("A41.9"), Some(Severity::Mcc));
    let hcc = risk::load_hcc().unwrap();
    assert_eq!(hcc.hccs("E11.65"), [38]);
    assert_eq!(hcc.hccs("I50.9"), [226]);
    assert!(hcc.hccs("J18.9").is_empty());
    assert!(
        hcc.label(38).unwrap().contains("Diabetes"),
        "{:?}",
        hcc.label(38)
    );
}

// The code-set cache (`reference::cache`): what a start reads instead of
// parsing the official files.

use chartcoder::codeset::{
    BUNDLED_EDITIONS, EditionFiles, EditionRow, EditionSet, Parsed, SourceFile, Sources, snapshot,
};
use chartcoder::reference::cache;

/// The parsed code sets as bytes: equal bytes, equal code sets (the encoding
/// writes every map in key order).
fn bytes_of(p: &Parsed) -> Vec<u8> {
    snapshot::encode(p)
}

fn uncached(sources: &Sources) -> Vec<u8> {
    bytes_of(&Parsed::parse(sources).unwrap_or_else(|e| panic!("{e}")))
}

fn bundled_uncached() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| uncached(&Sources::BUNDLED))
}

#[test]
fn the_code_set_cache_is_written_private_and_reused_while_fresh() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (first, report) = cache::load_or_parse(Some(dir.path()), &Sources::BUNDLED).unwrap();
    assert!(!report.from_cache && report.notice.is_none(), "{report:?}");
    let file = dir.path().join(cache::FILE_NAME);
    assert_eq!(report.cache_file.as_deref(), Some(file.as_path()));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "owner-only");
    let written = std::fs::metadata(&file).unwrap().modified().unwrap();
    let (again, report) = cache::load_or_parse(Some(dir.path()), &Sources::BUNDLED).unwrap();
    assert!(report.from_cache && report.notice.is_none(), "{report:?}");
    assert_eq!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        written,
        "a fresh cache is read, not rewritten"
    );
    assert!(bytes_of(&first) == bundled_uncached());
    assert!(bytes_of(&again) == bundled_uncached(), "cached = uncached");
    // What the rules ask of it answers the same.
    let t45 = again.cm.lookup("T45.0X1A", FY27).unwrap();
    assert_eq!(t45, cm().lookup("T45.0X1A", FY27).unwrap());
    assert!(again.pcs.valid_on("0DTJ4ZZ", date("2026-10-27")));
}

#[test]
fn the_code_set_cache_is_rebuilt_when_a_source_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    cache::load_or_parse(Some(dir.path()), &Sources::BUNDLED).unwrap();
    // Next year's revised list retitles L02.232 once more.
    let EditionFiles::Changes {
        added,
        deleted,
        revised: fy2027_revised,
    } = BUNDLED_EDITIONS[1].files
    else {
        panic!("FY2027 is a change list")
    };
    let revised = std::str::from_utf8(fy2027_revised.bytes)
        .unwrap()
        .replace(
            "\"Carbuncle of back [any part, except buttock and flank]\",\"Carbuncle of back [any part, except buttock]\"",
            "\"Carbuncle of back, retitled\",\"Carbuncle of back [any part, except buttock]\"",
        );
    assert!(revised.contains("retitled"));
    let mut table = BUNDLED_EDITIONS;
    table[1].files = EditionFiles::Changes {
        added,
        deleted,
        revised: SourceFile {
            path: fy2027_revised.path,
            bytes: Box::leak(revised.into_bytes().into_boxed_slice()),
        },
    };
    let mut changed = Sources::BUNDLED;
    changed.editions = Box::leak(Box::new(table));
    assert_ne!(
        cache::fingerprint(&changed),
        cache::fingerprint(&Sources::BUNDLED)
    );
    let (rebuilt, report) = cache::load_or_parse(Some(dir.path()), &changed).unwrap();
    assert!(!report.from_cache, "a changed source file is parsed again");
    assert!(report.notice.is_none(), "a stale cache is replaced quietly");
    let title = |p: &Parsed| p.cm.lookup("L02.232", FY27).unwrap().title;
    assert_eq!(title(&rebuilt), "Carbuncle of back, retitled");
    let (cached, report) = cache::load_or_parse(Some(dir.path()), &changed).unwrap();
    assert!(report.from_cache, "and cached again");
    assert_eq!(title(&cached), "Carbuncle of back, retitled");
    assert!(bytes_of(&cached) == uncached(&changed));
}

#[test]
fn a_damaged_code_set_cache_is_rebuilt_with_nothing_lost_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(cache::FILE_NAME);
    cache::load_or_parse(Some(dir.path()), &Sources::BUNDLED).unwrap();
    let good = std::fs::read(&file).unwrap();
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x40;
    let damaged: [(&str, Vec<u8>); 5] = [
        ("truncated", good[..good.len() / 2].to_vec()),
        ("header only", good[..20].to_vec()),
        ("a byte flipped", flipped),
        ("empty", Vec::new()),
        (
            "another file",
            b"CCSEARCH and more bytes than a header".to_vec(),
        ),
    ];
    for (what, bytes) in damaged {
        std::fs::write(&file, &bytes).unwrap();
        let (parsed, report) = cache::load_or_parse(Some(dir.path()), &Sources::BUNDLED).unwrap();
        assert!(!report.from_cache, "{what}");
        let notice = report.notice.unwrap_or_default();
        assert!(
            notice.contains("damaged") && notice.contains("rebuilt"),
            "{what}: {notice}"
        );
        assert!(
            bytes_of(&parsed) == bundled_uncached(),
            "{what}: nothing lost"
        );
        assert_eq!(
            std::fs::read(&file).unwrap(),
            good,
            "{what}: rewritten whole"
        );
    }
    // Another fingerprint (other sources, another build) is stale, not damage.
    let fp = cache::fingerprint(&Sources::BUNDLED);
    assert!(cache::decode(&good, fp).is_ok());
    assert_eq!(
        cache::decode(&good, fp ^ 1).err(),
        Some(cache::Unusable::Stale)
    );
}

#[test]
fn the_code_set_cache_survives_a_folder_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("not-a-folder");
    std::fs::write(&blocked, "a file where the cache folder should be").unwrap();
    let (parsed, report) = cache::load_or_parse(Some(&blocked), &Sources::BUNDLED).unwrap();
    assert!(!report.from_cache);
    assert!(
        report
            .notice
            .as_deref()
            .unwrap_or("")
            .contains("cannot write the code-set cache"),
        "{report:?}"
    );
    assert!(bytes_of(&parsed) == bundled_uncached());
}

// ---- The table of editions

#[test]
fn every_edition_of_the_table_loads_and_the_dates_map_to_exactly_one() {
    let cm = cm();
    assert!(matches!(
        BUNDLED_EDITIONS[0].files,
        EditionFiles::Tabular(_)
    ));
    assert_eq!(Edition::ALL.len(), BUNDLED_EDITIONS.len());
    for (row, (e, r)) in Edition::ALL.iter().zip(&BUNDLED_EDITIONS).enumerate() {
        assert_eq!(e.row(), row);
        assert_eq!(e.label(), r.label);
        assert_eq!(Edition::from_label(r.label), Some(*e));
        assert_eq!(e.period().start, r.first_day());
        if row > 0 {
            assert!(
                matches!(r.files, EditionFiles::Changes { .. }),
                "{}",
                r.label
            );
            assert!(r.first_day() > BUNDLED_EDITIONS[row - 1].first_day());
        }
        // Every edition has the bulk of the tabular's codes: tens of
        // thousands of leaves (before the codes their 7th characters build).
        let billable = (0..cm.nodes.len())
            .filter(|&n| cm.nodes[n].kind == codeset::NodeKind::Code && cm.in_edition(n, *e))
            .filter(|&n| cm.children_in(n, *e).is_empty())
            .count();
        assert!(billable > 10_000, "{}: {billable} leaf codes", r.label);
        assert!(cm.lookup("I10", *e).is_some_and(|d| d.edition == *e));
    }
    // Every day from the oldest edition's first day to a year past the
    // newest's is in exactly one edition's period, the one for_date gives.
    let first = BUNDLED_EDITIONS[0].first_day();
    let last = BUNDLED_EDITIONS[BUNDLED_EDITIONS.len() - 1].first_day() + chrono::Days::new(366);
    let mut day = first;
    while day <= last {
        let holding: Vec<Edition> = Edition::ALL
            .into_iter()
            .filter(|e| e.period().contains(day))
            .collect();
        assert_eq!(holding, [Edition::for_date(day)], "{day}");
        day = day.succ_opt().unwrap();
    }
    let newest = Edition::ALL[Edition::ALL.len() - 1];
    assert_eq!(newest.period().end, None, "the newest stays in force");
    assert_eq!(
        Edition::for_date(first.pred_opt().unwrap()),
        Edition::ALL[0]
    );
    assert_eq!(Edition::from_label("FY1999"), None);
}

/// The bundled table with a synthetic FY2028 row (tests/fixtures/fy2028_changes):
/// E11.621 deleted, E11.62A added with its title, I10 retitled.
fn with_fy2028() -> &'static [EditionRow] {
    let fixture = |path: &'static str, bytes: &'static [u8]| SourceFile { path, bytes };
    let mut table = BUNDLED_EDITIONS.to_vec();
    table.push(EditionRow {
        label: "FY2028",
        first_day: (2027, 10, 1),
        files: EditionFiles::Changes {
            added: fixture(
                "fy2028_changes/added.csv",
                include_bytes!("fixtures/fy2028_changes/added.csv"),
            ),
            deleted: fixture(
                "fy2028_changes/deleted.csv",
                include_bytes!("fixtures/fy2028_changes/deleted.csv"),
            ),
            revised: fixture(
                "fy2028_changes/revised.csv",
                include_bytes!("fixtures/fy2028_changes/revised.csv"),
            ),
        },
    });
    Box::leak(table.into_boxed_slice())
}

#[test]
fn a_new_edition_is_one_row_and_its_change_lists() {
    let table = with_fy2028();
    let mut sources = Sources::BUNDLED;
    sources.editions = table;
    let cm = IcdCm::load(&sources).unwrap();
    let fy28 = Edition::at(2).unwrap();
    let editions = |code: &str| cm.editions_of(code).iter().collect::<Vec<_>>();
    // Added from FY2028 on; deleted from FY2028 on; others in all three.
    assert_eq!(editions("E11.62A"), [fy28]);
    assert_eq!(editions("E11.621"), [FY26, FY27]);
    assert_eq!(editions("E11.9"), [FY26, FY27, fy28]);
    // Deleted in FY2027: not back in FY2028.
    assert!(!cm.in_edition_code("S23.420", fy28));
    assert!(cm.in_edition_code("S23.420", FY26));
    assert_eq!(cm.deleted_in("E11.621"), Some(fy28));
    assert_eq!(cm.deleted_in("S23.420"), Some(FY27));
    // Titles: FY2028's revision from FY2028 on; FY2027's stays in FY2028.
    let title = |code: &str, e: Edition| cm.lookup(code, e).map(|d| d.title);
    assert_eq!(
        title("I10", fy28).as_deref(),
        Some("Essential (primary) hypertension, synthetic FY2028 title")
    );
    assert_eq!(
        title("I10", FY27).as_deref(),
        Some("Essential (primary) hypertension")
    );
    assert_eq!(
        title("L02.232", fy28).as_deref(),
        Some("Carbuncle of back [any part, except buttock and flank]")
    );
    // The added code sits under its category; its replacement is named.
    let e1162 = cm.lookup("E11.62", fy28).unwrap();
    let added = cm.lookup("E11.62A", fy28).unwrap();
    assert!(cm.children_in(e1162.node, fy28).contains(&added.node));
    assert!(!cm.children_in(e1162.node, FY27).contains(&added.node));
    let r = cm.replacement("E11.621").unwrap();
    assert_eq!(
        (r.edition, r.same_title.as_slice()),
        (fy28, ["E11.62A".to_string()].as_slice())
    );
    assert_eq!(cm.lookup_elsewhere("E11.621", fy28).unwrap().edition, FY27);
    // The bundled editions are untouched by the extra row.
    assert_eq!(
        cm.lookup("E11.621", FY27),
        self::cm().lookup("E11.621", FY27)
    );
    // The code-set cache is keyed on the table: a new row is a new key.
    assert_ne!(
        cache::fingerprint(&sources),
        cache::fingerprint(&Sources::BUNDLED)
    );
    assert_ne!(
        codeset::editions_key(table),
        codeset::editions_key(&BUNDLED_EDITIONS)
    );
    let sets: EditionSet = cm.editions_of("E11.62A");
    assert!(sets.contains(fy28) && !sets.contains(FY27));
}

#[test]
fn an_edition_after_the_oldest_must_be_change_lists() {
    let mut table = BUNDLED_EDITIONS;
    table[1].files = BUNDLED_EDITIONS[0].files;
    let mut sources = Sources::BUNDLED;
    sources.editions = Box::leak(Box::new(table));
    let err = IcdCm::load(&sources).err().unwrap();
    assert_eq!(err.file, "FY2027", "{err}");
    let mut table = BUNDLED_EDITIONS;
    table[0].files = BUNDLED_EDITIONS[1].files;
    sources.editions = Box::leak(Box::new(table));
    assert!(
        IcdCm::load(&sources)
            .err()
            .unwrap()
            .message
            .contains("oldest")
    );
}
