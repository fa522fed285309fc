//! What the words say of the axes of the sections after Medical and
//! Surgical that no root operation names: how long a ventilation ran (the
//! Duration, 5th character, of tables 5A0 and 5A1), a contrast agent named
//! by its trade or generic name (the Contrast of section B), and a quantity
//! of the record ("50 min", "2 mg", "48 hours") that is not an HCPCS
//! descriptor's unit.

use crate::search::synonyms::{OTHER_SECTIONS, OTHER_SECTIONS_PATH, Synonym, parse};
use crate::search::text::index_words;
use std::sync::OnceLock;

/// Points for a code of a section after Medical and Surgical one of whose
/// axis values, a label of two words or more ("High Velocity-Low
/// Amplitude", "Low Osmolar", "Muscle Energy-Isometric"), the words say in
/// its own order, typed or by an abbreviation of this project's list
/// ("HVLA"): the words of "Low Velocity-High Amplitude" are the same, their
/// order is not.
const LABEL_IN_ORDER: f32 = 4.0;

/// What a query's words say of the axes of the sections after Medical and
/// Surgical.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OtherSections {
    /// The Duration of a ventilation the words' hours give.
    duration: Option<u8>,
    /// The words say a ventilator breathes for the patient.
    mechanical: bool,
    /// The words say monitoring.
    monitoring: bool,
    /// The runs of words said in order (`runs`).
    runs: Vec<Vec<String>>,
    /// The words name substance abuse.
    substance: bool,
    /// The words said, for the values they leave unsaid (`unsaid_bonus`).
    said: Unsaid,
}

/// Words whose absence picks a value of the sections after Medical and
/// Surgical (`unsaid_bonus`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Unsaid {
    /// "group" is said.
    group: bool,
    /// "family" is said.
    family: bool,
    /// "cord" (cord blood) is said.
    cord: bool,
    /// "continuous" is said.
    continuous: bool,
}

impl Unsaid {
    fn of(words: &[String]) -> Unsaid {
        let has = |x: &str| words.iter().any(|w| w == x);
        Unsaid {
            group: has("group"),
            family: has("family"),
            cord: has("cord"),
            continuous: has("continuous") || has("continuously"),
        }
    }
}

/// Points for the value a table gives when the words name none of its
/// values, or lost by a value the words would have to name: small, to order
/// codes the words otherwise tie on, never above a code that matches a word
/// more.
const UNSAID: f32 = 0.5;

/// Points a code of the sections after Medical and Surgical earns or loses
/// for a value its words leave unsaid.
fn unsaid_bonus(said: Unsaid, key: &[u8], title: &str) -> f32 {
    if key.len() != 7 {
        return 0.0;
    }
    let mut bonus = 0.0;
    // Administration (3), table 3E0: the substance value Other Therapeutic
    // Substance (G), Other Substance (C) is the table's own value for a
    // substance none of its classes names (talc for a pleurodesis, a drug
    // injected into the eye unnamed); a substance the words name matches its
    // class's words instead ("an unnamed substance is the table's Other
    // value", as Pitocin is Other Hormone).
    if key.starts_with(b"3E0") && key[5] == b'G' && key[6] == b'C' {
        bonus += UNSAID;
    }
    // Mental Health (G) and Substance Abuse Treatment (H): the Group and
    // Family operations ("Counseling, Group", "Psychotherapy, Family" of the
    // Index) only when the words say so; otherwise Individual.
    if matches!(key[0], b'G' | b'H') {
        let first = title.split(' ').next().unwrap_or("");
        if (first == "Group" && !said.group) || (first == "Family" && !said.family) {
            bonus -= UNSAID;
        }
    }
    // Transfusion (302) and Pheresis (6A55): "Stem Cells, Cord Blood" only
    // when the words say cord blood; stem cells with no source named are the
    // value "Stem Cells, Hematopoietic".
    if matches!(key[0], b'3' | b'6') && !said.cord && title.contains("Cord Blood") {
        bonus -= UNSAID;
    }
    // Assistance, Circulatory, Oxygenation, Hyperbaric (5A05?21): Index
    // "Hyperbaric oxygenation, Other treatment - see Assistance, Circulatory
    // 5A05"; a hyperbaric treatment is given in sessions (HCPCS G0277 counts
    // it "per 30 minute interval"), the Duration Intermittent (1), unless the
    // words say Continuous (2).
    if key.starts_with(b"5A05") && key[5] == b'2' && key[6] == b'1' {
        let intermittent = key[4] == b'1';
        if intermittent != said.continuous {
            bonus += UNSAID;
        }
    }
    bonus
}

