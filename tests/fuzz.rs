//! Property tests on every parser chartcoder owns: random bytes, and valid
//! samples with random bytes deleted, inserted and replaced, never make a
//! parser panic; what it refuses comes with a position (a line, or the chart
//! and line of an import) and a message. 400 cases per property: 12,800
//! parser runs in all. And the one sanitiser for shown text, on any Unicode:
//! no control or bidirectional character gets through.

use chartcoder::codeset::{self, index, pcs, risk, tabular, user_table};
use chartcoder::config::Config;
use chartcoder::edits::site::{Mue, Ptp, parse_poa_exempt};
use chartcoder::interchange::json;
use chartcoder::query::templates;
use proptest::prelude::*;

/// One edit of a sample: where (a fraction of its length), what, which byte.
type Edit = (f64, u8, u8);

fn mutate(sample: &str, edits: &[Edit]) -> String {
    let mut bytes = sample.as_bytes().to_vec();
    for &(at, op, byte) in edits {
        let i = ((bytes.len() as f64) * at) as usize;
        match op % 3 {
            0 if i < bytes.len() => {
                bytes.remove(i);
            }
            1 => bytes.insert(i.min(bytes.len()), byte),
            _ if i < bytes.len() => bytes[i] = byte,
            _ => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    proptest::collection::vec((0.0..1.0f64, any::<u8>(), any::<u8>()), 0..8)
}

fn noise() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<u8>(), 0..300)
        .prop_map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// A code-set error points at a line of the text (or at the file, line 0).
fn positioned(e: &codeset::CodeSetError, text: &str) -> bool {
    e.line <= text.lines().count() + 1 && !e.to_string().is_empty()
}

/// Each case runs 32 parsers: 2 (import), 2 (config), 10 (code sets), 8
/// (other loaders), 8 (site tables) and 2 (templates). 400 per property in
/// CI; `CHARTCODER_FUZZ_CASES=N` for a longer run.
fn cases() -> u32 {
    std::env::var("CHARTCODER_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400)
}

/// Valid samples, small, in each format.
const CHART: &str = r#"{"charts": [{"account": "A1", "mrn": "M1", "status": "ready",
 "patient": {"name": "Pat Test", "birth_date": "1950-01-02", "sex": "F"},
 "encounter": {"type": "inpatient", "admit_date": "2026-10-01", "discharge_date": "2026-10-04", "disposition": "01"},
 "documents": [{"kind": "discharge_summary", "author": "Dr. A", "date": "2026-10-04", "text": "x"}],
 "diagnoses": [{"code": "I50.9", "poa": "Y"}], "procedures": []}]}"#;
const MCE: &str =
    "code,start_date,end_date,flags\nA000,20151001,,\nN400,20151001,20240930,adult|male\n";
const CC: &str = "TABLE 6J\nDiagnosis Code\tDescription\nA00.0\tCholera\n";
const CC_6K: &str = "K Part 1: List\n I10 Dx  Lev PDX Exclusions\n A021    MCC 0005:1 codes  x\n\nPDX collection 0005\n  A021    x\n\nK Part 2: alive\n  I469    x\n";
const USER_TABLE: &str = "code,description,short_description\n10001,Made-up procedure one,One\n10002,\"Made-up, two\",Two\n";
const PTP: &str = "Column 1\tColumn 2\t*\tEffective\tDeletion\tModifier\tRationale\n10001\t10002\t\t20200101\t*\t1\tx\n";
const MUE: &str =
    "HCPCS/CPT Code,MUE Value,MAI,Rationale\n10001,1,2 Date of Service Edit: Policy,x\n";
