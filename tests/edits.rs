//! The edits engine on the bundled code sets: a table of rule cases, each rule
//! firing and not firing at its boundary, built from the official examples
//! (the tabular's own notes, the MCE's flags and dated age ranges, Table 6K's
//! collections); site tables are fixtures written for this project.

mod common;

use chartcoder::codeset::risk::{Cancelled, Severity as Level};
use chartcoder::codeset::{IcdCm, IcdPcs, risk};
use chartcoder::domain::{
    Chart, ChartStatus, CodeSystem, DiagnosisAssignment, EncounterType, Poa, ProcedureAssignment,
    Sex,
};
use chartcoder::edits::site::{Mue, Ptp, parse_poa_exempt};
use chartcoder::edits::{EditOptions, Finding, Rules, Severity, SiteTables};
use chrono::NaiveDate;
use common::date;
use std::sync::{Arc, OnceLock};

fn tables() -> &'static (Arc<IcdCm>, Arc<IcdPcs>, Arc<risk::CcMcc>) {
    static T: OnceLock<(Arc<IcdCm>, Arc<IcdPcs>, Arc<risk::CcMcc>)> = OnceLock::new();
    T.get_or_init(|| {
        (
            Arc::new(IcdCm::load_bundled().unwrap()),
            Arc::new(IcdPcs::load_bundled().unwrap()),
            Arc::new(risk::load_cc_mcc().unwrap()),
        )
    })
}

const PTP: &str = "Column 1\tColumn 2\t*\tEffective Date\tDeletion Date\tModifier\tRationale\n\
    29881\t29875\t\t20200101\t*\t1\tfixture\n\
    29881\t29880\t\t20200101\t*\t0\tfixture\n\
    29881\t20610\t\t20200101\t*\t9\tfixture\n";
const MUE: &str = "HCPCS/CPT Code,MUE Value,MUE Adjudication Indicator,MUE Rationale\n\
    20610,4,1 Line Edit,fixture\n\
    29881,1,2 Date of Service Edit: Policy,fixture\n";
const EXEMPT: &str = "Code\tDescription\nZ87.891\tfixture\nW19.XXXA\tfixture\nY92.009\tfixture\n";

fn rules(site: bool, sex_always: bool) -> Rules {
    let (cm, pcs, cc) = tables().clone();
    let site = if site {
        SiteTables {
            poa_exempt: Some(parse_poa_exempt("exempt.txt", EXEMPT).unwrap()),
            ptp: Some(Ptp::parse("ptp.txt", PTP).unwrap()),
            mue: Some(Mue::parse("mue.csv", MUE).unwrap()),
        }
    } else {
        SiteTables::default()
    };
    Rules::new(
        cm,
        pcs,
        cc,
        site,
        EditOptions {
            sex_conflict_always: sex_always,
            ..EditOptions::default()
        },
    )
    .unwrap()
}

/// A chart to check: built up with the methods below.
#[derive(Clone)]
struct C(Chart);

fn inpatient(discharge: &str) -> C {
    encounter(EncounterType::Inpatient, discharge)
}

fn clinic(day: &str) -> C {
    encounter(EncounterType::Clinic, day)
}

fn encounter(kind: EncounterType, day: &str) -> C {
    let mut chart = common::sample::chart("T1", kind, day, day);
    chart.mrn = "M1".into();
    chart.status = ChartStatus::InProgress;
    chart.patient.name = "Test Patient".into();
    chart.patient.birth_date = date("1960-06-15");
    chart.encounter.admit_date = date(day) - chrono::Days::new(3);
    C(chart)
}

impl C {
    fn born(mut self, day: &str) -> C {
        self.0.patient.birth_date = date(day);
        self
    }
    fn admitted(mut self, day: &str) -> C {
        self.0.encounter.admit_date = date(day);
        self
    }
    fn sex(mut self, sex: Sex) -> C {
        self.0.patient.sex = sex;
        self
    }
    fn dx(mut self, code: &str, poa: Option<Poa>) -> C {
        self.0.diagnoses.push(DiagnosisAssignment {
            code: code.into(),
            system: CodeSystem::Icd10Cm,
            edition: "FY2027".into(),
            poa,
        });
        self
    }
    /// A diagnosis with POA Y.
    fn y(self, code: &str) -> C {
        self.dx(code, Some(Poa::Yes))
    }
    fn pcs(mut self, code: &str) -> C {
        self.0.procedures.push(ProcedureAssignment {
            code: code.into(),
            system: CodeSystem::Icd10Pcs,
            date: None,
            provider: None,
            modifiers: vec![],
            units: 1,
            pointers: vec![],
        });
        self
    }
    fn line(mut self, code: &str, modifiers: &[&str], units: u32, pointers: &[u8]) -> C {
        self.0.procedures.push(ProcedureAssignment {
            code: code.into(),
            system: CodeSystem::Cpt,
            date: None,
            provider: None,
            modifiers: modifiers.iter().map(|m| (*m).to_string()).collect(),
            units,
            pointers: pointers.to_vec(),
        });
        self
    }
    fn line_on(mut self, code: &str, day: &str) -> C {
        self = self.line(code, &[], 1, &[1]);
        if let Some(last) = self.0.procedures.last_mut() {
            last.date = Some(date(day));
        }
        self
    }
}

/// One case: the rule, whether it must fire, and at what severity.
struct Case {
    name: &'static str,
    chart: C,
    rule: &'static str,
    fires: Option<Severity>,
    site: bool,
    sex_always: bool,
    /// Only findings about this code count (else any of the rule).
    about: Option<&'static str>,
    /// Only findings about this note ("E11 #1": the first instruction of the
    /// rule's kind written at E11) count.
    note: Option<&'static str>,
}

fn fires(name: &'static str, chart: C, rule: &'static str, severity: Severity) -> Case {
    Case {
        name,
        chart,
        rule,
        fires: Some(severity),
        site: false,
        sex_always: false,
        about: None,
        note: None,
    }
}

fn quiet(name: &'static str, chart: C, rule: &'static str) -> Case {
    Case {
        name,
        chart,
        rule,
        fires: None,
        site: false,
        sex_always: false,
        about: None,
        note: None,
    }
}

/// Only the findings about one note of the rule's kind.
fn on_note(note: &'static str, mut c: Case) -> Case {
    c.note = Some(note);
    c
}

fn with_site(mut c: Case) -> Case {
    c.site = true;
    c
}

