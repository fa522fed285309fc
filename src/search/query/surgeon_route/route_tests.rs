//! The root operation readers, each with the source's own example and a
//! sibling of another body part, side or device; the expectations are the
//! words of the table values (FY2026 tables) the definitions lead to.

use super::route;
use crate::search::text::index_words;

fn px(q: &str) -> String {
    route(index_words(q), true, true).join(" ")
}

#[test]
fn a_hernia_with_mesh_is_supplement_and_without_it_repair() {
    // Definitions, Supplement includes "Herniorrhaphy using mesh"; 0YU
    // Inguinal Region, Left 6 with Synthetic Substitute J.
    assert_eq!(
        px("open repair of recurrent left inguinal hernia using prolene mesh"),
        "supplement open left inguinal region synthetic substitute"
    );
    // The abdominal wall's (0WU F); a patch is mesh (Device Key: "Bard
    // Ventralex hernia patch" — Synthetic Substitute).
    assert_eq!(
        px("umbilical hernia repair with ventralex patch"),
        "supplement abdominal wall synthetic substitute"
    );
    // A biologic graft: Nonautologous Tissue Substitute (K).
    assert_eq!(
        px("incisional hernia repair with biologic mesh"),
        "supplement abdominal wall nonautologous tissue substitute"
    );
    // No material, or the material denied: Repair (0WQ / 0YQ).
    assert_eq!(
        px("primary suture repair of umbilical hernia, no mesh used"),
        "repair abdominal wall"
    );
    assert_eq!(
        px("open right femoral herniorrhaphy without mesh"),
        "repair open right femoral region"
    );
    // A hernia of no region of these tables keeps its words.
    assert_eq!(
        px("hiatal hernia repair with mesh"),
        "hiatal hernia repair with mesh"
    );
}

#[test]
fn a_release_frees_the_body_part_the_constraint_held() {
    // The carpal tunnel holds the median nerve (01N5), the wrist is the site.
    assert_eq!(
        px("endoscopic carpal tunnel release left wrist"),
        "endoscopic release left median nerve"
    );
    assert_eq!(
        px("right cubital tunnel release"),
        "right release ulnar nerve"
    );
    assert_eq!(
        px("left tarsal tunnel release"),
        "left release tibial nerve"
    );
    // A trigger finger is the flexor tendon at the A1 pulley: Hand Tendon
    // (0LN7 / 0LN8), not the Finger Phalanx.
    assert_eq!(
        px("trigger finger release right middle finger A1 pulley"),
        "release right hand tendon"
    );
    assert_eq!(px("left trigger thumb release"), "left release hand tendon");
    assert_eq!(
        px("de Quervain release right wrist first dorsal compartment"),
        "release right lower arm wrist tendon"
    );
    // A release of nothing named: as typed.
    assert_eq!(px("adhesion release"), "adhesion release");
}

#[test]
fn a_lesion_or_a_portion_cut_out_is_excision() {
    // Polypectomy — see Excision, Gastrointestinal System 0DB: Rectum P.
    assert_eq!(
        px("colonoscopy with resection of rectal polyp"),
        "colonoscopy with excision rectum polyp"
    );
    assert_eq!(
        px("EGD with snare polypectomy of gastric polyp"),
        "egd with excision stomach polyp"
    );
    // A partial nephrectomy: Excision, Kidney (0TB).
    assert_eq!(
        px("laparoscopic partial nephrectomy right kidney"),
        "laparoscopic excision nephrectomy right kidney"
    );
    // Guideline B3.8: a segmentectomy is an Excision of the lobe.
    assert_eq!(
        px("VATS right upper lobe segmentectomy"),
        "thoracoscopic right upper lobe excision"
    );
    // A partial colectomy is of the colon's segments, each its own body
    // part: as typed; a whole organ stays a Resection.
    assert_eq!(px("partial colectomy"), "partial colectomy");
    assert_eq!(px("laparoscopic splenectomy"), "laparoscopic splenectomy");
}

#[test]
fn a_stent_holding_a_tube_open_is_its_dilation() {
    // Definitions, Dilation; the adjective names the table's body part.
    assert_eq!(
        px("EGD with esophageal stent placement"),
        "dilation egd with esophagus stent"
    );
    // Sizes are no character.
    assert_eq!(
        px("ERCP with placement of 10 French x 7 cm plastic biliary stent"),
        "dilation ercp with common bile duct stent"
    );
    assert_eq!(
        px("rigid bronchoscopy with tracheal stent placement"),
        "dilation rigid bronchoscopy with trachea stent"
    );
    // A stent's shape is no character: Intraluminal Device (0T768DZ).
    assert_eq!(
        px("cystoscopy with right ureteral stent placement, 6 French x 26 cm double J"),
        "dilation cystoscopy with right ureter stent"
    );
    // Taken out, or an aneurysm's endograft, or denied: not a Dilation.
    assert_eq!(
        px("removal of left ureteral stent"),
        "removal left ureteral stent"
    );
    // A denied stent adds no Intraluminal Device; the plain balloon is
    // still the angioplasty's Dilation (reading/arteries.rs).
    assert_eq!(
        px("balloon angioplasty, no stent placed"),
        "dilation angioplasty no stent placed"
    );
}

