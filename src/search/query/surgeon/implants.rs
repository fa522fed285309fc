//! Implanted devices surgeons name by what they are, not by the tables'
//! label, read as the 6th character of a PCS code (PCS Definitions, Device
//! Key):
//! - a PICC or a non-tunneled central venous catheter: Infusion Device
//!   ("Peripherally inserted central catheter (PICC)", "Non-tunneled
//!   central venous catheter");
//! - an implanted port: Vascular Access Device, Totally Implantable
//!   ("Implanted (venous)(access) port"); a tunneled catheter: Vascular
//!   Access Device, Tunneled ("Tunneled central venous catheter");
//! - a pulmonary artery (Swan-Ganz) catheter and a loop recorder: Monitoring
//!   Device ("Loop recorder, implantable"); CardioMEMS: Monitoring Device,
//!   Pressure Sensor ("CardioMEMS(R) pressure sensor");
//! - pacemaker and defibrillator leads: Cardiac Lead, Pacemaker / Cardiac
//!   Lead, Defibrillator; generators: Pacemaker, Single Chamber ("Single lead
//!   pacemaker"), Pacemaker, Dual Chamber ("Two lead pacemaker"), Defibrillator
//!   Generator ("Implantable cardioverter-defibrillator (ICD)"), the Cardiac
//!   Resynchronization Pacemaker / Defibrillator Pulse Generators ("CRT-P",
//!   "CRT-D"); a leadless pacemaker: Intracardiac Pacemaker;
//! - Impella: Short-term External Heart Assist System ("Impella(R) heart
//!   pump"); an LVAD: Implantable Heart Assist System ("HeartMate II(R) Left
//!   Ventricular Assist Device (LVAD)").
//!
//! A code of a table that has the label earns the points; the words find the
//! table (a lead in 02H, a generator or a port in 0JH), so a pacemaker "with
//! leads" names both.

/// Points for the implant's label in a code's title, as a named device's
/// (`super::devices`).
const IMPLANT_NAMED: f32 = 4.0;

/// An implant the words name, by its label in the PCS tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Implant {
    Infusion,
    Port,
    Tunneled,
    Monitoring,
    PressureSensor,
    PacemakerLead,
    DefibrillatorLead,
    SingleChamber,
    DualChamber,
    Defibrillator,
    ResynchronizationPacemaker,
    ResynchronizationDefibrillator,
    Intracardiac,
    ShortTermAssist,
    ImplantableAssist,
}

impl Implant {
    /// The device value's label as the tables write it (one label per
    /// value, the same in every table that has it).
    fn label(self) -> &'static str {
        match self {
            Implant::Infusion => "Infusion Device",
            Implant::Port => "Vascular Access Device, Totally Implantable",
            Implant::Tunneled => "Vascular Access Device, Tunneled",
            Implant::Monitoring => "Monitoring Device",
            Implant::PressureSensor => "Monitoring Device, Pressure Sensor",
            Implant::PacemakerLead => "Cardiac Lead, Pacemaker",
            Implant::DefibrillatorLead => "Cardiac Lead, Defibrillator",
            Implant::SingleChamber => "Pacemaker, Single Chamber",
            Implant::DualChamber => "Pacemaker, Dual Chamber",
            Implant::Defibrillator => "Defibrillator Generator",
            Implant::ResynchronizationPacemaker => {
                "Cardiac Resynchronization Pacemaker Pulse Generator"
            }
            Implant::ResynchronizationDefibrillator => {
                "Cardiac Resynchronization Defibrillator Pulse Generator"
            }
            Implant::Intracardiac => "Intracardiac Pacemaker",
            Implant::ShortTermAssist => "Short-term External Heart Assist System",
            Implant::ImplantableAssist => "Implantable Heart Assist System",
        }
    }

    /// Whether a PCS title ("Insertion of Superior Vena Cava, Infusion
    /// Device, Percutaneous Approach") has the label as a whole value: a
    /// ", " before it and a ", " or the end after it, so "Infusion Device"
    /// is not "Infusion Device, Pump" nor "Monitoring Device" its Pressure
    /// Sensor or Hemodynamic kind.
    pub(super) fn in_title(self, title: &str) -> bool {
        let label = self.label();
        let mut from = 0;
        while let Some(at) = title.get(from..).and_then(|t| t.find(label)) {
            let start = from + at;
            let end = start + label.len();
            let before = title.get(..start).is_some_and(|b| b.ends_with(", "));
            let rest = title.get(end..).unwrap_or("");
            let whole =
                rest.is_empty() || (rest.starts_with(", ") && !continues_label(self, &rest[2..]));
            if before && whole {
                return true;
            }
            from = end;
        }
        false
    }
}