fn cases() -> Vec<Case> {
    use Severity::{Error, Info, Warning};
    let hf = || inpatient("2026-11-01").y("I50.9");
    vec![
        // ---- validity on the date, headers, 7th character, placeholder X
        quiet("a current code", hf(), "not-valid-on-date"),
        quiet(
            "deleted FY2027 code, last valid day",
            inpatient("2026-09-30").y("S23.420A"),
            "not-valid-on-date",
        ),
        fires(
            "deleted FY2027 code, first day after",
            inpatient("2026-10-01").y("S23.420A"),
            "not-valid-on-date",
            Error,
        ),
        quiet(
            "new FY2027 code, first valid day",
            inpatient("2026-10-01").y("C78.31"),
            "not-valid-on-date",
        ),
        fires(
            "new FY2027 code, day before",
            inpatient("2026-09-30").y("C78.31"),
            "not-valid-on-date",
            Error,
        ),
        fires(
            "a header",
            inpatient("2026-11-01").y("I50"),
            "header-code",
            Error,
        ),
        quiet("a billable code is no header", hf(), "header-code"),
        fires(
            "7th character missing",
            inpatient("2026-11-01").y("S72.001"),
            "seventh-character",
            Error,
        ),
        fires(
            "7th character not allowed",
            inpatient("2026-11-01").y("S72.001Z"),
            "seventh-character",
            Error,
        ),
        quiet(
            "7th character in place",
            inpatient("2026-11-01").y("S72.001A"),
            "seventh-character",
        ),
        fires(
            "placeholder X missing",
            inpatient("2026-11-01").y("T45.01A"),
            "placeholder-x",
            Error,
        ),
        quiet(
            "placeholder X in place",
            inpatient("2026-11-01").y("T45.0X1A"),
            "placeholder-x",
        ),
        fires(
            "not a code",
            inpatient("2026-11-01").y("I50.99"),
            "not-a-code",
            Error,
        ),
        fires(
            "no diagnosis",
            inpatient("2026-11-01"),
            "no-diagnosis",
            Error,
        ),
        quiet("a diagnosis", hf(), "no-diagnosis"),
        fires("not a PCS code", hf().pcs("0DTJ4Z1"), "not-a-code", Error),
        quiet("a PCS code", hf().pcs("0DTJ4ZZ"), "not-a-code"),
        // ---- tabular notes
        // Two types of diabetes mellitus cannot both be right (I.A.12.a, I.C.4.a).
        fires(
            "Excludes1 at E11: E08.-, two types of diabetes",
            inpatient("2026-11-01").y("E11.9").y("E08.9"),
            "excludes1",
            Error,
        ),
        // Current nicotine dependence and its history (I.C.21.c.4).
        fires(
            "Excludes1 at F17: Z87.891, current and history",
            clinic("2026-11-01").dx("F17.210", None).dx("Z87.891", None),
            "excludes1",
            Error,
        ),
        quiet(
            "Excludes1: unrelated codes",
            inpatient("2026-11-01").y("E11.9").y("I10"),
            "excludes1",
        ),
        fires(
            "Excludes2 at J44: J47.-",
            inpatient("2026-11-01").y("J44.9").y("J47.9"),
            "excludes2",
            Info,
        ),
        quiet(
            "Excludes2: chapter-wide lists are not repeated",
            inpatient("2026-11-01").y("I50.9").y("E11.9"),
            "excludes2",
        ),
        fires(
            "code first I11.0, sequenced after I50.9",
            inpatient("2026-11-01").y("I50.9").y("I11.0"),
            "code-first",
            Warning,
        ),
        quiet(
            "code first I11.0, sequenced before",
            inpatient("2026-11-01").y("I11.0").y("I50.9"),
            "code-first",
        ),
        fires(
            "manifestation without its etiology",
            inpatient("2026-11-01").y("I10").y("D63.1"),
            "code-first",
            Warning,
        ),
        Case {
            about: Some("D63.1"),
            ..quiet(
                "manifestation after its etiology (N18.5)",
                inpatient("2026-11-01").y("N18.5").y("D63.1"),
                "code-first",
            )
        },
        // "Use additional code to identify control using: insulin (Z79.4) ...":
        // stated without "if applicable", so a warning to acknowledge.
        fires(
            "use additional code at E11, none",
            inpatient("2026-11-01").y("E11.9"),
            "use-additional-code",
            Warning,
        ),
        quiet(
            "use additional code at E11, Z79.84 coded",
            inpatient("2026-11-01").y("E11.9").y("Z79.84"),
            "use-additional-code",
        ),
        fires(
            "code also at J44, no asthma code",
            inpatient("2026-11-01").y("J44.9"),
            "code-also",
            Info,
        ),
        quiet(
            "code also at J44, J45.909 coded",
            inpatient("2026-11-01").y("J44.9").y("J45.909"),
            "code-also",
        ),
        // ---- use additional code: each instruction judged on its own (I.B.7).
        // E11.621: "code to identify site of ulcer (L97.4-, L97.5-)" at E11.621
        // and "code to identify control using: ... insulin (Z79.4) ..." at E11.
        on_note(
            "E11.621 #1",
            fires(
                "E11.621 with Z79.4 only: the ulcer site note stands",
                inpatient("2026-11-01").y("E11.621").y("Z79.4"),
                "use-additional-code",
                Warning,
            ),
        ),
        on_note(
            "E11.621 #1",
            quiet(
                "E11.621 ulcer site note met by L97.419",
                inpatient("2026-11-01").y("E11.621").y("L97.419").y("Z79.4"),
                "use-additional-code",
            ),
        ),
        on_note(
            "E11 #1",
            fires(
                "E11.621 with L97.419 only: the control note stands",
                inpatient("2026-11-01").y("E11.621").y("L97.419"),
                "use-additional-code",
                Warning,
            ),
        ),
        on_note(
            "E11 #1",
            quiet(
                "E11 control note met by Z79.84",
                inpatient("2026-11-01")
                    .y("E11.621")
                    .y("L97.419")
                    .y("Z79.84"),
                "use-additional-code",
            ),
        ),
        Case {
            about: Some("E11.621"),
            ..quiet(
                "E11.621 with a site and a control code: nothing missing",
                inpatient("2026-11-01")
                    .y("E11.621")
                    .y("L97.419")
                    .y("Z79.84"),
                "use-additional-code",
            )
        },
        on_note(
            "E11.22 #1",
            fires(
                "E11.22 with Z79.4 only: CKD stage missing",
                inpatient("2026-11-01").y("E11.22").y("Z79.4"),
                "use-additional-code",
                Warning,
            ),
        ),
        on_note(
            "E11.22 #1",
            quiet(
                "E11.22 with N18.4",
                inpatient("2026-11-01").y("E11.22").y("N18.4").y("Z79.4"),
                "use-additional-code",
            ),
        ),
        on_note(
            "E11.22 #1",
            fires(
                "E11.22 with N18.9: not a stage the note names (N18.1-N18.6)",
                inpatient("2026-11-01").y("E11.22").y("N18.9").y("Z79.4"),
                "use-additional-code",
                Warning,
            ),
        ),
        on_note(
            "E10.22 #1",
            fires(
                "E10.22 without a CKD stage",
                inpatient("2026-11-01").y("E10.22"),
                "use-additional-code",
                Warning,
            ),
        ),
        on_note(
            "E10.22 #1",
            quiet(
                "E10.22 with N18.6",
                inpatient("2026-11-01").y("E10.22").y("N18.6"),
                "use-additional-code",
            ),
        ),
        on_note(
            "I13.0 #1",
            fires(
                "I13.0 without the type of heart failure",
                inpatient("2026-11-01").y("I13.0").y("N18.4"),
                "use-additional-code",
                Warning,
            ),
        ),
        on_note(
            "I13.0 #1",
            quiet(
                "I13.0 with I50.22",
                inpatient("2026-11-01").y("I13.0").y("I50.22").y("N18.4"),
                "use-additional-code",
            ),
        ),
        on_note(
            "I13.0 #2",
            fires(
                "I13.0 with I50.22 only: the CKD stage note stands",
                inpatient("2026-11-01").y("I13.0").y("I50.22"),
                "use-additional-code",
                Warning,
            ),
        ),
        on_note(
            "I12.0 #1",
            fires(
                "I12.0 without N18.5/N18.6",
                inpatient("2026-11-01").y("I12.0"),
                "use-additional-code",
                Warning,
            ),
        ),
        on_note(
            "I12.0 #1",
            quiet(
                "I12.0 with N18.6",
                inpatient("2026-11-01").y("I12.0").y("N18.6"),
                "use-additional-code",
            ),
        ),
        on_note(
            "I12.0 #1",
            fires(
                "I12.0 with N18.4: a stage its note does not name",
                inpatient("2026-11-01").y("I12.0").y("N18.4"),
                "use-additional-code",
                Warning,
            ),
        ),
        on_note(
            "I10-I1A #1",
            fires(
                "the section's tobacco list is for what is present: information",
                inpatient("2026-11-01").y("I12.9").y("N18.4"),
                "use-additional-code",
                Info,
            ),
        ),
        on_note(
            "R65.2 #1",
            fires(
                "severe sepsis without an organ dysfunction code",
                inpatient("2026-11-01").y("A41.9").y("R65.20"),
                "use-additional-code",
                Warning,
            ),
        ),
        on_note(
            "R65.2 #1",
            quiet(
                "severe sepsis with N17.9",
                inpatient("2026-11-01").y("A41.9").y("R65.20").y("N17.9"),
                "use-additional-code",
            ),
        ),
        on_note(
            "N39.0 #1",
            fires(
                "UTI without the infectious agent (B95-B97)",
                inpatient("2026-11-01").y("N39.0"),
                "use-additional-code",
                Warning,
            ),
        ),
        on_note(
            "N39.0 #1",
            quiet(
                "UTI with B96.20",
                inpatient("2026-11-01").y("N39.0").y("B96.20"),
                "use-additional-code",
            ),
        ),
        on_note(
            "O80 #1",
            fires(
                "O80 without the outcome of delivery",
                inpatient("2026-11-01").born("1995-01-01").y("O80"),
                "use-additional-code",
                Warning,
            ),
        ),
        on_note(
            "O80 #1",
            quiet(
                "O80 with Z37.0",
                inpatient("2026-11-01")
                    .born("1995-01-01")
                    .y("O80")
                    .dx("Z37.0", Some(Poa::Exempt)),
                "use-additional-code",
            ),
        ),
        on_note(
            "15 #1",
            fires(
                "chapter 15's weeks of gestation, if applicable: information",
                inpatient("2026-11-01")
                    .born("1995-01-01")
                    .y("O80")
                    .dx("Z37.0", Some(Poa::Exempt)),
                "use-additional-code",
                Info,
            ),
        ),
        on_note(
            "1 #1",
            fires(
                "chapter 1's antimicrobial resistance: information",
                inpatient("2026-11-01").y("A41.9"),
                "use-additional-code",
                Info,
            ),
        ),
        on_note(
            "I70.23 #1",
            fires(
                "I70.234 without the ulcer severity (L97.-)",
                inpatient("2026-11-01").y("I70.234"),
                "use-additional-code",
                Warning,
            ),
        ),
        on_note(
            "I70.23 #1",
            quiet(
                "I70.234 with L97.412",
                inpatient("2026-11-01").y("I70.234").y("L97.412"),
                "use-additional-code",
            ),
        ),
        on_note(
            "G43 #1",
            fires(
                "migraine's adverse-effect drug, if applicable: information",
                clinic("2026-11-01").dx("G43.709", None),
                "use-additional-code",
                Info,
            ),
        ),
        on_note(
            "K70 #1",
            fires(
                "K70's \"code to identify:\" list: information",
                inpatient("2026-11-01").y("K70.30"),
                "use-additional-code",
                Info,
            ),
        ),
        on_note(
            "K70 #1",
            quiet(
                "K70 with F10.20",
                inpatient("2026-11-01").y("K70.30").y("F10.20"),
                "use-additional-code",
            ),
        ),
        on_note(
            "19 #1",
            fires(
                "chapter 19's retained foreign body, if applicable: information",
                inpatient("2026-11-01").y("S72.001A"),
                "use-additional-code",
                Info,
            ),
        ),
        // ---- Excludes1 the unrelated-conditions exception cannot cover (I.A.12.a)
        fires(
            "type 1 and type 2 diabetes",
            inpatient("2026-11-01").y("E10.9").y("E11.9"),
            "excludes1",
            Error,
        ),
        fires(
            "type 2 and type 1 diabetes, the other order",
            inpatient("2026-11-01").y("E11.65").y("E10.65"),
            "excludes1",
            Error,
        ),
        fires(
            "type 2 and other specified diabetes",
            inpatient("2026-11-01").y("E11.9").y("E13.9"),
            "excludes1",
            Error,
        ),
        fires(
            "drug-induced and type 2 diabetes",
            inpatient("2026-11-01").y("E09.9").y("E11.9"),
            "excludes1",
            Error,
        ),
        fires(
            "gestational and type 2 diabetes",
            inpatient("2026-11-01")
                .born("1995-01-01")
                .y("O24.419")
                .y("E11.9"),
            "excludes1",
            Error,
        ),
        fires(
            "type 2 diabetes in remission and not",
            inpatient("2026-11-01").y("E11.A").y("E11.9"),
            "excludes1",
            Error,
        ),
        fires(
            "type 2 diabetes in remission and with hyperglycemia",
            inpatient("2026-11-01").y("E11.A").y("E11.65"),
            "excludes1",
            Error,
        ),
        fires(
            "alcohol abuse and dependence",
            inpatient("2026-11-01").y("F10.10").y("F10.20"),
            "excludes1",
            Error,
        ),
        fires(
            "opioid use and dependence",
            inpatient("2026-11-01").y("F11.90").y("F11.20"),
            "excludes1",
            Error,
        ),
        quiet(
            "alcohol and opioid dependence: two substances",
            inpatient("2026-11-01").y("F10.20").y("F11.20"),
            "excludes1",
        ),
        fires(
            "nicotine dependence and tobacco use",
            clinic("2026-11-01").dx("F17.210", None).dx("Z72.0", None),
            "excludes1",
            Error,
        ),
        fires(
            "depressive episode and recurrent depression",
            inpatient("2026-11-01").y("F32.9").y("F33.1"),
            "excludes1",
            Error,
        ),
        fires(
            "bipolar disorder and depression",
            inpatient("2026-11-01").y("F31.9").y("F32.A"),
            "excludes1",
            Error,
        ),
        fires(
            "PMDD and bipolar disorder: not two mood episodes",
            inpatient("2026-11-01").y("F31.9").y("F32.81"),
            "excludes1",
            Warning,
        ),
        fires(
            "episodic and chronic migraine without aura",
            clinic("2026-11-01").dx("G43.009", None).dx("G43.709", None),
            "excludes1",
            Error,
        ),
        fires(
            "persistent and permanent atrial fibrillation",
            inpatient("2026-11-01").y("I48.11").y("I48.21"),
            "excludes1",
            Error,
        ),
        fires(
            "chronic unspecified and chronic persistent atrial fibrillation",
            inpatient("2026-11-01").y("I48.20").y("I48.19"),
            "excludes1",
            Error,
        ),
        fires(
            "type 1 diabetes and hyperglycemia NOS: still a warning",
            inpatient("2026-11-01").y("E10.9").y("R73.9"),
            "excludes1",
            Warning,
        ),
        fires(
            "acute and chronic blood loss anemia: may both be coded",
            inpatient("2026-11-01").y("D62").y("D50.0"),
            "excludes1",
            Warning,
        ),
        fires(
            "opioid dependence with intoxication and with withdrawal: still a warning",
            inpatient("2026-11-01").y("F11.220").y("F11.23"),
            "excludes1",
            Warning,
        ),
        // ---- a code reported twice (I.B.12)
        fires(
            "a secondary reported twice",
            inpatient("2026-11-01").y("I50.9").y("E11.9").y("E11.9"),
            "duplicate-code",
            Error,
        ),
        quiet(
            "a repeat of the principal is the MCE's edit",
            inpatient("2026-11-01").y("I50.9").y("I50.9"),
            "duplicate-code",
        ),
        fires(
            "outpatient: the first-listed reported twice",
            clinic("2026-11-01").dx("I10", None).dx("I10", None),
            "duplicate-code",
            Error,
        ),
        // ---- MCE: age (at admission), dated ranges
        quiet(
            "pediatric code at 17",
            inpatient("2026-11-04")
                .admitted("2026-11-01")
                .born("2008-11-02")
                .y("J18.9")
                .y("Z00.121"),
            "mce-age",
        ),
        fires(
            "pediatric code at 18",
            inpatient("2026-11-04")
                .admitted("2026-11-01")
                .born("2008-11-01")
                .y("J18.9")
                .y("Z00.121"),
            "mce-age",
            Warning,
        ),
        fires(
            "adult code at 14",
            inpatient("2026-11-04")
                .admitted("2026-11-01")
                .born("2012-06-01")
                .y("I25.10"),
            "mce-age",
            Warning,
        ),
        quiet(
            "adult code at 15",
            inpatient("2026-11-04")
                .admitted("2026-11-01")
                .born("2011-06-01")
                .y("I25.10"),
            "mce-age",
        ),
        quiet(
            "maternity at 64",
            inpatient("2026-11-04")
                .admitted("2026-11-01")
                .born("1962-06-01")
                .y("O80"),
            "mce-age",
        ),
        fires(
            "maternity at 65",
            inpatient("2026-11-04")
                .admitted("2026-11-01")
                .born("1961-06-01")
                .y("O80"),
            "mce-age",
            Warning,
        ),
        fires(
            "maternity at 56 before 2019-10-01 (12-55)",
            inpatient("2019-09-30")
                .admitted("2019-09-28")
                .born("1963-01-01")
                .y("O80"),
            "mce-age",
            Warning,
        ),
        quiet(
            "maternity at 56 from 2019-10-01 (9-64)",
            inpatient("2019-10-01")
                .admitted("2019-09-28")
                .born("1963-01-01")
                .y("O80"),
            "mce-age",
        ),
        quiet(
            "newborn code at 0",
            inpatient("2026-11-03")
                .admitted("2026-11-01")
                .born("2026-11-01")
                .y("Z38.00"),
            "mce-age",
        ),
        fires(
            "newborn code at 1",
            inpatient("2026-11-03")
                .admitted("2026-11-01")
                .born("2025-10-01")
                .y("Z38.00"),
            "mce-age",
            Warning,
        ),
        // ---- MCE: sex, until 2024-10-01 or when turned on
        fires(
            "male code, female patient, 2024-09-30",
            inpatient("2024-09-30").sex(Sex::Female).y("N40.0"),
            "mce-sex",
            Warning,
        ),
        quiet(
            "male code, female patient, 2024-10-01",
            inpatient("2024-10-01").sex(Sex::Female).y("N40.0"),
            "mce-sex",
        ),
        Case {
            sex_always: true,
            ..fires(
                "male code, female patient, 2024-10-01, edit on",
                inpatient("2024-10-01").sex(Sex::Female).y("N40.0"),
                "mce-sex",
                Warning,
            )
        },
        fires(
            "female code, male patient, 2024-09-30",
            inpatient("2024-09-30").sex(Sex::Male).y("N83.201"),
            "mce-sex",
            Warning,
        ),
        quiet(
            "male code, male patient",
            inpatient("2024-09-30").sex(Sex::Male).y("N40.0"),
            "mce-sex",
        ),
        // ---- MCE: the principal diagnosis
        fires(
            "manifestation as principal",
            inpatient("2026-11-01").y("D63.1").y("N18.5"),
            "mce-manifestation-principal",
            Error,
        ),
        quiet(
            "manifestation as secondary",
            inpatient("2026-11-01").y("N18.5").y("D63.1"),
            "mce-manifestation-principal",
        ),
        fires(
            "unacceptable principal",
            inpatient("2026-11-01").y("Z87.891").y("I10"),
            "mce-unacceptable-principal",
            Error,
        ),
        quiet(
            "unacceptable code as secondary",
            inpatient("2026-11-01").y("I10").y("Z87.891"),
            "mce-unacceptable-principal",
        ),
        quiet(
            "R65.20 principal before its flag (2017-09-30)",
            inpatient("2017-09-30").y("R65.20").y("A41.9"),
            "mce-unacceptable-principal",
        ),
        fires(
            "R65.20 principal once flagged (2017-10-01)",
            inpatient("2017-10-01").y("R65.20").y("A41.9"),
            "mce-unacceptable-principal",
            Error,
        ),
        fires(
            "external cause as principal",
            inpatient("2026-11-01")
                .dx("W19.XXXA", Some(Poa::Exempt))
                .y("S72.001A"),
            "mce-external-cause-principal",
            Error,
        ),
        quiet(
            "external cause as secondary",
            inpatient("2026-11-01")
                .y("S72.001A")
                .dx("W19.XXXA", Some(Poa::Exempt)),
            "mce-external-cause-principal",
        ),
        fires(
            "requires a secondary diagnosis",
            inpatient("2026-11-01").y("Z51.89"),
            "mce-requires-secondary",
            Error,
        ),
        quiet(
            "requires a secondary diagnosis, has one",
            inpatient("2026-11-01").y("Z51.89").y("I10"),
            "mce-requires-secondary",
        ),
        fires(
            "questionable admission",
            inpatient("2026-11-01").y("I10"),
            "mce-questionable-admission",
            Warning,
        ),
        quiet(
            "questionable admission code as secondary",
            inpatient("2026-11-01").y("I50.9").y("I10"),
            "mce-questionable-admission",
        ),
        quiet(
            "MCE is inpatient only",
            clinic("2026-11-01").dx("I10", None),
            "mce-questionable-admission",
        ),
        fires(
            "duplicate of principal",
            inpatient("2026-11-01").y("I50.9").y("I50.9"),
            "mce-duplicate-principal",
            Error,
        ),
        quiet(
            "a different secondary",
            inpatient("2026-11-01").y("I50.9").y("I50.22"),
            "mce-duplicate-principal",
        ),
        fires(
            "non-specific principal",
            inpatient("2026-11-01").y("G81.00"),
            "mce-nonspecific-principal",
            Info,
        ),
        fires(
            "wrong procedure performed",
            inpatient("2026-11-01")
                .y("I50.9")
                .dx("Y65.51", Some(Poa::Exempt)),
            "mce-wrong-procedure",
            Warning,
        ),
        fires(
            "non-covered procedure",
            hf().pcs("00F3XZZ"),
            "mce-noncovered-procedure",
            Warning,
        ),
        fires(
            "limited coverage procedure",
            hf().pcs("0FYG0Z0"),
            "mce-limited-coverage",
            Warning,
        ),
        quiet(
            "covered procedure",
            hf().pcs("0DTJ4ZZ"),
            "mce-noncovered-procedure",
        ),
        // ---- POA
        fires(
            "POA missing (inpatient)",
            inpatient("2026-11-01").dx("I50.9", None),
            "poa-missing",
            Error,
        ),
        quiet("POA given", hf(), "poa-missing"),
        quiet(
            "no POA outpatient",
            clinic("2026-11-01").dx("I50.9", None),
            "poa-missing",
        ),
        fires(
            "POA U suggests a query",
            inpatient("2026-11-01").dx("I50.9", Some(Poa::Unknown)),
            "poa-unknown",
            Warning,
        ),
        quiet(
            "POA W",
            inpatient("2026-11-01").dx("I50.9", Some(Poa::Undetermined)),
            "poa-unknown",
        ),
        with_site(quiet(
            "exempt code reported 1",
            hf().dx("Z87.891", Some(Poa::Exempt)),
            "poa-exempt",
        )),
        with_site(fires(
            "exempt code reported Y",
            hf().dx("Z87.891", Some(Poa::Yes)),
            "poa-exempt",
            Info,
        )),
        with_site(fires(
            "1 on a code not exempt",
            inpatient("2026-11-01").dx("I50.9", Some(Poa::Exempt)),
            "poa-not-exempt",
            Error,
        )),
        with_site(quiet(
            "exempt code left blank",
            hf().dx("Z87.891", None),
            "poa-missing",
        )),
        // ---- service lines
        fires(
            "a line without pointers",
            clinic("2026-11-01")
                .dx("I10", None)
                .line("99214", &[], 1, &[]),
            "diagnosis-pointer",
            Error,
        ),
        fires(
            "a pointer past the diagnoses",
            clinic("2026-11-01")
                .dx("I10", None)
                .dx("E78.5", None)
                .line("99214", &[], 1, &[1, 3]),
            "diagnosis-pointer",
            Error,
        ),
        fires(
            "five pointers",
            clinic("2026-11-01")
                .dx("I10", None)
                .line("99214", &[], 1, &[1, 1, 1, 1, 1]),
            "diagnosis-pointer",
            Error,
        ),
        quiet(
            "pointers A and B",
            clinic("2026-11-01")
                .dx("I10", None)
                .dx("E78.5", None)
                .line("99214", &[], 1, &[1, 2]),
            "diagnosis-pointer",
        ),
        quiet(
            "modifier 25 on E/M",
            clinic("2026-11-01")
                .dx("I10", None)
                .line("99214", &["25"], 1, &[1]),
            "modifier-25",
        ),
        fires(
            "modifier 25 on a procedure",
            clinic("2026-11-01")
                .dx("I10", None)
                .line("93010", &["25"], 1, &[1]),
            "modifier-25",
            Error,
        ),
        fires(
            "59 with XS",
            clinic("2026-11-01")
                .dx("I10", None)
                .line("20610", &["59", "XS"], 1, &[1]),
            "modifier-59",
            Error,
        ),
        fires(
            "59 alone: prefer X",
            clinic("2026-11-01")
                .dx("I10", None)
                .line("20610", &["59"], 1, &[1]),
            "modifier-59",
            Info,
        ),
        quiet(
            "XS alone",
            clinic("2026-11-01")
                .dx("I10", None)
                .line("20610", &["XS"], 1, &[1]),
            "modifier-59",
        ),
        with_site(fires(
            "PTP indicator 0",
            clinic("2026-11-01")
                .dx("M23.205", None)
                .line("29881", &[], 1, &[1])
                .line("29880", &["XS"], 1, &[1]),
            "ncci-ptp",
            Error,
        )),
        with_site(fires(
            "PTP indicator 1 without a modifier",
            clinic("2026-11-01")
                .dx("M23.205", None)
                .line("29881", &[], 1, &[1])
                .line("29875", &[], 1, &[1]),
            "ncci-ptp",
            Warning,
        )),
        with_site(quiet(
            "PTP indicator 1 with XS",
            clinic("2026-11-01")
                .dx("M23.205", None)
                .line("29881", &[], 1, &[1])
                .line("29875", &["XS"], 1, &[1]),
            "ncci-ptp",
        )),
        with_site(quiet(
            "PTP indicator 9",
            clinic("2026-11-01")
                .dx("M23.205", None)
                .line("29881", &[], 1, &[1])
                .line("20610", &[], 1, &[1]),
            "ncci-ptp",
        )),
        with_site(quiet(
            "PTP pair on different days",
            clinic("2026-11-02")
                .dx("M23.205", None)
                .line_on("29881", "2026-11-01")
                .line_on("29880", "2026-11-02"),
            "ncci-ptp",
        )),
        with_site(fires(
            "MUE line edit: 5 units of 4",
            clinic("2026-11-01")
                .dx("M17.11", None)
                .line("20610", &[], 5, &[1]),
            "mue",
            Warning,
        )),
        with_site(quiet(
            "MUE line edit: 4 units of 4",
            clinic("2026-11-01")
                .dx("M17.11", None)
                .line("20610", &[], 4, &[1]),
            "mue",
        )),
        with_site(fires(
            "MUE per day: 2 lines of 1 (MAI 2)",
            clinic("2026-11-01")
                .dx("M23.205", None)
                .line("29881", &[], 1, &[1])
                .line("29881", &["XS"], 1, &[1]),
            "mue",
            Warning,
        )),
        with_site(quiet(
            "MUE per day: 1 line of 1 (MAI 2)",
            clinic("2026-11-01")
                .dx("M23.205", None)
                .line("29881", &[], 1, &[1]),
            "mue",
        )),
    ]
}

