//! The edits engine on the bundled code sets: a table of rule cases, each rule
//! firing and not firing at its boundary, built from the official examples
//! (the tabular's own notes, the MCE's flags and dated age ranges, Table 6K's
//! collections); site tables are fixtures written for this project.

use chartcoder::codeset::risk::{Cancelled, Severity as Level};
use chartcoder::codeset::{IcdCm, IcdPcs, risk};
use chartcoder::domain::{
    Chart, ChartStatus, CodeSystem, DiagnosisAssignment, Encounter, EncounterType, Patient, Poa,
    ProcedureAssignment, Sex,
};
use chartcoder::edits::site::{Mue, Ptp, parse_poa_exempt};
use chartcoder::edits::{EditOptions, Finding, Rules, Severity, SiteTables};
use chrono::NaiveDate;
use std::sync::{Arc, OnceLock};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

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
    let d = date(day);
    C(Chart {
        account: "T1".into(),
        mrn: "M1".into(),
        status: ChartStatus::InProgress,
        patient: Patient {
            name: "Test Patient".into(),
            birth_date: date("1960-06-15"),
            sex: Sex::Female,
        },
        encounter: Encounter {
            encounter_type: kind,
            admit_date: d - chrono::Days::new(3),
            discharge_date: d,
            disposition: Some("01".into()),
            attending: None,
            other_providers: vec![],
            payer: None,
        },
        documents: vec![],
        diagnoses: vec![],
        procedures: vec![],
    })
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
    }
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
        fires(
            "Excludes1 at E11: E08.-",
            inpatient("2026-11-01").y("E11.9").y("E08.9"),
            "excludes1",
            Warning,
        ),
        fires(
            "Excludes1 at F17: Z87.891",
            clinic("2026-11-01").dx("F17.210", None).dx("Z87.891", None),
            "excludes1",
            Warning,
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
        fires(
            "use additional code at E11, none",
            inpatient("2026-11-01").y("E11.9"),
            "use-additional-code",
            Info,
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
    findings
        .iter()
        .filter(|f| f.rule == rule && about.is_none_or(|c| f.codes.iter().any(|x| x == c)))
        .map(|f| f.severity)
        .collect()
}

#[test]
fn every_rule_fires_and_keeps_quiet_at_its_boundary() {
    let plain = rules(false, false);
    let site = rules(true, false);
    let sex_always = rules(false, true);
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let r = match (case.site, case.sex_always) {
            (true, _) => &site,
            (_, true) => &sex_always,
            _ => &plain,
        };
        let findings = r.validate(&case.chart.0);
        let got = found(&findings, case.rule, case.about);
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
    let findings = r.validate(&inpatient("2026-11-01").y("E11.9").y("E08.9").0);
    let f = findings.iter().find(|f| f.rule == "excludes1").unwrap();
    assert_eq!(f.codes, ["E11.9", "E08.9"]);
    assert_eq!(f.source, "ICD-10-CM Tabular, Excludes1 at E11");
    assert!(f.message.contains("unrelated"), "{}", f.message);
    assert_eq!(f.key(), "excludes1:E11.9+E08.9");
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