const EXEMPT: &str = "Code\tDescription\nZ87.891\tx\n";
const TEMPLATE: &str = "name = \"x\"\nformat = \"multiple_choice\"\nquestion = \"q\"\nlook_for = [\"a\"]\noptions = [\"b\"]\n";
const TABULAR: &str = "<ICD10CM.tabular><chapter><name>9</name><desc>Circulatory</desc><section id=\"I30-I5A\"><desc>Other</desc><diag><name>I50</name><desc>Heart failure</desc><excludes2><note>cardiac arrest (I46.-)</note></excludes2><diag><name>I50.9</name><desc>Heart failure, unspecified</desc></diag></diag></section></chapter></ICD10CM.tabular>";
const INDEX_CSV: &str = "RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n1,P,0,Pneumonia,,,,J18.9\n2,P,1,aspiration,,,,J69.0\n";
const CONFIG: &str =
    "[database]\nbusy_timeout_ms = 100\n[keys.chart]\nadd_diagnosis = [\"a\", \"d\"]\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn the_chart_import_never_panics_and_names_the_position(e in edits(), n in noise()) {
        for input in [mutate(CHART, &e), n] {
            if let Err(problems) = json::parse_charts(input.as_bytes()) {
                prop_assert!(!problems.is_empty());
                for p in problems {
                    prop_assert!(!p.position.is_empty() && !p.message.is_empty(), "{p}");
                }
            }
        }
    }

    #[test]
    fn the_config_never_panics(e in edits(), n in noise()) {
        for input in [mutate(CONFIG, &e), n] {
            if let Err(err) = Config::from_toml_over_defaults(&input, "fuzz.toml") {
                prop_assert!(err.to_string().contains("fuzz.toml"), "{err}");
            }
        }
    }

    #[test]
    fn the_code_set_loaders_never_panic(e in edits(), n in noise()) {
        for (sample, which) in [(MCE, 0), (CC, 1), (CC_6K, 2), (TABULAR, 3), (INDEX_CSV, 4)] {
            for input in [mutate(sample, &e), n.clone()] {
                    let err = match which {
                    0 => codeset::parse_mce("f", &input).err(),
                    1 => risk::parse_code_list("f", &input).err(),
                    2 => risk::parse_cc_exclusions("f", &input).err(),
                    3 => tabular::parse("f", &input).err(),
                    _ => index::parse_flattened("f", &input).err(),
                };
                if let Some(err) = err {
                    prop_assert!(positioned(&err, &input), "{err}");
                }
            }
        }
    }

    #[test]
    fn the_other_xml_and_table_loaders_never_panic(n in noise(), e in edits()) {
        let xml = mutate("<ICD10PCS.tabular><pcsTable><axis pos=\"1\" values=\"1\"><title>Section</title><label code=\"0\">Medical</label></axis></pcsTable></ICD10PCS.tabular>", &e);
        for input in [xml, n] {
            let _ = pcs::parse("f", &input);
            let _ = pcs::parse_definitions("f", &input);
            let _ = index::parse_xml("f", &input, index::IndexSource::Drugs);
            let _ = codeset::hcpcs::parse("f", &input);
        }
    }

    #[test]
    fn the_site_tables_never_panic(e in edits(), n in noise()) {
        for (sample, which) in [(USER_TABLE, 0), (PTP, 1), (MUE, 2), (EXEMPT, 3)] {
            for input in [mutate(sample, &e), n.clone()] {
                    let err = match which {
                    0 => user_table::parse("f", &input).err(),
                    1 => Ptp::parse("f", &input).err(),
                    2 => Mue::parse("f", &input).err(),
                    _ => parse_poa_exempt("f", &input).err(),
                };
                if let Some(err) = err {
                    prop_assert!(positioned(&err, &input), "{err}");
                }
            }
        }
    }

    #[test]
    fn query_templates_never_panic(e in edits(), n in noise()) {
        for input in [mutate(TEMPLATE, &e), n] {
            if let Err(err) = templates::parse("site/t.toml", &input) {
                prop_assert_eq!(err.file, "site/t.toml");
                prop_assert!(!err.message.is_empty());
            }
        }
    }
}

