//! The written shape of codes: how a coder may type them and how they are stored.
//!
//! These checks are about form only (is this something that could be an ICD-10-CM
//! code?); whether a code exists and is valid on a date is the code sets' business.

use super::CodeSystem;

/// A code that does not have the form of any code system we accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeFormatError {
    #[error("code is empty")]
    Empty,
    #[error(
        "{0:?} is not an ICD-10-CM code (a letter, a digit, a digit or letter, then up to 4 characters after the dot, e.g. I50.23)"
    )]
    Diagnosis(String),
    #[error(
        "{0:?} is not an ICD-10-PCS (7 characters, no I or O), CPT (5 characters, e.g. 99213 or 0042T) or HCPCS Level II (letter + 4 digits) code"
    )]
    Procedure(String),
    #[error("{code:?} has the form of {found}, not {expected}")]
    WrongSystem {
        code: String,
        found: &'static str,
        expected: &'static str,
    },
    #[error("{0:?} is not a modifier (two letters or digits, e.g. 25, LT, XS)")]
    Modifier(String),
}

fn cleaned(code: &str) -> String {
    code.trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Normalizes an ICD-10-CM code to the form a coder writes: upper case with the dot
/// after the third character ("e1165" -> "E11.65", "I10" stays "I10").
pub fn normalize_diagnosis_code(code: &str) -> Result<String, CodeFormatError> {
    let cleaned = cleaned(code);
    if cleaned.is_empty() {
        return Err(CodeFormatError::Empty);
    }
    let bare: String = cleaned.chars().filter(|&c| c != '.').collect();
    let dots = cleaned.chars().filter(|&c| c == '.').count();
    let dot_in_place = dots == 0 || (dots == 1 && cleaned.find('.') == Some(3) && bare.len() > 3);
    let bytes = bare.as_bytes();
    let well_formed = dot_in_place
        && (3..=7).contains(&bytes.len())
        && bytes[0].is_ascii_uppercase()
        && bytes[1].is_ascii_digit()
        && bytes[2].is_ascii_alphanumeric()
        && bytes[3..].iter().all(u8::is_ascii_alphanumeric);
    if !well_formed {
        return Err(CodeFormatError::Diagnosis(code.trim().to_string()));
    }
    if bare.len() == 3 {
        Ok(bare)
    } else {
        Ok(format!("{}.{}", &bare[..3], &bare[3..]))
    }
}

fn is_pcs_char(b: u8) -> bool {
    (b.is_ascii_digit() || b.is_ascii_uppercase()) && b != b'I' && b != b'O'
}

/// The procedure code system a code's form belongs to, if any.
fn procedure_system_of(code: &str) -> Option<CodeSystem> {
    let b = code.as_bytes();
    match b.len() {
        7 if b.iter().all(|&c| is_pcs_char(c)) => Some(CodeSystem::Icd10Pcs),
        5 if b[..4].iter().all(u8::is_ascii_digit)
            && matches!(b[4], b'0'..=b'9' | b'F' | b'T' | b'U') =>
        {
            Some(CodeSystem::Cpt)
        }
        5 if b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit) => {
            Some(CodeSystem::Hcpcs)
        }
        _ => None,
    }
}

/// Normalizes a procedure code and decides its system. `declared` is the system the
/// input names, if any; a code whose form belongs to another system is refused.
pub fn normalize_procedure_code(
    code: &str,
    declared: Option<CodeSystem>,
) -> Result<(String, CodeSystem), CodeFormatError> {
    let cleaned = cleaned(code);
    if cleaned.is_empty() {
        return Err(CodeFormatError::Empty);
    }
    let found = procedure_system_of(&cleaned)
        .ok_or_else(|| CodeFormatError::Procedure(code.trim().to_string()))?;
    match declared {
        None => Ok((cleaned, found)),
        Some(d) if d == found => Ok((cleaned, found)),
        Some(d) => Err(CodeFormatError::WrongSystem {
            code: cleaned,
            found: found.label(),
            expected: d.label(),
        }),
    }
}

/// Normalizes a CPT/HCPCS modifier ("lt" -> "LT").
pub fn normalize_modifier(modifier: &str) -> Result<String, CodeFormatError> {
    let m = cleaned(modifier);
    if m.len() == 2 && m.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(m)
    } else {
        Err(CodeFormatError::Modifier(modifier.trim().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnosis_codes_get_their_dot_after_the_category() {
        assert_eq!(normalize_diagnosis_code("e1165").unwrap(), "E11.65");
        assert_eq!(normalize_diagnosis_code(" I50.23 ").unwrap(), "I50.23");
        assert_eq!(normalize_diagnosis_code("I10").unwrap(), "I10");
        assert_eq!(normalize_diagnosis_code("T450X1A").unwrap(), "T45.0X1A");
        assert_eq!(normalize_diagnosis_code("C4A.9").unwrap(), "C4A.9");
    }

    #[test]
    fn malformed_diagnosis_codes_are_refused() {
        for bad in [
            "",
            "I5",
            "150.9",
            "I50.",
            "I5.09",
            "I50.23456",
            "J18..9",
            "I50-9",
        ] {
            assert!(normalize_diagnosis_code(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn procedure_systems_follow_from_the_form() {
        assert_eq!(
            normalize_procedure_code("0dtj4zz", None).unwrap(),
            ("0DTJ4ZZ".to_string(), CodeSystem::Icd10Pcs)
        );
        assert_eq!(
            normalize_procedure_code("99213", None).unwrap().1,
            CodeSystem::Cpt
        );
        assert_eq!(
            normalize_procedure_code("0042T", None).unwrap().1,
            CodeSystem::Cpt
        );
        assert_eq!(
            normalize_procedure_code("G0008", None).unwrap().1,
            CodeSystem::Hcpcs
        );
        // PCS never uses the letters I and O.
        assert!(normalize_procedure_code("0DTJ4ZO", None).is_err());
        let err = normalize_procedure_code("99213", Some(CodeSystem::Hcpcs)).unwrap_err();
        assert!(matches!(err, CodeFormatError::WrongSystem { .. }), "{err}");
    }

    #[test]
    fn modifiers_are_two_characters() {
        assert_eq!(normalize_modifier("lt").unwrap(), "LT");
        assert!(normalize_modifier("LTR").is_err());
        assert!(normalize_modifier("-").is_err());
    }
}
