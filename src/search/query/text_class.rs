//! What the filters ask of a code (its system, whether it is reportable as
//! it stands), kept as one byte per index text. The common-word scan reads
//! tens of thousands of texts a keystroke in static rank order; their codes
//! lie all over the entry tables, so the byte is read here in text order
//! instead (the same answer as `Searcher::allowed` of the text's code).

use super::Searcher;
use crate::search::{Filters, SearchIndex, System, SystemFilter, flag};

/// The bit of a class byte for a code reportable as it stands (or one whose
/// complete codes are offered in its place); the low bits are its system.
const REPORTABLE: u8 = 0x80;

/// The class byte of a code.
pub(super) fn class(system: System, reportable: bool) -> u8 {
    system as u8 | if reportable { REPORTABLE } else { 0 }
}

/// The class byte of an index entry.
pub(super) fn of_entry(ix: &SearchIndex, entry: usize) -> u8 {
    class(
        ix.system(entry),
        ix.has(entry, flag::BILLABLE | flag::NEEDS_SEVENTH | flag::EXPANDS),
    )
}

/// Whether the filters allow a code of this class.
pub(super) fn allows(class: u8, filters: &Filters) -> bool {
    if filters.systems == SystemFilter::All && !filters.billable_only {
        return true;
    }
    filters.systems.allows(System::from_u8(class & !REPORTABLE))
        && (!filters.billable_only || class & REPORTABLE != 0)
}

impl Searcher<'_> {
    /// Makes each text's class byte (`Searcher::text_classes`) if not made.
    pub(super) fn make_text_classes(&mut self) {
        if self.text_classes.len() != self.ix.texts() {
            let ix = self.ix;
            self.text_classes = ix
                .text_entry
                .iter()
                .map(|&e| of_entry(ix, e as usize))
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_byte_answers_as_the_system_and_flags_it_was_made_of() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap_or_default();
        for system in System::ALL {
            for reportable in [false, true] {
                let c = class(system, reportable);
                assert_eq!(System::from_u8(c & !REPORTABLE), system);
                for systems in [
                    SystemFilter::All,
                    SystemFilter::Diagnoses,
                    SystemFilter::Procedures,
                    SystemFilter::Only(System::Hcpcs),
                ] {
                    for billable_only in [false, true] {
                        let mut f = Filters::on(date);
                        f.systems = systems;
                        f.billable_only = billable_only;
                        let want = systems.allows(system) && (!billable_only || reportable);
                        assert_eq!(allows(c, &f), want, "{system:?} {reportable} {systems:?}");
                    }
                }
            }
        }
    }
}