/// Whether the value after a label is a longer label's kind ("Infusion
/// Device, Pump"; "Monitoring Device, Hemodynamic", ", Pressure Sensor").
fn continues_label(implant: Implant, rest: &str) -> bool {
    match implant {
        Implant::Infusion => rest.starts_with("Pump"),
        Implant::Monitoring => {
            rest.starts_with("Pressure Sensor") || rest.starts_with("Hemodynamic")
        }
        _ => false,
    }
}

/// Words that can name an implant: when none is in the query, nothing is
/// read (a keystroke pays one pass over its words).
const TRIGGERS: [&str; 33] = [
    "picc",
    "cvc",
    "cvl",
    "central",
    "venous",
    "lumen",
    "dialysis",
    "port",
    "portacath",
    "mediport",
    "powerport",
    "tunneled",
    "tunnelled",
    "permcath",
    "hickman",
    "swan",
    "ganz",
    "pulmonary",
    "loop",
    "cardiomems",
    "lead",
    "leads",
    "pacemaker",
    "pacer",
    "icd",
    "aicd",
    "defibrillator",
    "crt",
    "biventricular",
    "leadless",
    "micra",
    "impella",
    "lvad",
];

/// Words of a laparoscopy's or a scope's ports ("trocar port"): not a
/// vascular access port.
const SCOPE_PORTS: [&str; 6] = [
    "trocar",
    "trocars",
    "laparoscopic",
    "laparoscopy",
    "lap",
    "robotic",
];

fn has(flat: &[&str], w: &str) -> bool {
    flat.contains(&w)
}

fn any(flat: &[&str], ws: &[&str]) -> bool {
    ws.iter().any(|w| has(flat, w))
}

/// Whether `b` follows `a` within two words ("pulmonary artery catheter",
/// "loop recorder").
fn near(flat: &[&str], a: &str, b: &str) -> bool {
    flat.iter()
        .enumerate()
        .any(|(i, w)| *w == a && flat[i + 1..].iter().take(2).any(|x| *x == b))
}

/// The implants the query's single words name (`flat`: phrases split).
pub(super) fn read(flat: &[&str]) -> Vec<Implant> {
    let mut out = Vec::new();
    if !flat.iter().any(|w| TRIGGERS.contains(w)) {
        return out;
    }
    read_access(flat, &mut out);
    read_rhythm(flat, &mut out);
    if has(flat, "cardiomems") {
        out.push(Implant::PressureSensor);
    }
    if has(flat, "impella") {
        out.push(Implant::ShortTermAssist);
    }
    if has(flat, "lvad") || has(flat, "heartmate") {
        out.push(Implant::ImplantableAssist);
    }
    out
}

/// Lines, ports and catheters in a vein, and the pulmonary artery catheter.
fn read_access(flat: &[&str], out: &mut Vec<Implant>) {
    let catheter = any(flat, &["catheter", "catheters", "cath", "line", "lines"]);
    let tunneled = any(flat, &["tunneled", "tunnelled", "permcath", "hickman"]);
    let port = any(flat, &["portacath", "mediport", "powerport"])
        || (has(flat, "port") && !any(flat, &SCOPE_PORTS));
    if port {
        out.push(Implant::Port);
    } else if tunneled {
        out.push(Implant::Tunneled);
    }
    let swan = has(flat, "swan") || has(flat, "ganz") || near(flat, "pulmonary", "catheter");
    if swan {
        out.push(Implant::Monitoring);
        return;
    }
    let central = any(flat, &["picc", "cvc", "cvl"])
        || (catheter && any(flat, &["central", "venous", "lumen", "dialysis"]));
    if central && !port && !tunneled {
        out.push(Implant::Infusion);
    }
}

/// Pacemakers, defibrillators, their leads, and a loop recorder.
fn read_rhythm(flat: &[&str], out: &mut Vec<Implant>) {
    if near(flat, "loop", "recorder") {
        out.push(Implant::Monitoring);
    }
    let defibrillator = any(flat, &["icd", "aicd", "defibrillator"]);
    let pacemaker = any(flat, &["pacemaker", "pacer", "ppm"]);
    let crt = has(flat, "crt") || has(flat, "biventricular") || has(flat, "biv");
    if any(flat, &["leadless", "micra"]) {
        out.push(Implant::Intracardiac);
        return;
    }
    let lead = any(flat, &["lead", "leads"]);
    if lead {
        out.push(if defibrillator {
            Implant::DefibrillatorLead
        } else {
            Implant::PacemakerLead
        });
    }
    // "Defibrillator lead in the right ventricle" is the lead alone; a
    // generator, a chamber count or resynchronization names the generator
    // too.
    let generator_said =
        !lead || crt || any(flat, &["generator", "dual", "single", "chamber", "pocket"]);
    let generator = if !generator_said {
        None
    } else if crt && (defibrillator || near(flat, "crt", "d")) {
        Some(Implant::ResynchronizationDefibrillator)
    } else if crt && (pacemaker || near(flat, "crt", "p")) {
        Some(Implant::ResynchronizationPacemaker)
    } else if defibrillator {
        Some(Implant::Defibrillator)
    } else if pacemaker && any(flat, &["dual", "ddd", "two"]) {
        Some(Implant::DualChamber)
    } else if pacemaker && any(flat, &["single", "vvi", "one"]) {
        Some(Implant::SingleChamber)
    } else {
        None
    };
    out.extend(generator);
}

