//! Rules that need the chart's MS-DRG: a chart that does not group, and the
//! CC/MCC that Table 6K part 3 leaves out of select DRGs. The DRG comes from
//! the grouper as data ([`DrgOutcome`]); the edits do not group.

use super::{Facts, Finding, Rules, Severity};

/// What grouping the chart gave, as the caller found it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DrgOutcome {
    /// Not grouped here: not an inpatient chart, no diagnosis yet, or no
    /// grouper loaded.
    #[default]
    Unknown,
    /// Grouped to this MS-DRG (return code OK).
    Grouped(u16),
    /// The chart does not group (DRG 999 with its return code, too many
    /// codes): the reason in words.
    Ungroupable(String),
    /// No MS-DRG version is installed for the discharge date: the message.
    NoVersion(String),
}

const GROUPER: &str = "CMS MS-DRG grouper (definitions v43.0, v43.1, v44.0)";
const TABLE_6K_PART_3: &str =
    "IPPS Table 6K part 3: secondary diagnosis CC/MCC severity exclusions in select MS-DRGs";

pub(crate) fn check(rules: &Rules, facts: &Facts<'_>, drg: &DrgOutcome, out: &mut Vec<Finding>) {
    let principal = facts.dx.first().map_or("", |(c, _)| *c);
    match drg {
        DrgOutcome::Unknown => {}
        DrgOutcome::Ungroupable(why) => out.push(Finding::new(
            "drg-ungroupable",
            Severity::Error,
            &[principal],
            format!("the chart does not group to an MS-DRG: {why}"),
            GROUPER,
        )),
        DrgOutcome::NoVersion(why) => out.push(Finding::new(
            "drg-no-version",
            Severity::Warning,
            &[principal],
            format!("no MS-DRG for this chart: {why}"),
            GROUPER,
        )),
        DrgOutcome::Grouped(drg) => part_3(rules, facts, *drg, out),
    }
}

/// A secondary CC/MCC (not already cancelled by the principal or a death)
/// that the chart's DRG leaves out: information, so the coder knows it does
/// not raise the severity here.
fn part_3(rules: &Rules, facts: &Facts<'_>, drg: u16, out: &mut Vec<Finding>) {
    let exclusions = &rules.cc_mcc.exclusions;
    for position in 1..facts.chart.diagnoses.len() {
        let Some((level, None)) = rules.cc_badge(facts.chart, position) else {
            continue;
        };
        let code = &facts.chart.diagnoses[position].code;
        let Some(block) = exclusions
            .excluded_in_drg(code, drg)
            .and_then(|i| exclusions.in_drgs.get(i))
        else {
            continue;
        };
        out.push(Finding::new(
            "drg-cc-excluded",
            Severity::Info,
            &[code],
            format!(
                "{code} is a {} that does not count in MS-DRG {drg:03}: MS-DRGs {} ({}) leave it out",
                level.label(),
                block.drgs(),
                block.title
            ),
            TABLE_6K_PART_3,
        ));
    }
}
