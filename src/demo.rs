//! The demo chart queue shipped in `data/`, and a generator of synthetic charts for
//! trying the queue at scale. Every name, number and note here was made up.

use crate::domain::{
    Chart, ChartStatus, Document, DocumentKind, Encounter, EncounterType, Patient, Sex,
};
use crate::interchange::{self, ImportError};
use crate::store::{self, Store, StoreError};
use chrono::{Days, NaiveDate};

/// The demo charts, in the JSON import format (compiled in, so the binary seeds a
/// demo queue wherever it runs).
pub const DEMO_CHARTS_JSON: &str = include_str!("../data/demo_charts.json");

/// Who the audit trail names for seeding and generating.
pub const SYSTEM_ACTOR: &str = "chartcoder";

/// Stores the demo charts; returns how many.
pub fn seed(store: &mut Store) -> Result<usize, ImportError> {
    interchange::import_json(store, DEMO_CHARTS_JSON.as_bytes(), SYSTEM_ACTOR)
}

/// A small, fast, deterministic generator (SplitMix64): the same seed gives the
/// same charts on every machine.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "Ada", "Bram", "Celia", "Dario", "Edda", "Fenna", "Gus", "Hanne", "Ivo", "Jolene", "Kasimir",
    "Lumi", "Mireille", "Niall", "Orla", "Pim", "Quincy", "Rosalind", "Soren", "Tamsin", "Ulla",
    "Vesna", "Wendell", "Xiomara", "Yusuf", "Zelda",
];
const LAST: &[&str] = &[
    "Abernath",
    "Brightwater",
    "Castellane",
    "Dunmore",
    "Elsworth",
    "Fairbrook",
    "Galloway",
    "Hollis",
    "Ingleby",
    "Juniper",
    "Kestrel",
    "Lindqvist",
    "Marchetti",
    "Northcott",
    "Oyelaran",
    "Pemberly",
    "Quarrington",
    "Rasmussen",
    "Stavros",
    "Thornfield",
    "Underhill",
    "Valdivia",
    "Whitlock",
    "Yarrow",
    "Zabala",
];
const COMPLAINTS: &[&str] = &[
    "chest pain",
    "shortness of breath",
    "abdominal pain",
    "fall with wrist pain",
    "fever and cough",
    "headache",
    "follow-up of hypertension",
    "diabetes follow-up",
    "low back pain",
    "urinary burning",
];
const PHYSICIANS: &[&str] = &[
    "Dr. Imani Achterberg",
    "Dr. Lars Oduya",
    "Dr. Priya Vanterpool",
    "Dr. Tomasz Ferreira",
    "Dr. Grace Holloway-Ng",
];

/// Generates `count` synthetic charts (in transactions of 10,000) and returns how
/// many were stored. Accounts continue after any generated before, so running it
/// twice adds more charts rather than colliding.
pub fn generate(
    store: &mut Store,
    count: u64,
    seed: u64,
    today: NaiveDate,
) -> Result<u64, StoreError> {
    let start = store::charts::generated_count(store.conn())?;
    let mut rng = SplitMix(seed ^ start);
    let mut done = 0;
    while done < count {
        let batch = (count - done).min(10_000);
        store.write(|tx| {
            let now = store::now_utc();
            for i in 0..batch {
                let n = start + done + i;
                let chart = synthetic_chart(&mut rng, n, today);
                let id = store::charts::insert_chart(tx, &chart, &now)?;
                store::audit::record(
                    tx,
                    SYSTEM_ACTOR,
                    Some(id),
                    crate::domain::AuditAction::ChartGenerated,
                    "",
                )?;
            }
            Ok(())
        })?;
        done += batch;
    }
    Ok(done)
}