/// Whether the words say a catheter's work inside a vessel with no approach
/// named: a stent, a filter, an angioplasty, a line or lead, or entry "via"
/// (or "trans-") a vessel. Such work is reached by puncture (Definitions,
/// Percutaneous: "entry, by puncture or minor incision ... to reach the
/// site"); the open approach needs the word ("open removal of IVC filter").
pub(super) fn through_a_vessel(flat: &[&str], implants: &[Implant], stent: bool) -> bool {
    const VESSEL_WORK: [&str; 23] = [
        // A left atrial appendage occluder goes in through the femoral vein
        // and the atrial septum (table 02L: Atrium, Left, Intraluminal
        // Device, qualifier Left Atrial Appendage).
        "watchman",
        // Coils and septal occluders are delivered by catheter (Device Key:
        // "Embolization coil(s)", Intraluminal Device; "GORE(R) CARDIOFORM
        // Septal Occluder", Synthetic Substitute); a uterine artery
        // embolization (UAE) is an embolization; the ablation of pulmonary
        // vein isolation (PVI) and endovenous laser ablation (EVLA, EVLT)
        // are a catheter's; a leadless pacemaker is put into the heart
        // through a vein (PCS Index: "Pacemaker, Intracardiac").
        "embolized",
        "coil",
        "coils",
        "coiled",
        "occluder",
        "uae",
        "pvi",
        "evla",
        "angioplasty",
        "stenting",
        "stented",
        "filter",
        "embolization",
        "coiling",
        "transfemoral",
        "transradial",
        "transjugular",
        "transvenous",
        "transseptal",
        "catheterization",
        "evlt",
        "leadless",
    ];
    const VESSEL: [&str; 9] = [
        "artery", "arterial", "vein", "venous", "femoral", "radial", "jugular", "ij", "brachial",
    ];
    // Open vascular surgery: an endarterectomy closed with a patch
    // angioplasty, a bypass, a cutdown, an opened vessel.
    const OPEN_WORK: [&str; 7] = [
        "endarterectomy",
        "patch",
        "bypass",
        "cutdown",
        "arteriotomy",
        "venotomy",
        "incision",
    ];
    if flat.iter().any(|w| OPEN_WORK.contains(w)) {
        return false;
    }
    let via_vessel = flat
        .iter()
        .enumerate()
        .any(|(i, w)| *w == "via" && flat[i + 1..].iter().take(3).any(|x| VESSEL.contains(x)));
    let catheter = implants.iter().any(|i| {
        matches!(
            i,
            Implant::Infusion
                | Implant::Monitoring
                | Implant::PressureSensor
                | Implant::PacemakerLead
                | Implant::DefibrillatorLead
                | Implant::ShortTermAssist
                | Implant::Intracardiac
        )
    });
    stent || catheter || via_vessel || flat.iter().any(|w| VESSEL_WORK.contains(w))
}