impl OtherSections {
    /// Read from the words as typed.
    pub(super) fn of(words: &[String]) -> OtherSections {
        OtherSections {
            duration: ventilation_duration(words),
            mechanical: says_mechanical_ventilation(words),
            monitoring: says_monitoring(words),
            runs: runs(words),
            substance: names_substance_abuse(words),
            said: Unsaid::of(words),
        }
    }

    /// Points a complete PCS code earns for what the words say of its axes.
    pub(super) fn bonus(&self, key: &[u8], title: &str, any_label: AnyLabel<'_>) -> f32 {
        duration_bonus(self.duration, key)
            + performance_bonus(self.mechanical, key)
            + monitoring_bonus(self.monitoring, key)
            + label_bonus(&self.runs, key, any_label)
            + substance_bonus(self.substance, key)
            + unsaid_bonus(self.said, key, title)
    }
}

/// Points for a respiratory Assistance or Performance (5A09, 5A19) whose
/// Duration (5th character) is the one the words' hours or days give.
const DURATION: f32 = 4.0;

/// Points for a Measurement and Monitoring code (section 4) whose operation
/// (3rd character) is Monitoring (1) when the words say monitoring: the
/// operation's definition, "determining the level of a physiological or
/// physical function repetitively over a period of time", against
/// Measurement (0), "at a point in time".
const MONITORING: f32 = 3.0;

/// Whether the words say a function was watched over a period of time.
fn says_monitoring(words: &[String]) -> bool {
    words
        .iter()
        .any(|w| matches!(w.as_str(), "monitoring" | "monitored" | "monitor"))
}

/// Points a section 4 code earns for the operation the words say.
fn monitoring_bonus(monitoring: bool, key: &[u8]) -> f32 {
    if monitoring && key.len() == 7 && key[0] == b'4' && key[2] == b'1' {
        MONITORING
    } else {
        0.0
    }
}

/// Points a Substance Abuse Treatment code (section H) loses when the words
/// name no substance abuse: the PCS Index sends to section H only "for
/// substance abuse" (Psychotherapy, Individual, for substance abuse;
/// Detoxification Services, for substance abuse), and its tables' substances
/// (Methadone Maintenance, Nicotine Replacement, Antabuse, Naltrexone); a
/// "CBT session for panic disorder" is Mental Health (GZ58ZZZ), not HZ32ZZZ,
/// and "psychiatric medication management" is the Index's "Medication
/// Management GZ3ZZZZ", not HZ88ZZZ "Psychiatric Medication" (its "for
/// substance abuse" unsaid): as much as a word of the title matched.
const SUBSTANCE_UNSAID: f32 = 30.0;

/// Whether the words name a substance abused or its treatment.
fn names_substance_abuse(words: &[String]) -> bool {
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "substance"
                | "abuse"
                | "alcohol"
                | "alcoholism"
                | "etoh"
                | "drug"
                | "drugs"
                | "opioid"
                | "opioids"
                | "opiate"
                | "oud"
                | "aud"
                | "sud"
                | "detox"
                | "detoxification"
                | "addiction"
                | "dependence"
                | "methadone"
                | "naltrexone"
                | "antabuse"
                | "disulfiram"
                | "buprenorphine"
                | "suboxone"
                | "nicotine"
                | "tobacco"
                | "smoking"
                | "cocaine"
                | "heroin"
        )
    })
}

/// Points a section H code loses when no substance abuse is said.
fn substance_bonus(substance: bool, key: &[u8]) -> f32 {
    if !substance && key.first() == Some(&b'H') && key.len() == 7 {
        -SUBSTANCE_UNSAID
    } else {
        0.0
    }
}

/// Whether a word says where the patient was, not what was done: in a
/// search of procedures, "inpatient" is the setting ICD-10-PCS itself is the
/// code set of (HIPAA: ICD-10-PCS for hospital inpatient procedures), which
/// no PCS title repeats.
pub(super) fn names_setting(w: &str) -> bool {
    matches!(w, "inpatient" | "inpt")
}