fn synthetic_chart(rng: &mut SplitMix, n: u64, today: NaiveDate) -> Chart {
    let encounter_type = match rng.below(100) {
        0..15 => EncounterType::Inpatient,
        15..25 => EncounterType::OutpatientSurgery,
        25..50 => EncounterType::Emergency,
        50..75 => EncounterType::Clinic,
        _ => EncounterType::Professional,
    };
    let status = match rng.below(100) {
        0..70 => ChartStatus::Ready,
        70..78 => ChartStatus::InProgress,
        78..85 => ChartStatus::OnHold,
        85..95 => ChartStatus::Coded,
        _ => ChartStatus::Final,
    };
    let discharge = today - Days::new(rng.below(180));
    let stay = if encounter_type == EncounterType::Inpatient {
        1 + rng.below(9)
    } else {
        0
    };
    let admit = discharge - Days::new(stay);
    let birth = admit - Days::new(365 * (1 + rng.below(94)) + rng.below(365));
    let sex = if rng.below(2) == 0 {
        Sex::Female
    } else {
        Sex::Male
    };
    let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
    let complaint = *rng.pick(COMPLAINTS);
    let attending = (*rng.pick(PHYSICIANS)).to_string();
    let (kind, title) = match encounter_type {
        EncounterType::Inpatient => (DocumentKind::DischargeSummary, "Discharge summary"),
        EncounterType::OutpatientSurgery => (DocumentKind::OperativeReport, "Operative report"),
        EncounterType::Emergency => (DocumentKind::EdNote, "ED provider note"),
        _ => (DocumentKind::ClinicNote, "Office visit"),
    };
    Chart {
        account: format!("G{:09}", n + 1),
        mrn: format!("GM{:08}", n + 1),
        status,
        patient: Patient {
            name,
            birth_date: birth,
            sex,
        },
        encounter: Encounter {
            encounter_type,
            admit_date: admit,
            discharge_date: discharge,
            disposition: (encounter_type == EncounterType::Inpatient).then(|| "01".to_string()),
            attending: Some(attending.clone()),
            other_providers: Vec::new(),
            payer: Some(
                if rng.below(3) == 0 {
                    "Medicare"
                } else {
                    "Commercial"
                }
                .to_string(),
            ),
        },
        documents: vec![Document {
            kind,
            author: attending,
            signed: true,
            date: discharge,
            title: Some(title.to_string()),
            text: format!(
                "Synthetic chart generated for load testing.\nChief complaint: {complaint}.\n\
                 Assessment and plan documented in summary form only."
            ),
        }],
        diagnoses: Vec::new(),
        procedures: Vec::new(),
        final_drg: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{QueueFilter, queue};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    }

    #[test]
    fn the_demo_queue_parses_and_has_at_least_forty_charts() {
        let charts = crate::interchange::json::parse_charts(DEMO_CHARTS_JSON.as_bytes())
            .unwrap_or_else(|p| panic!("{p:?}"));
        assert!(charts.len() >= 40, "{} charts", charts.len());
        for t in EncounterType::ALL {
            assert!(
                charts.iter().any(|(_, c)| c.encounter.encounter_type == *t),
                "no {t} chart in the demo"
            );
        }
    }

    #[test]
    fn generated_charts_are_deterministic_and_continue_numbering() {
        for stores in crate::store::testing::Stores::each() {
            generated_charts_on(&stores);
        }
    }

    fn generated_charts_on(stores: &crate::store::testing::Stores) {
        let mut a = stores.open();
        let mut b = stores.open();
        assert_eq!(generate(&mut a, 25, 7, today()).unwrap(), 25);
        assert_eq!(generate(&mut b, 25, 7, today()).unwrap(), 25);
        let pa = queue::page(
            a.conn(),
            &QueueFilter::default(),
            &store::QueuePage::First,
            25,
        )
        .unwrap();
        let pb = queue::page(
            b.conn(),
            &QueueFilter::default(),
            &store::QueuePage::First,
            25,
        )
        .unwrap();
        assert_eq!(pa, pb);
        generate(&mut a, 5, 7, today()).unwrap();
        let summary = queue::summary(a.conn(), &QueueFilter::default()).unwrap();
        assert_eq!(summary.charts, 30);
    }
}