/// Points a complete Medical and Surgical code earns for the implants the
/// words name.
pub(super) fn bonus(implants: &[Implant], key: &[u8], title: &str) -> f32 {
    if implants.is_empty() || key.first() != Some(&b'0') {
        return 0.0;
    }
    if implants.iter().any(|i| i.in_title(title)) {
        IMPLANT_NAMED
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::text::index_words;

    fn implants(q: &str) -> Vec<Implant> {
        let ws = index_words(q);
        let flat: Vec<&str> = ws.iter().flat_map(|w| w.split(' ')).collect();
        read(&flat)
    }

    #[test]
    fn lines_ports_and_tunneled_catheters_are_their_device_key_values() {
        use Implant::*;
        for q in [
            "right basilic PICC, tip in SVC",
            "left subclavian CVC",
            "right IJ triple lumen central venous catheter",
            "femoral venous catheter",
            "temporary dialysis catheter right femoral vein",
        ] {
            assert_eq!(implants(q), [Infusion], "{q}");
        }
        for q in [
            "implanted port right chest",
            "port-a-cath insertion",
            "mediport",
        ] {
            assert_eq!(implants(q), [Port], "{q}");
        }
        assert_eq!(implants("tunneled dialysis catheter right IJ"), [Tunneled]);
        assert_eq!(implants("Hickman catheter placement"), [Tunneled]);
        assert_eq!(implants("Swan-Ganz catheter via right IJ"), [Monitoring]);
        assert_eq!(
            implants("pulmonary artery catheter insertion"),
            [Monitoring]
        );
        // A laparoscopy's ports are no vascular access device.
        assert_eq!(implants("laparoscopic cholecystectomy, umbilical port"), []);
        assert_eq!(implants("pulmonary lobectomy"), []);
        assert_eq!(implants("right heart catheterization"), []);
    }

    #[test]
    fn pacemakers_defibrillators_and_pumps_are_their_device_key_values() {
        use Implant::*;
        assert_eq!(
            implants("dual chamber pacemaker, leads in right atrium and right ventricle"),
            [PacemakerLead, DualChamber]
        );
        assert_eq!(
            implants("single chamber pacemaker generator"),
            [SingleChamber]
        );
        assert_eq!(implants("ICD generator insertion"), [Defibrillator]);
        assert_eq!(
            implants("defibrillator lead in the right ventricle"),
            [DefibrillatorLead]
        );
        assert_eq!(
            implants("ICD generator with right ventricular lead"),
            [DefibrillatorLead, Defibrillator]
        );
        assert_eq!(
            implants("CRT-D generator placement"),
            [ResynchronizationDefibrillator]
        );
        assert_eq!(
            implants("biventricular pacemaker"),
            [ResynchronizationPacemaker]
        );
        assert_eq!(implants("leadless pacemaker"), [Intracardiac]);
        assert_eq!(implants("implantable loop recorder"), [Monitoring]);
        assert_eq!(implants("CardioMEMS sensor"), [PressureSensor]);
        assert_eq!(implants("Impella placement"), [ShortTermAssist]);
        assert_eq!(implants("HeartMate 3 LVAD"), [ImplantableAssist]);
    }

    #[test]
    fn work_inside_a_vessel_is_through_the_skin_unless_open_is_said() {
        let through = |q: &str| {
            let ws = index_words(q);
            let flat: Vec<&str> = ws.iter().flat_map(|w| w.split(' ')).collect();
            through_a_vessel(&flat, &read(&flat), false)
        };
        for q in [
            "IVC filter removal",
            "right common iliac artery angioplasty",
            "left renal artery work via femoral artery",
            "PICC right arm",
            "transvenous lead",
        ] {
            assert!(through(q), "{q}");
        }
        assert!(!through("femoral artery endarterectomy"));
        assert!(!through(
            "right carotid endarterectomy with bovine pericardial patch angioplasty"
        ));
        assert!(!through("left femoral popliteal bypass"));
        // The reader only holds when no approach is named (`PcsWords`).
        let w = super::super::PcsWords::of(
            "open removal of IVC filter",
            &index_words("open removal of IVC filter"),
        );
        assert!(!w.vessel_puncture);
        let w =
            super::super::PcsWords::of("IVC filter removal", &index_words("IVC filter removal"));
        assert!(w.vessel_puncture);
    }

    #[test]
    fn a_label_is_a_whole_device_value_of_the_title() {
        // Titles as codeset::pcs writes them (02HV33Z, 0JH60VZ, 02HP30Z,
        // 0JH605Z, 0JH606Z).
        let svc = "Insertion of Superior Vena Cava, Infusion Device, Percutaneous Approach";
        let pump = "Insertion of Chest Subcutaneous Tissue and Fascia, Infusion Device, Pump, \
                    Open Approach";
        assert!(Implant::Infusion.in_title(svc) && !Implant::Infusion.in_title(pump));
        let sensor = "Insertion of Pulmonary Trunk, Monitoring Device, Pressure Sensor, \
                      Percutaneous Approach";
        assert!(!Implant::Monitoring.in_title(sensor));
        assert!(Implant::PressureSensor.in_title(sensor));
        let rate = "Insertion of Subcutaneous Tissue and Fascia, Chest, Pacemaker, Single Chamber \
                    Rate Responsive, Open Approach";
        assert!(!Implant::SingleChamber.in_title(rate));
        let dual = "Insertion of Subcutaneous Tissue and Fascia, Chest, Pacemaker, Dual Chamber, \
                    Open Approach";
        assert!(Implant::DualChamber.in_title(dual));
        // Only codes of the Medical and Surgical section earn the points.
        assert_eq!(bonus(&[Implant::Infusion], b"3E033VJ", svc), 0.0);
        assert_eq!(bonus(&[Implant::Infusion], b"02HV33Z", svc), IMPLANT_NAMED);
        assert_eq!(bonus(&[], b"02HV33Z", svc), 0.0);
    }
}