/// The Duration value (5th character) of a ventilation lasting the words'
/// hours: tables 5A0 and 5A1, Respiratory: 3 Less than 24 Consecutive Hours,
/// 4 24-96 Consecutive Hours, 5 Greater than 96 Consecutive Hours.
fn ventilation_duration(words: &[String]) -> Option<u8> {
    let hours = (1..words.len()).find_map(|i| {
        let n: f32 = words[i - 1].parse().ok()?;
        // "less than 24 hours", "greater than 96 hours": the bound said.
        let bound = match words.get(i.saturating_sub(3)..i - 1) {
            Some([a, b]) if b == "than" => match a.as_str() {
                "less" | "fewer" | "under" => -0.5,
                "greater" | "more" | "over" => 0.5,
                _ => 0.0,
            },
            _ => 0.0,
        };
        let per = match words[i].as_str() {
            "hour" | "hours" | "hr" | "hrs" | "h" => 1.0,
            "day" | "days" | "d" => 24.0,
            "week" | "weeks" | "wk" | "wks" => 168.0,
            _ => return None,
        };
        Some(n * per + bound)
    })?;
    Some(if hours < 24.0 {
        b'3'
    } else if hours <= 96.0 {
        b'4'
    } else {
        b'5'
    })
}

/// Points a respiratory ventilation code earns for the Duration said.
fn duration_bonus(duration: Option<u8>, key: &[u8]) -> f32 {
    let ventilation = key.len() == 7 && (key.starts_with(b"5A09") || key.starts_with(b"5A19"));
    match duration {
        Some(d) if ventilation && key[4] == d => DURATION,
        _ => 0.0,
    }
}

/// Points for a respiratory Performance (5A19) when the words say a
/// ventilator breathes for the patient: the PCS Index's "Mechanical
/// ventilation - see Performance, Respiratory 5A19", against "BiPAP - see
/// Assistance, Respiratory 5A09" and "CPAP (continuous positive airway
/// pressure) - see Assistance, Respiratory 5A09"; the Definitions' Assistance
/// "taking over a portion of a physiological function", Performance
/// "completely taking over".
const PERFORMANCE: f32 = 2.0;

/// Whether the words say mechanical ventilation (a ventilator, a "vent", an
/// intubated patient) and no airway pressure or cannula of an Assistance.
fn says_mechanical_ventilation(words: &[String]) -> bool {
    let mechanical = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "vent" | "ventilator" | "ventilated" | "mechanical" | "intubated" | "intubation"
        )
    });
    let assisted = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "bipap"
                | "cpap"
                | "hfnc"
                | "nippv"
                | "niv"
                | "noninvasive"
                | "nasal"
                | "cannula"
                | "mask"
                | "pressure"
                | "assistance"
                | "assist"
        )
    });
    mechanical && !assisted
}

/// Points a respiratory ventilation code earns for the operation said.
fn performance_bonus(mechanical: bool, key: &[u8]) -> f32 {
    if mechanical && key.len() == 7 && key.starts_with(b"5A19") {
        PERFORMANCE
    } else {
        0.0
    }
}

/// This project's list of the other sections' words, parsed once.
fn own_list() -> &'static [Synonym] {
    static LIST: OnceLock<Vec<Synonym>> = OnceLock::new();
    LIST.get_or_init(|| parse(OTHER_SECTIONS_PATH, OTHER_SECTIONS).unwrap_or_default())
}

/// The runs of words the query says in order: the words as typed, and each
/// phrase an abbreviation of this project's list stands for.
fn runs(words: &[String]) -> Vec<Vec<String>> {
    let mut out = vec![words.to_vec()];
    for w in words {
        if let Some(s) = own_list().iter().find(|s| &s.key == w) {
            out.extend(s.phrases.iter().cloned());
        }
    }
    out
}

/// The labels of a title (its parts after the first ", ") of two words or
/// more, read into words: what `label_bonus` matches the words' runs
/// against ("High Velocity-Low Amplitude": "high", "velocity", "low",
/// "amplitude"). They depend on the title only, and are kept per code.
pub(in crate::search::query) fn title_labels(title: &str) -> Vec<Vec<String>> {
    title
        .split(", ")
        .skip(1)
        .map(index_words)
        .filter(|lw| lw.len() >= 2)
        .collect()
}

