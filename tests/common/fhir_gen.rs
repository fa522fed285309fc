//! A Synthea-shaped collection Bundle of any size, written straight to a
//! file (never held whole): per patient three finished encounters, each with
//! two conditions (SNOMED CT + ICD-10-CM), a procedure and two base64
//! text/plain DocumentReferences, plus the practitioner.

use std::io::Write;
use std::path::Path;

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Writes patients until the file reaches `bytes`; returns (patients,
/// encounters, resources).
pub fn write_bundle(path: &Path, bytes: u64) -> (u64, u64, u64) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = std::io::BufWriter::new(file);
    let note: String = "Hospital course: the patient was admitted with community-acquired \
        pneumonia, treated with ceftriaxone and azithromycin, improved, and was discharged home. "
        .repeat(60);
    let doc = base64(note.as_bytes());
    write!(
        w,
        r#"{{"resourceType":"Bundle","type":"collection","entry":["#
    )
    .unwrap();
    write!(
        w,
        r#"{{"fullUrl":"urn:uuid:dr-1","resource":{{"resourceType":"Practitioner","id":"dr-1","identifier":[{{"system":"http://hl7.org/fhir/sid/us-npi","value":"9999900001"}}],"name":[{{"family":"Haddad","given":["Yusuf"],"prefix":["Dr."]}}]}}}}"#
    )
    .unwrap();
    let (mut patients, mut encounters, mut resources) = (0u64, 0u64, 1u64);
    let mut written = 0u64;
    while written < bytes {
        let p = patients;
        patients += 1;
        let mut chunk = format!(
            r#",{{"fullUrl":"urn:uuid:p-{p}","resource":{{"resourceType":"Patient","id":"p-{p}","identifier":[{{"type":{{"coding":[{{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}}]}},"value":"MRN{p}"}}],"name":[{{"use":"official","family":"Family{p}","given":["Given"]}}],"gender":"female","birthDate":"1950-01-01"}}}}"#
        );
        resources += 1;
        for e in 0..3 {
            encounters += 1;
            let id = format!("{p}-{e}");
            let day = 10 + e * 5;
            chunk.push_str(&format!(
                r#",{{"fullUrl":"urn:uuid:e-{id}","resource":{{"resourceType":"Encounter","id":"e-{id}","status":"finished","identifier":[{{"type":{{"coding":[{{"code":"VN"}}]}},"value":"V{id}"}}],"class":{{"code":"IMP"}},"subject":{{"reference":"urn:uuid:p-{p}"}},"participant":[{{"type":[{{"coding":[{{"code":"ATND"}}]}}],"individual":{{"reference":"urn:uuid:dr-1"}}}}],"period":{{"start":"2026-03-{day:02}T08:00:00-05:00","end":"2026-03-{:02}T12:00:00-05:00"}}}}}}"#,
                day + 3
            ));
            for (c, (sct, icd)) in [("233604007", "J18.9"), ("59621000", "I10")]
                .iter()
                .enumerate()
            {
                chunk.push_str(&format!(
                    r#",{{"fullUrl":"urn:uuid:c-{id}-{c}","resource":{{"resourceType":"Condition","id":"c-{id}-{c}","code":{{"coding":[{{"system":"http://snomed.info/sct","code":"{sct}"}},{{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"{icd}"}}]}},"subject":{{"reference":"urn:uuid:p-{p}"}},"encounter":{{"reference":"urn:uuid:e-{id}"}},"onsetDateTime":"2026-03-{day:02}"}}}}"#
                ));
            }
            chunk.push_str(&format!(
                r#",{{"fullUrl":"urn:uuid:pr-{id}","resource":{{"resourceType":"Procedure","id":"pr-{id}","status":"completed","code":{{"coding":[{{"system":"http://snomed.info/sct","code":"40617009"}}]}},"subject":{{"reference":"urn:uuid:p-{p}"}},"encounter":{{"reference":"urn:uuid:e-{id}"}},"performedDateTime":"2026-03-{:02}","performer":[{{"actor":{{"reference":"urn:uuid:dr-1"}}}}]}}}}"#,
                day + 1
            ));
            for d in 0..2 {
                chunk.push_str(&format!(
                    r#",{{"fullUrl":"urn:uuid:d-{id}-{d}","resource":{{"resourceType":"DocumentReference","id":"d-{id}-{d}","status":"current","type":{{"coding":[{{"system":"http://loinc.org","code":"18842-5"}}]}},"date":"2026-03-{:02}","author":[{{"reference":"urn:uuid:dr-1"}}],"content":[{{"attachment":{{"contentType":"text/plain","data":"{doc}"}}}}],"context":{{"encounter":[{{"reference":"urn:uuid:e-{id}"}}]}}}}}}"#,
                    day + 3
                ));
            }
            resources += 6;
        }
        w.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len() as u64;
    }
    write!(w, "]}}").unwrap();
    w.flush().unwrap();
    (patients, encounters, resources)
}