#[test]
fn pins_hold_a_reduction_or_only_the_bone() {
    // Reposition with Internal Fixation Device (0PSJ34Z's characters; PCS
    // Index "Reduction, Fracture — see Reposition": the operation's word).
    assert_eq!(
        px("closed reduction and percutaneous pinning of left distal radius fracture"),
        "reposition closed reduction percutaneous left distal radius fracture internal fixation device"
    );
    // Body Part Key: "Distal humerus — use Humeral Shaft" (0PSF34Z).
    assert_eq!(
        px(
            "closed reduction percutaneous pinning right supracondylar humerus fracture with K-wires"
        ),
        "reposition closed reduction percutaneous right distal humerus fracture internal fixation device"
    );
    // No reduction: Insertion (0PHQ34Z), without the fracture's words.
    assert_eq!(
        px("percutaneous pinning of left fifth metacarpal fracture in situ without reduction"),
        "insertion percutaneous left fifth metacarpal internal fixation device"
    );
}

#[test]
fn a_ventricular_drain_is_the_drainage_of_the_cerebral_ventricle() {
    // PCS Index: Ventriculostomy, External drainage — Drainage, Cerebral
    // Ventricle 0096; the frontal burr hole and its side are the way in;
    // no incision named: Percutaneous (a drain put in, guideline B6.2).
    assert_eq!(
        px("placement of right frontal external ventricular drain"),
        "drainage cerebral ventricle percutaneous drainage device"
    );
    // A shunt is a Bypass: as typed.
    assert_eq!(
        px("ventriculoperitoneal shunt"),
        "ventriculoperitoneal shunt"
    );
}

#[test]
fn a_drug_given_by_a_route_is_its_introduction() {
    // 3E03317: Peripheral Vein, Percutaneous, Thrombolytic.
    assert_eq!(
        px("tPA given IV through a peripheral line for acute ischemic stroke"),
        "introduction peripheral vein percutaneous thrombolytic"
    );
    assert_eq!(
        px("intrathecal chemotherapy"),
        "introduction spinal canal percutaneous antineoplastic"
    );
    assert_eq!(
        px("chemotherapy through central venous line"),
        "introduction central vein percutaneous antineoplastic"
    );
    // A route the synonym list joins into one phrase word.
    assert_eq!(
        route(
            vec!["chemotherapy".into(), "central line".into()],
            true,
            true
        )
        .join(" "),
        "introduction central vein percutaneous antineoplastic"
    );
    // A port put in for chemotherapy is a device's Insertion; a
    // catheter-directed thrombolysis a Fragmentation: as typed.
    assert_eq!(
        px("port placement for chemotherapy"),
        "port placement chemotherapy"
    );
    assert_eq!(
        px("catheter directed thrombolysis"),
        "catheter directed thrombolysis"
    );
}

#[test]
fn a_clipped_valve_is_supplemented_and_anesthesia_is_no_word_of_the_code() {
    // Device Key: MitraClip — Synthetic Substitute; table 02U Mitral Valve.
    assert_eq!(
        px("transcatheter edge-to-edge mitral valve repair with MitraClip"),
        "supplement transcatheter mitral valve synthetic substitute"
    );
    assert_eq!(
        px("left carotid endarterectomy under general anesthesia"),
        "left carotid endarterectomy"
    );
    assert_eq!(
        px("closed reduction of right shoulder dislocation under sedation"),
        "closed reduction right shoulder dislocation"
    );
}

#[test]
fn packing_is_part_of_the_drainage_and_a_pelvic_abscess_is_in_the_pelvic_cavity() {
    // Table 0J9, Subcutaneous Tissue and Fascia, Left Upper Leg (0J9M0ZZ).
    assert_eq!(
        px("incision and drainage of left thigh subcutaneous abscess, packed with gauze"),
        "incision drainage left upper leg subcutaneous tissue fascia"
    );
    // Table 0W9, Pelvic Cavity (J).
    assert_eq!(
        px("CT guided drainage of pelvic abscess with drain left in place"),
        "ct guided drainage pelvic cavity abscess with drain left place"
    );
    // Packing alone, nothing drained: as typed (section 2, Packing).
    assert_eq!(px("nasal packing"), "nasal packing");
}