/// Whether a code's title (`any_label`: whether a label of its
/// `title_labels` passes a test) holds a label the query's runs say.
pub(super) type AnyLabel<'a> = &'a dyn Fn(&dyn Fn(&[String]) -> bool) -> bool;

/// Points a code of sections 4 to H earns
/// when a label of its title of two words or more stands in the query's
/// words in the same order.
fn label_bonus(runs: &[Vec<String>], key: &[u8], any_label: AnyLabel<'_>) -> f32 {
    if runs.len() < 2 && runs.iter().all(|r| r.len() < 2) {
        return 0.0;
    }
    // Not Medical and Surgical, Obstetrics, Placement, Administration or New
    // Technology: their labels are body parts, devices and substances, which
    // a surgeon's words name in any order ("fresh frozen plasma" is Fresh
    // Plasma, not Frozen Plasma).
    if key.len() != 7 || matches!(key[0], b'0' | b'1' | b'2' | b'3' | b'X') {
        return 0.0;
    }
    let said = any_label(&|lw: &[String]| {
        lw.len() >= 2 && runs.iter().any(|r| r.windows(lw.len()).any(|x| x == lw))
    });
    if said { LABEL_IN_ORDER } else { 0.0 }
}

/// Whether the word at `i` is a number or a unit of the record's quantity
/// ("2 mg", "50 min", "48 hours"): in a search of procedures a dose or a
/// time narrows nothing a PCS title says.
pub(super) fn record_quantity(words: &[String], i: usize) -> bool {
    // Liters of oxygen a minute ("40 L", "2 lpm") too.
    let unit = |w: &str| {
        is_unit(w)
            || matches!(
                w,
                "hr" | "hrs" | "day" | "days" | "gy" | "l" | "lpm" | "liters"
            )
    };
    let number = |j: usize| words.get(j).is_some_and(|w| w.parse::<f32>().is_ok());
    (unit(&words[i]) && quantity_of_record(words, i))
        || (number(i) && words.get(i + 1).is_some_and(|w| unit(w)))
}

/// The words that name a contrast agent: the keys of this project's list of
/// other sections' words that stand for a Contrast value ("low osmolar",
/// "high osmolar").
fn contrast_agents() -> &'static [String] {
    static AGENTS: OnceLock<Vec<String>> = OnceLock::new();
    AGENTS.get_or_init(|| {
        own_list()
            .iter()
            .filter(|s| {
                s.phrases
                    .iter()
                    .any(|p| p.last().is_some_and(|w| w == "osmolar"))
            })
            .map(|s| s.key.clone())
            .collect()
    })
}

/// Whether a word names a contrast agent ("Visipaque", "iohexol").
pub(super) fn names_contrast_agent(w: &str) -> bool {
    contrast_agents().iter().any(|a| a == w)
}

/// Whether the words name an HCPCS service or supply (`sections::names_hcpcs`)
/// other than by a unit of the record's quantity.
pub(super) fn names_hcpcs(words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        super::sections::names_hcpcs(w) && !(is_unit(w) && quantity_of_record(words, i))
    })
}

/// A unit an HCPCS descriptor counts by, which a record also writes after
/// its number.
fn is_unit(w: &str) -> bool {
    matches!(
        w,
        "mg" | "mcg" | "ml" | "unit" | "units" | "minutes" | "min" | "hour" | "hours"
    )
}