fn found(findings: &[Finding], rule: &str, about: Option<&str>) -> Vec<Severity> {
    found_on(findings, rule, about, None)
}

fn found_on(
    findings: &[Finding],
    rule: &str,
    about: Option<&str>,
    note: Option<&str>,
) -> Vec<Severity> {
    findings
        .iter()
        .filter(|f| f.rule == rule && about.is_none_or(|c| f.codes.iter().any(|x| x == c)))
        .filter(|f| note.is_none_or(|n| f.note.as_deref() == Some(n)))
        .map(|f| f.severity)
        .collect()
}

#[test]
fn every_rule_fires_and_keeps_quiet_at_its_boundary() {
    let plain = rules(false, false);
    let site = rules(true, false);
    let sex_always = rules(false, true);
    let cases = cases();
    assert!(cases.len() >= 130, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let r = match (case.site, case.sex_always) {
            (true, _) => &site,
            (_, true) => &sex_always,
            _ => &plain,
        };
        let findings = r.validate(&case.chart.0);
        let got = found_on(&findings, case.rule, case.about, case.note);
        let ok = match case.fires {
            Some(severity) => !got.is_empty() && got.iter().all(|s| *s == severity),
            None => got.is_empty(),
        };
        if !ok {
            failures.push(format!(
                "{}: {} expected {:?}, got {:?}\n    {:#?}",
                case.name,
                case.rule,
                case.fires,
                got,
                findings
                    .iter()
                    .map(|f| format!("{} {:?} {}", f.rule, f.severity, f.message))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_site_can_turn_the_nonspecific_principal_finding_off() {
    let (cm, pcs, cc) = tables().clone();
    let off = Rules::new(
        cm,
        pcs,
        cc,
        SiteTables::default(),
        EditOptions {
            nonspecific_principal: false,
            ..EditOptions::default()
        },
    )
    .unwrap();
    let chart = inpatient("2026-11-01").y("G81.00").0;
    assert!(found(&off.validate(&chart), "mce-nonspecific-principal", None).is_empty());
    assert_eq!(
        found(
            &rules(false, false).validate(&chart),
            "mce-nonspecific-principal",
            None
        ),
        [Severity::Info]
    );
}

#[test]
fn a_finding_names_its_rule_codes_and_source() {
    let r = rules(false, false);
    // E10's Excludes1 names hyperglycemia NOS (R73.9): a warning, since only
    // the record says whether the two are related.
    let findings = r.validate(&inpatient("2026-11-01").y("E10.9").y("R73.9").0);
    let f = findings.iter().find(|f| f.rule == "excludes1").unwrap();
    assert_eq!(f.codes, ["E10.9", "R73.9"]);
    assert_eq!(f.source, "ICD-10-CM Tabular, Excludes1 at E10");
    assert!(f.message.contains("unrelated"), "{}", f.message);
    assert_eq!(f.key(), "excludes1:E10.9+R73.9");
    assert_eq!(f.query_template, None);
    // Errors come first.
    let mixed = r.validate(&inpatient("2026-11-01").y("I10").dx("I50", None).0);
    let severities: Vec<Severity> = mixed.iter().map(|f| f.severity).collect();
    let mut sorted = severities.clone();
    sorted.sort();
    assert_eq!(severities, sorted);
}

#[test]
fn cc_and_mcc_count_relative_to_the_principal_with_table_6k() {
    let r = rules(false, false);
    // Table 6K: I50.23 (MCC) is in PDX collection 0824, which holds I50.9.
    let excluded = inpatient("2026-11-01").y("I50.9").y("I50.23").0;
    assert_eq!(
        r.cc_badge(&excluded, 1),
        Some((Level::Mcc, Some(Cancelled::ByPrincipal(824))))
    );
    let counted = inpatient("2026-11-01").y("I11.0").y("I50.23").0;
    assert_eq!(r.cc_badge(&counted, 1), Some((Level::Mcc, None)));
    assert_eq!(
        r.cc_badge(&counted, 0),
        None,
        "the principal is not its own CC"
    );
    // Part 2: cardiac arrest is an MCC only for a patient discharged alive.
    let mut died = inpatient("2026-11-01").y("I21.4").y("I46.9").0;
    assert_eq!(r.cc_badge(&died, 1), Some((Level::Mcc, None)));
    died.encounter.disposition = Some("20".into());
    assert_eq!(
        r.cc_badge(&died, 1),
        Some((Level::Mcc, Some(Cancelled::Expired)))
    );
}

#[test]
fn every_demo_chart_coded_with_its_answer_key_has_no_error() {
    let mut file: serde_json::Value =
        serde_json::from_str(chartcoder::demo::DEMO_CHARTS_JSON).unwrap();
    let key: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/demo_answer_key.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let entries = key["charts"].as_array().unwrap();
    for (chart, k) in file["charts"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(entries)
    {
        chart["diagnoses"] = k["diagnoses"].clone();
        chart["procedures"] = k["procedures"].clone();
    }
    let charts = chartcoder::interchange::json::parse_charts(&serde_json::to_vec(&file).unwrap())
        .unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(charts.len(), entries.len());
    let r = rules(false, false);
    let mut problems = Vec::new();
    for (_, chart) in &charts {
        for f in r.validate(chart) {
            if f.severity == Severity::Error {
                problems.push(format!("{}: {} {}", chart.account, f.rule, f.message));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---- families: each walks the whole code set, its expectations taken from
// the Tabular, the change lists and the MCE rows, never from the engine.

use chartcoder::codeset::{Edition, NodeKind, NoteKind, code_key, describe_code, dotted};

fn fy2027() -> Edition {
    Edition::from_label("FY2027").unwrap()
}
use chartcoder::edits::notes::{CodeRange, parse_ranges};

/// Every code valid on the day (MCE), without dots, sorted.
fn valid_keys(day: NaiveDate) -> Vec<&'static str> {
    let (cm, _, _) = tables();
    let mut keys: Vec<&str> = cm
        .mce
        .iter()
        .filter(|(_, m)| m.periods.iter().any(|p| p.contains(day)))
        .map(|(k, _)| k.as_str())
        .collect();
    keys.sort_unstable();
    keys
}

/// One "use additional code" instruction as the Tabular writes it: the lines
/// of one `useAdditionalCode` element at one level.
#[derive(Clone)]
struct Written {
    level: String,
    level_kind: NodeKind,
    number: usize,
    texts: Vec<String>,
    ranges: Vec<CodeRange>,
}

/// The instructions that apply to a node, nearest level first, the same words
/// at two levels counted once.
fn written_instructions(node: usize) -> Vec<Written> {
    let (cm, _, _) = tables();
    let mut out: Vec<Written> = Vec::new();
    for n in cm.lineage(node) {
        let level = &cm.nodes[n];
        let mut groups: Vec<(u32, Vec<String>)> = Vec::new();
        for note in level
            .notes
            .iter()
            .filter(|x| x.kind == NoteKind::UseAdditionalCode)
        {
            match groups.last_mut() {
                Some((g, texts)) if *g == note.group => texts.push(note.text.clone()),
                _ => groups.push((note.group, vec![note.text.clone()])),
            }
        }
        for (i, (_, texts)) in groups.into_iter().enumerate() {
            if out.iter().any(|o| o.texts == texts) {
                continue;
            }
            let ranges = texts.iter().flat_map(|t| parse_ranges(t)).collect();
            out.push(Written {
                level: level.code.clone(),
                level_kind: level.kind,
                number: i + 1,
                texts,
                ranges,
            });
        }
    }
    out
}

#[test]
fn every_use_additional_code_instruction_is_judged_on_its_own() {
    let (cm, _, _) = tables();
    let r = rules(false, false);
    let day = date("2026-11-01");
    let valid = valid_keys(day);
    // The first valid code each instruction names (by its text), found once.
    let mut satisfier: std::collections::HashMap<Vec<String>, Option<&str>> =
        std::collections::HashMap::new();
    let mut codes_walked = 0;
    let mut judged = 0;
    let mut warnings = 0;
    let mut failures: Vec<String> = Vec::new();
    for (node, n) in cm.nodes.iter().enumerate() {
        if n.kind != NodeKind::Code
            || !cm.in_edition(node, fy2027())
            || !cm.children_in(node, fy2027()).is_empty()
        {
            continue;
        }
        // The reportable code of the node: itself, or with its first 7th character.
        let code = match cm.seventh_characters(node).first() {
            Some(s) => chartcoder::codeset::with_seventh(&n.code, s.character),
            None => n.code.clone(),
        };
        if !cm.valid_on(&code, day) {
            continue;
        }
        let all: Vec<Written> = written_instructions(node)
            .into_iter()
            .filter(|w| !w.ranges.is_empty())
            .collect();
        if all.len() < 2 {
            continue;
        }
        let key = code_key(&code);
        let found: Vec<Option<&str>> = all
            .iter()
            .map(|w| {
                *satisfier.entry(w.texts.clone()).or_insert_with(|| {
                    valid
                        .iter()
                        .copied()
                        .find(|k| w.ranges.iter().any(|rg| rg.contains_key(k)))
                })
            })
            .collect();
        codes_walked += 1;
        for (x, wx) in all.iter().enumerate() {
            // A code another instruction names and this one does not.
            let Some(other) = found.iter().enumerate().find_map(|(y, s)| {
                s.filter(|k| y != x && *k != key && !wx.ranges.iter().any(|rg| rg.contains_key(k)))
            }) else {
                continue;
            };
            judged += 1;
            let chart = clinic("2026-11-01")
                .dx(&code, None)
                .dx(&dotted(other), None)
                .0;
            let note = format!("{} #{}", wx.level, wx.number);
            let findings = r.validate(&chart);
            let Some(f) = findings.iter().find(|f| {
                f.rule == "use-additional-code"
                    && f.codes == [code.clone()]
                    && f.note.as_deref() == Some(note.as_str())
            }) else {
                failures.push(format!(
                    "{code} with {other}: no finding for {note} ({})",
                    wx.texts.join(" ")
                ));
                continue;
            };
            let lead = wx.texts[0].to_lowercase();
            let expected = if wx.level_kind != NodeKind::Code || lead.contains("if applicable") {
                Some(Severity::Info)
            } else if [
                "stage of chronic kidney disease",
                "site of ulcer",
                "severity of ulcer",
                "type of heart failure",
                "outcome of delivery",
            ]
            .iter()
            .any(|w| lead.contains(w))
            {
                Some(Severity::Warning)
            } else {
                None
            };
            if f.severity == Severity::Warning {
                warnings += 1;
            }
            if expected.is_some_and(|s| s != f.severity) {
                failures.push(format!(
                    "{code} {note}: {:?}, expected {expected:?}: {}",
                    f.severity, f.message
                ));
            }
            if !f.message.contains(wx.texts[0].as_str()) {
                failures.push(format!(
                    "{code} {note}: the message does not quote the note: {}",
                    f.message
                ));
            }
        }
        // Every instruction met: none of them is reported.
        let mut chart = clinic("2026-11-01").dx(&code, None);
        for s in found.iter().flatten() {
            if *s != key && !chart.0.diagnoses.iter().any(|d| code_key(&d.code) == *s) {
                chart = chart.dx(&dotted(s), None);
            }
        }
        if found.iter().all(Option::is_some) {
            for f in r.validate(&chart.0) {
                if f.rule == "use-additional-code" && f.codes == [code.clone()] {
                    let named = all.iter().any(|w| {
                        f.note.as_deref() == Some(format!("{} #{}", w.level, w.number).as_str())
                    });
                    if named {
                        failures.push(format!(
                            "{code}: every instruction met, still {}",
                            f.message
                        ));
                    }
                }
            }
        }
    }
    eprintln!(
        "use additional code: {codes_walked} codes with two or more instructions, {judged} instructions judged alone, {warnings} warnings"
    );
    assert!(codes_walked > 1000, "{codes_walked}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures[..failures.len().min(40)].join("\n")
    );
}

/// The Excludes1 pairs that cannot both be right, written from the Tabular's
/// categories and the guidelines (README "Excludes1 pairs that are errors").
fn cannot_both_be(a: &str, b: &str) -> bool {
    let diabetes = |k: &str| {
        ["E08", "E09", "E10", "E11", "E13", "O244", "P702"]
            .iter()
            .position(|p| k.starts_with(p))
    };
    if let (Some(x), Some(y)) = (diabetes(a), diabetes(b))
        && x != y
    {
        return true;
    }
    let remission = |k: &str| k.starts_with("E11A");
    let type2_not_in_remission = |k: &str| k.starts_with("E11") && !remission(k) && k.len() > 3;
    if (remission(a) && type2_not_in_remission(b)) || (remission(b) && type2_not_in_remission(a)) {
        return true;
    }
    // One substance (F10-F19 but nicotine F17), two of use (.9), abuse (.1), dependence (.2).
    let level = |k: &str| {
        (k.starts_with('F')
            && k.len() >= 4
            && &k[..3] >= "F10"
            && &k[..3] <= "F19"
            && &k[..3] != "F17")
            .then(|| k.as_bytes()[3])
            .filter(|c| matches!(c, b'1' | b'2' | b'9'))
    };
    if let (Some(x), Some(y)) = (level(a), level(b))
        && a[..3] == b[..3]
        && x != y
    {
        return true;
    }
    let tobacco = |k: &str| {
        ["F172", "Z720", "Z87891"]
            .iter()
            .position(|p| k.starts_with(p))
    };
    if let (Some(x), Some(y)) = (tobacco(a), tobacco(b))
        && x != y
    {
        return true;
    }
    let mood = |k: &str| match &k[..3] {
        "F30" | "F31" | "F33" => Some(k[..3].to_string()),
        "F32" if !k.starts_with("F328") => Some("F32".into()),
        _ => None,
    };
    if let (Some(x), Some(y)) = (mood(a), mood(b))
        && x != y
    {
        return true;
    }
    let migraine = |k: &str| {
        if k.starts_with("G430") || k.starts_with("G431") {
            Some("episodic")
        } else if k.starts_with("G437") || k.starts_with("G43E") {
            Some("chronic")
        } else {
            None
        }
    };
    if let (Some(x), Some(y)) = (migraine(a), migraine(b))
        && x != y
    {
        return true;
    }
    let af = |k: &str| {
        ["I481", "I4820", "I4821"]
            .iter()
            .position(|p| k.starts_with(p))
    };
    matches!((af(a), af(b)), (Some(x), Some(y)) if x != y)
}

#[test]
fn every_excludes1_pair_the_exception_cannot_cover_is_an_error() {
    let (cm, _, _) = tables();
    let r = rules(false, false);
    let day = date("2026-11-01");
    let valid = valid_keys(day);
    let (mut pairs, mut errors) = (0, 0);
    let mut failures = Vec::new();
    for (node, n) in cm.nodes.iter().enumerate() {
        if n.kind != NodeKind::Code || !cm.in_edition(node, fy2027()) {
            continue;
        }
        let prefix = code_key(&n.code);
        let Some(a) = valid
            .iter()
            .copied()
            .find(|k| k.starts_with(prefix.as_str()))
        else {
            continue;
        };
        for note in n.notes.iter().filter(|x| x.kind == NoteKind::Excludes1) {
            for range in parse_ranges(&note.text) {
                if range.qualifier.is_some() {
                    continue; // words the coder judges
                }
                let Some(b) = valid
                    .iter()
                    .copied()
                    .find(|k| range.contains_key(k) && !k.starts_with(prefix.as_str()))
                else {
                    continue;
                };
                pairs += 1;
                let (ad, bd) = (dotted(a), dotted(b));
                let chart = clinic("2026-11-01").dx(&ad, None).dx(&bd, None).0;
                let findings = r.validate(&chart);
                let Some(f) = findings.iter().find(|f| f.rule == "excludes1") else {
                    failures.push(format!("{ad} + {bd} ({}): no Excludes1 finding", note.text));
                    continue;
                };
                let expected = if cannot_both_be(a, b) {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                if f.severity == Severity::Error {
                    errors += 1;
                    let resolved = f.query_template
                        == Some(chartcoder::edits::CONFLICTING_DOCUMENTATION)
                        || f.message.contains("I.C.5.b.1");
                    if !resolved || !f.source.contains("I.A.12.a") {
                        failures.push(format!(
                            "{ad} + {bd}: an error without its resolution: {f:?}"
                        ));
                    }
                }
                if f.severity != expected {
                    failures.push(format!(
                        "{ad} + {bd} ({} at {}): {:?}, expected {expected:?}",
                        note.text, n.code, f.severity
                    ));
                }
            }
        }
    }
    eprintln!("Excludes1: {pairs} pairs walked, {errors} errors");
    assert!(pairs > 3000, "{pairs}");
    // Each class is backed by pairs the Tabular writes.
    for (a, b) in [
        ("E1010", "E1100"),
        ("E11A", "E119"),
        ("F1010", "F1020"),
        ("F17200", "Z87891"),
        ("F319", "F329"),
        ("G43009", "G43709"),
        ("I4811", "I4821"),
    ] {
        assert!(cannot_both_be(a, b), "{a} {b}");
    }
    assert!(errors >= 40, "{errors}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_conflicting_documentation_template_is_bundled() {
    let names: Vec<String> = chartcoder::query::templates::BUNDLED
        .iter()
        .map(|(_, text)| {
            toml::from_str::<chartcoder::query::templates::Template>(text)
                .unwrap()
                .name
        })
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n == chartcoder::edits::CONFLICTING_DOCUMENTATION),
        "{names:?}"
    );
}

/// A change list of the FY2027 edition: (code without dot, long title).
fn change_list(name: &str) -> Vec<(String, String)> {
    let path = format!(
        "{}/codesets/icd10cm_fy2027_changes/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(|row| {
            let row = row.unwrap();
            (row["code"].clone(), row["longTitle"].clone())
        })
        .collect()
}

#[test]
fn every_code_deleted_in_fy2027_tells_its_last_day_and_what_replaced_it() {
    let (cm, _, _) = tables();
    let today = date("2026-11-29");
    let last = date("2026-09-30");
    let deleted = change_list("deleted.csv");
    let added = change_list("added.csv");
    let mut failures = Vec::new();
    // Every code the MCE ends on 2026-09-30 and never starts again.
    let mut ended = 0;
    for (key, m) in &cm.mce {
        let latest_end = m.periods.iter().map(|p| p.end).max();
        if latest_end != Some(Some(last)) || m.periods.iter().any(|p| p.end.is_none()) {
            continue;
        }
        ended += 1;
        let Some(text) = describe_code(cm, key, today) else {
            failures.push(format!("{key}: no detail"));
            continue;
        };
        let status = text.lines().next().unwrap_or("");
        if !status.contains("2026-09-30") {
            failures.push(format!("{key}: the last day is not told: {status}"));
        }
        let on_list = deleted.iter().any(|(c, _)| c == key);
        let told = if on_list {
            status.contains("deleted in FY2027")
                && text.contains("Deleted in FY2027 (from 2026-10-01)")
        } else {
            // Kept as a header with new codes under it (Z68.1: Z68.18, Z68.19).
            status.contains("header")
                && status.contains("subdivided from 2026-10-01")
                && text.contains("Children:")
        };
        if !told {
            failures.push(format!("{key}: {status}"));
        }
    }
    // Every row of the deleted list, headers too, and what the added list puts in its place.
    for (key, title) in &deleted {
        let Some(text) = describe_code(cm, key, today) else {
            failures.push(format!("{key}: no detail"));
            continue;
        };
        if !text
            .lines()
            .next()
            .unwrap_or("")
            .contains("deleted in FY2027")
        {
            failures.push(format!("{key}: {}", text.lines().next().unwrap_or("")));
        }
        let same: Vec<String> = added
            .iter()
            .filter(|(c, t)| t == title && c.len() == key.len() && c[..3] == key[..3])
            .map(|(c, _)| dotted(c))
            .collect();
        let expected = match same.as_slice() {
            [] => None,
            s => Some(format!("replaced by {} (same title)", s.join(", "))),
        };
        match expected {
            Some(e) if !text.contains(&e) => failures.push(format!("{key}: not \"{e}\":\n{text}")),
            None if !text.contains("the FY2027 changes list adds") => {
                failures.push(format!("{key}: the replacement is not told:\n{text}"))
            }
            _ => {}
        }
    }
    // Codes deleted in earlier years: told from the MCE, with their last day.
    let mut earlier = 0;
    for (key, m) in &cm.mce {
        if m.periods.iter().any(|p| p.end.is_none_or(|e| e >= last)) {
            continue;
        }
        earlier += 1;
        let end = m.periods.iter().filter_map(|p| p.end).max().unwrap();
        match describe_code(cm, key, today) {
            Some(text) if text.lines().next().unwrap_or("").contains(&end.to_string()) => {}
            other => failures.push(format!("{key} (ended {end}): {other:?}")),
        }
    }
    eprintln!(
        "deleted: {ended} codes end on 2026-09-30, {} rows on the deleted list, {earlier} ended earlier",
        deleted.len()
    );
    assert!(
        ended >= 30 && deleted.len() == 21,
        "{ended} {}",
        deleted.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_code_whose_mce_rows_split_shows_one_period_and_its_flag_history() {
    let (cm, _, _) = tables();
    let today = date("2026-11-29");
    let (mut split, mut flag_changes) = (0, 0);
    let mut failures = Vec::new();
    for (key, m) in &cm.mce {
        if m.periods.len() < 2 {
            continue;
        }
        let mut rows: Vec<_> = m.periods.iter().zip(&m.dated_flags).collect();
        rows.sort_by_key(|(p, _)| p.start);
        // Periods that touch are one stretch of validity.
        let mut stretches = 1;
        for w in rows.windows(2) {
            let touches = w[0].0.end.and_then(|e| e.succ_opt()) == Some(w[1].0.start);
            if !touches {
                stretches += 1;
            }
        }
        if stretches == m.periods.len() {
            continue;
        }
        split += 1;
        let Some(text) = describe_code(cm, key, today) else {
            failures.push(format!("{key}: no detail"));
            continue;
        };
        let shown = text.lines().filter(|l| l.starts_with("Valid ")).count();
        if shown != stretches {
            failures.push(format!(
                "{key}: {shown} periods shown, {stretches} expected:\n{text}"
            ));
        }
        let flags_differ = rows.windows(2).any(|w| w[0].1 != w[1].1);
        if flags_differ {
            flag_changes += 1;
            if !text.contains("MCE flag history: ") {
                failures.push(format!("{key}: no flag history:\n{text}"));
            }
        }
    }
    eprintln!("MCE: {split} codes with split rows, {flag_changes} with flag changes");
    assert!(split > 100, "{split}");
    assert!(
        failures.is_empty(),
        "{}",
        failures[..failures.len().min(20)].join("\n")
    );
}

#[test]
fn every_code_needing_a_7th_character_says_so_with_its_characters() {
    let (cm, _, _) = tables();
    let today = date("2026-11-29");
    let mut walked = 0;
    let mut failures = Vec::new();
    for (node, n) in cm.nodes.iter().enumerate() {
        if n.kind != NodeKind::Code
            || !cm.in_edition(node, fy2027())
            || !cm.children_in(node, fy2027()).is_empty()
        {
            continue;
        }
        let sevenths = cm.seventh_characters(node);
        if sevenths.is_empty() {
            continue;
        }
        walked += 1;
        let text = describe_code(cm, &n.code, today).unwrap_or_default();
        let status = text.lines().next().unwrap_or("");
        let chars: Vec<String> = sevenths.iter().map(|s| s.character.to_string()).collect();
        if !status.contains(&format!("needs a 7th character ({})", chars.join(", ")))
            || status.contains("header")
        {
            failures.push(format!("{}: {status}", n.code));
        }
    }
    eprintln!("7th character: {walked} codes");
    assert!(walked > 10_000, "{walked}");
    assert!(
        failures.is_empty(),
        "{}",
        failures[..failures.len().min(20)].join("\n")
    );
}