#[test]
fn a_drain_put_in_is_a_drainage_with_its_device() {
    use super::placements::drain_placement;
    use crate::search::text::index_words;
    let drain = |q: &str| drain_placement(index_words(q)).join(" ");
    // Guideline B6.2: Drainage with the Drainage Device; no incision named:
    // Percutaneous (Definitions: "by puncture or minor incision").
    assert_eq!(
        drain("lumbar drain placement"),
        "lumbar drain drainage device percutaneous"
    );
    // The cavity, not the membrane (0W9B Pleural Cavity, Left).
    assert_eq!(
        drain("left pleural drain insertion"),
        "left pleural cavity drain drainage device percutaneous"
    );
    // An approach typed is the approach.
    assert_eq!(
        drain("open peritoneal drain placement"),
        "open peritoneal cavity drain drainage device"
    );
    // A drain taken out, or one only mentioned, is no placement.
    for q in [
        "lumbar drain removal placement",
        "appendectomy drain left",
        "drainage of pelvic abscess with drain placed",
    ] {
        assert_eq!(drain(q), index_words(q).join(" "), "{q}");
    }
}

#[test]
fn a_growth_taken_is_excision_and_the_reasons_organ_is_not() {
    // Definitions, Excision: "a portion of a body part": a tumor, mass or
    // nodule the words take leaves the organ; the growth is no body part
    // value, its word goes.
    assert_eq!(
        px("transurethral resection of bladder tumor"),
        "transurethral excision bladder"
    );
    assert_eq!(px("bladder tumor resected"), "bladder excision");
    assert_eq!(px("excision of thyroid nodule"), "excision thyroid");
    assert_eq!(px("removal of brain mass"), "excision brain");
    // A side between the taking and the growth (table 0HB: Breast, Left
    // U; 0JB: Subcutaneous Tissue and Fascia, Right Upper Leg L).
    assert_eq!(px("excision of left breast mass"), "excision left breast");
    assert_eq!(
        px("excision of right breast tumor"),
        "excision right breast"
    );
    assert_eq!(px("removal of left thigh mass"), "excision left thigh");
    assert_eq!(
        px("excision of right thyroid nodule"),
        "excision right thyroid"
    );
    // Further off, the growth is why the organ was taken (guideline B3.8).
    assert_eq!(
        px("resection of sigmoid colon for tumor"),
        "resection sigmoid colon tumor"
    );
}

#[test]
fn the_instrument_that_takes_tissue_is_left_out() {
    // The PCS Index: "Biopsy — see Excision with qualifier Diagnostic"; no
    // character names the forceps or the snare (0DB68ZX: Stomach, Via
    // Natural or Artificial Opening Endoscopic, Diagnostic).
    assert_eq!(
        px("EGD with cold forceps biopsies of the stomach"),
        "egd with biopsy stomach"
    );
    assert_eq!(px("hot snare polypectomy"), "excision");
    assert_eq!(
        px("cold snare excision of colon polyp"),
        "excision colon polyp"
    );
    assert_eq!(px("forceps biopsy of duodenum"), "biopsy duodenum");
    // Without tissue taken the words stay: a forceps delivery is one
    // (Extraction, Products of Conception: qualifier Low Forceps).
    assert_eq!(px("low forceps delivery"), "low forceps delivery");
}

#[test]
fn biopsies_are_the_index_main_term_biopsy() {
    // PCS Index: "Biopsy — see Excision with qualifier Diagnostic".
    assert_eq!(px("liver biopsies"), "liver biopsy");
    assert_eq!(px("duodenum biopsied"), "duodenum biopsy");
    assert_eq!(px("random colon biopsies"), "random colon biopsy");
}

#[test]
fn a_robot_beside_an_operation_is_not_the_hand_assisted_qualifier() {
    // PCS Index: "Robotic Assisted Procedure ... 8E0"; tables 0DT/0DB
    // qualifier G Hand-Assisted.
    assert_eq!(
        px("robotic-assisted laparoscopic right hemicolectomy"),
        "robotic laparoscopic right hemicolectomy"
    );
    assert_eq!(px("robot assisted sigmoidectomy"), "robot sigmoidectomy");
    assert_eq!(
        px("robotic assisted cholecystectomy"),
        "robotic cholecystectomy"
    );
    // The robot alone is its own procedure (8E0), words kept; a hand in the
    // abdomen is the qualifier.
    assert_eq!(
        px("robotic assisted procedure"),
        "robotic assisted procedure"
    );
    assert_eq!(
        px("hand assisted laparoscopic sigmoidectomy"),
        "hand assisted laparoscopic sigmoidectomy"
    );
}