/// Whether the word at `i` is a unit of the record's quantity: a number just
/// before it ("50 min", "2 mg", "48 hours"), not after "per" or "each" (an
/// HCPCS descriptor's "per 15 minutes", "each 1 mg").
pub(super) fn quantity_of_record(words: &[String], i: usize) -> bool {
    let number = |j: usize| words.get(j).is_some_and(|w| w.parse::<f32>().is_ok());
    i > 0 && number(i - 1) && !(i >= 2 && matches!(words[i - 2].as_str(), "per" | "each" | "every"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(q: &str) -> Vec<String> {
        q.split(' ').map(String::from).collect()
    }

    #[test]
    fn hours_and_days_give_the_ventilation_duration() {
        assert_eq!(ventilation_duration(&ws("bipap for 2 days")), Some(b'4'));
        assert_eq!(ventilation_duration(&ws("hfnc 48 hours")), Some(b'4'));
        assert_eq!(ventilation_duration(&ws("vent 6 days")), Some(b'5'));
        assert_eq!(ventilation_duration(&ws("cpap 12 hrs")), Some(b'3'));
        assert_eq!(ventilation_duration(&ws("mechanical ventilation")), None);
        let less = ws("bipap less than 24 hours");
        assert_eq!(ventilation_duration(&less), Some(b'3'));
        let more = ws("bipap greater than 96 hours");
        assert_eq!(ventilation_duration(&more), Some(b'5'));
        assert_eq!(duration_bonus(Some(b'5'), b"5A1955Z"), DURATION);
        assert_eq!(duration_bonus(Some(b'5'), b"5A1945Z"), 0.0);
        assert_eq!(duration_bonus(Some(b'4'), b"5A09458"), DURATION);
        assert_eq!(duration_bonus(Some(b'4'), b"5A1D90Z"), 0.0);
    }

    #[test]
    fn a_ventilator_is_the_performance_of_respiration() {
        // Index: Mechanical ventilation - see Performance, Respiratory 5A19.
        for q in [
            "mechanical ventilation 3 days",
            "vent 24-96 hours",
            "on the ventilator for 5 days",
            "intubated and ventilated 12 hours",
        ] {
            let m = says_mechanical_ventilation(&ws(q));
            assert!(m, "{q}");
            assert!(performance_bonus(m, b"5A1945Z") > performance_bonus(m, b"5A0945Z"));
        }
        // BiPAP, CPAP, a cannula: Assistance (5A09), nothing for 5A19.
        for q in [
            "bipap 2 days",
            "cpap 12 hrs",
            "high flow nasal cannula 48 hours",
        ] {
            assert!(!says_mechanical_ventilation(&ws(q)), "{q}");
        }
        assert_eq!(performance_bonus(true, b"5A1D90Z"), 0.0);
    }

    #[test]
    fn monitoring_is_the_operation_of_section_4() {
        assert!(says_monitoring(&ws("continuous video eeg monitoring")));
        assert!(!says_monitoring(&ws("eeg")));
        assert_eq!(monitoring_bonus(true, b"4A10X4Z"), MONITORING);
        assert_eq!(monitoring_bonus(true, b"4A00X4Z"), 0.0);
        assert_eq!(monitoring_bonus(false, b"4A10X4Z"), 0.0);
        assert!(names_setting("inpatient") && !names_setting("open"));
        assert!(!names_substance_abuse(&ws(
            "individual cbt for panic disorder"
        )));
        assert!(names_substance_abuse(&ws("individual cbt for alcohol use")));
        assert!(substance_bonus(false, b"HZ32ZZZ") < substance_bonus(false, b"GZ58ZZZ"));
        assert_eq!(substance_bonus(true, b"HZ32ZZZ"), 0.0);
    }

    #[test]
    fn an_unsaid_value_is_the_tables_default() {
        let u = |q: &str| Unsaid::of(&ws(q));
        // Other Therapeutic Substance, Other Substance of table 3E0: talc
        // (Index "Pleurodesis, Chemical injection" 3E0L), an intravitreal
        // injection, cervical ripening; and its siblings of other regions.
        let talc = u("talc pleurodesis");
        let gc = "Introduction of Pleural Cavity, Other Therapeutic Substance, Other Substance, Percutaneous Approach";
        let gas = "Introduction of Pleural Cavity, Gas, Other Gas, Percutaneous Approach";
        assert!(unsaid_bonus(talc, b"3E0L3GC", gc) > unsaid_bonus(talc, b"3E0L3SF", gas));
        for key in [b"3E0C3GC", b"3E0P7GC", b"3E0M3GC", b"3E0U3GC"] {
            assert_eq!(unsaid_bonus(u("intravitreal injection"), key, ""), UNSAID);
        }
        assert_eq!(unsaid_bonus(talc, b"3E0L305", ""), 0.0);
        // Individual, not Group or Family, unless said (HZ3 / HZ4, GZ5 / GZH).
        let me = u("motivational enhancement counseling");
        let group = "Group Counseling of Motivational Enhancement, None, None, None";
        let single = "Individual Counseling of Motivational Enhancement, None, None, None";
        assert!(unsaid_bonus(me, b"HZ37ZZZ", single) > unsaid_bonus(me, b"HZ47ZZZ", group));
        let fam = "Family Psychotherapy of Other Family Psychotherapy, None, None, None";
        assert!(unsaid_bonus(u("psychotherapy"), b"GZ72ZZZ", fam) < 0.0);
        assert_eq!(
            unsaid_bonus(u("family psychotherapy"), b"GZ72ZZZ", fam),
            0.0
        );
        assert_eq!(unsaid_bonus(u("group counseling"), b"HZ47ZZZ", group), 0.0);
        // Stem cells: Hematopoietic, Cord Blood only when said (302, 6A55).
        let cord = "Pheresis of Circulatory, Stem Cells, Cord Blood, Single";
        let hsc = "Pheresis of Circulatory, Stem Cells, Hematopoietic, Single";
        let sa = u("stem cell apheresis");
        assert!(unsaid_bonus(sa, b"6A550ZV", hsc) > unsaid_bonus(sa, b"6A550ZT", cord));
        let tx = "Transfusion of Central Vein, Stem Cells, Cord Blood, Autologous, Percutaneous Approach";
        assert!(unsaid_bonus(u("autologous stem cell transplant"), b"30243X0", tx) < 0.0);
        assert_eq!(
            unsaid_bonus(u("cord blood stem cell transplant"), b"30243X0", tx),
            0.0
        );
        // Hyperbaric oxygenation: Intermittent unless Continuous is said.
        let hbo = u("hyperbaric oxygen therapy");
        assert!(unsaid_bonus(hbo, b"5A05121", "") > unsaid_bonus(hbo, b"5A05221", ""));
        let cont = u("continuous hyperbaric oxygenation");
        assert!(unsaid_bonus(cont, b"5A05221", "") > unsaid_bonus(cont, b"5A05121", ""));
        assert_eq!(unsaid_bonus(hbo, b"5A02210", ""), 0.0);
    }

    #[test]
    fn a_label_said_in_its_order_counts() {
        let r = runs(&ws("omt lumbar hvla"));
        let hvla = "Treatment of Lumbar, High Velocity-Low Amplitude, None, External Approach";
        let lvha = "Treatment of Lumbar, Low Velocity-High Amplitude, None, External Approach";
        let of = |title: &'static str| {
            move |held: &dyn Fn(&[String]) -> bool| title_labels(title).iter().any(|l| held(l))
        };
        assert_eq!(label_bonus(&r, b"7W03X3Z", &of(hvla)), LABEL_IN_ORDER);
        assert_eq!(label_bonus(&r, b"7W03X5Z", &of(lvha)), 0.0);
        let r = runs(&ws("coronary angiography visipaque"));
        let low = "Fluoroscopy of Coronary Arteries, Multiple, None, None, Low Osmolar";
        let high = "Fluoroscopy of Coronary Arteries, Multiple, None, None, High Osmolar";
        assert!(label_bonus(&r, b"B2111ZZ", &of(low)) > label_bonus(&r, b"B2110ZZ", &of(high)));
        assert_eq!(
            title_labels(low),
            [vec!["low".to_string(), "osmolar".to_string()]]
        );
        let o2 = ws("hfnc 40 l");
        assert!(record_quantity(&o2, 1) && record_quantity(&o2, 2));
        let q = ws("eylea 2 mg injection");
        assert!(record_quantity(&q, 1) && record_quantity(&q, 2));
        assert!(!record_quantity(&q, 3) && !record_quantity(&ws("per 2 mg"), 2));
    }

    #[test]
    fn contrast_agents_are_read_from_the_list() {
        for w in ["visipaque", "omnipaque", "iohexol", "isovue"] {
            assert!(names_contrast_agent(w), "{w}");
        }
        assert!(!names_contrast_agent("contrast"));
        assert!(!names_contrast_agent("dccv"));
    }

    #[test]
    fn a_number_before_a_unit_is_the_records_quantity() {
        let q = ws("individual cbt session 50 min");
        assert!(quantity_of_record(&q, 4));
        let q = ws("psychotherapy per 50 min");
        assert!(!quantity_of_record(&q, 3));
        let q = ws("injection per mg");
        assert!(!quantity_of_record(&q, 2));
    }
}