/// Any Unicode, weighted towards what a hostile chart holds: controls, ESC
/// sequences, C1, bidirectional overrides, combining marks, wide characters.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        any::<char>().prop_map(String::from),
        (0u32..0x20).prop_map(|c| char::from_u32(c).map(String::from).unwrap_or_default()),
        (0x7Fu32..0xA0).prop_map(|c| char::from_u32(c).map(String::from).unwrap_or_default()),
        prop::sample::select(vec![
            "\u{1b}[2J",
            "\u{1b}]0;title\u{7}",
            "\u{1b}]52;c;ZXZpbA==\u{7}",
            "\u{202E}",
            "\u{2066}",
            "\u{200F}",
            "\u{61C}",
            "\r\n",
            "\t",
            "é",
            "田",
            "👩‍⚕️",
            "a\u{301}",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z ,.]{0,8}",
    ];
    proptest::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// One sanitiser for every text shown: nothing unsafe comes out (newline
    /// and tab only where a text keeps its lines), safe text comes out as it
    /// went in, and the screen's stripping keeps every safe character.
    #[test]
    fn the_sanitiser_lets_no_control_or_bidi_character_through(s in hostile_text()) {
        use chartcoder::sanitize::{is_unsafe, line, strip, text};
        let one = line(&s);
        prop_assert!(!one.chars().any(is_unsafe), "{:?} -> {:?}", s, one);
        let lines = text(&s);
        prop_assert!(!lines.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'), "{:?}", lines);
        prop_assert_eq!(lines.matches('\n').count(), s.matches('\n').count());
        let stripped = strip(&s);
        prop_assert!(!stripped.chars().any(is_unsafe));
        let safe: String = s.chars().filter(|&c| !is_unsafe(c)).collect();
        prop_assert_eq!(stripped.as_ref(), safe.as_str());
        if !s.chars().any(is_unsafe) {
            prop_assert_eq!(one.as_ref(), s.as_str());
        }
        // Every safe character is still there, in order, in the visible form.
        let mut rest = one.chars();
        for c in safe.chars() {
            prop_assert!(rest.any(|d| d == c), "{:?} lost from {:?}", c, one);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// The text helpers the workstation applies to document text, on any
    /// Unicode (lower-casing that changes byte lengths included): no panic,
    /// every place on a character boundary of the original.
    #[test]
    fn the_ui_text_helpers_never_panic_and_keep_to_char_boundaries(
        text in hostile_text(),
        phrase in prop_oneof![hostile_text(), "[kKİıß\u{212A}a-z ]{1,4}"],
        width in 1usize..40,
    ) {
        use chartcoder::tui::text::{find_all_ignore_case, find_ignore_case};
        let text = format!("{text}\u{212A}bnp İİ {phrase}. ß{text}");
        let all = find_all_ignore_case(&text, &phrase);
        let mut last_end = 0;
        for r in &all {
            prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            prop_assert!(r.start >= last_end && r.start < r.end);
            last_end = r.end;
            let lowered: String = text[r.clone()].to_lowercase();
            let needle: String = phrase.to_lowercase();
            prop_assert!(lowered.contains(&needle), "{:?} in {:?}", needle, lowered);
        }
        prop_assert_eq!(find_ignore_case(&text, &phrase), all.first().cloned());
        if !phrase.is_empty() {
            prop_assert!(!all.is_empty(), "the phrase put into the text is found");
        }
        if let Some(sentence) = chartcoder::tui::query_form::sentence_with(&text, &phrase) {
            prop_assert!(text.contains(&sentence));
        }
        let rows = chartcoder::tui::chart::wrap_lines(&text, width);
        for row in &rows {
            prop_assert!(row.chars().count() <= width, "{:?} wider than {}", row, width);
        }
        let kept: String = rows.concat().chars().filter(|c| *c != ' ').collect();
        let given: String = text.lines().collect::<String>().chars().filter(|c| *c != ' ').collect();
        prop_assert_eq!(kept, given, "wrapping loses or adds nothing but spaces");
        let n = text.chars().count();
        for i in chartcoder::search::highlight(&text, &phrase) {
            prop_assert!(i < n);
        }
    }
}
