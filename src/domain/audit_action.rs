//! What an audit-trail row records: one name per kind of action, written
//! once here. The trail stores the name (`as_str`); rows written by older
//! versions keep whatever name they had.

macro_rules! audit_actions {
    ($($variant:ident = $name:literal: $what:literal,)*) => {
        /// A kind of action the audit trail records.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $(#[doc = $what] $variant,)*
        }

        impl AuditAction {
            /// Every action.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            /// The name stored in the audit trail.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $name,)*
                }
            }

            /// What the action is, in words.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $what,)*
                }
            }

            /// The action stored under `name`, if it is one of today's.
            pub fn parse(name: &str) -> Option<AuditAction> {
                match name {
                    $($name => Some(AuditAction::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

audit_actions! {
    ChartImported = "chart_imported": "a chart was imported",
    ChartGenerated = "chart_generated": "a synthetic demo chart was generated",
    View = "view": "a chart was shown (opened read-only, validated, a query printed)",
    Claim = "claim": "a chart was claimed (or an expired claim taken over)",
    Release = "release": "a claim was released",
    Hold = "hold": "a chart was put on hold",
    Complete = "complete": "a chart was completed (coded)",
    FinalDrg = "final_drg": "the MS-DRG a chart was completed with was stored (DRG, MDC, weight, grouper version, Table 5)",
    AddDiagnosis = "add_diagnosis": "a diagnosis code was added",
    RemoveDiagnosis = "remove_diagnosis": "a diagnosis code was removed",
    MoveDiagnosis = "move_diagnosis": "a diagnosis was moved in the sequence",
    SetPoa = "set_poa": "a diagnosis's POA indicator was set",
    AddProcedure = "add_procedure": "a procedure code was added",
    RemoveProcedure = "remove_procedure": "a procedure code was removed",
    MoveProcedure = "move_procedure": "a procedure was moved in the sequence",
    SetLineDetail = "set_line_detail": "a service line's modifiers, units or pointers were set",
    Acknowledge = "acknowledge": "a warning of the edits was acknowledged",
    Export = "export": "a chart was exported (format and destination)",
    QueryDraft = "query_draft": "a physician query draft was kept",
    QuerySent = "query_sent": "a physician query was sent (its text sealed)",
    QueryAnswered = "query_answered": "a physician's answer was recorded (sealed)",
    QueryClosed = "query_closed": "a physician query was closed with its outcome",
    QueryCanceled = "query_canceled": "a physician query was canceled, with the reason",
    QueryRecipient = "query_recipient": "a physician query was sent to another physician",
    QuerySealed = "query_sealed": "a query sent before seals existed was sealed as it stood",
    AnswerSealed = "answer_sealed": "an answer recorded before seals existed was sealed as it stood",
    PolicySet = "policy_set": "a manager changed a site policy (old and new value)",
    Lock = "lock": "the idle workstation locked",
    Unlock = "unlock": "the locked workstation was unlocked with the login password",
    UnlockFailed = "unlock_failed": "a wrong password was typed on the lock screen",
    Logoff = "logoff": "the session ended by itself (idle, or wrong passwords)",
    AuditBrokenAccepted = "audit_broken_accepted": "the workstation was started on a broken audit trail",
    Hl7Message = "hl7_message": "an HL7 v2 message was applied (type, control id, what it did)",
    UserRole = "user_role": "a manager added a user, changed a user's role or removed one",
    ReviewSetting = "review_setting": "a manager changed a review rule or a target (old and new value)",
    ReviewStart = "review_start": "a reviewer began a second-level review (the coder's version kept)",
    ReviewReasonGiven = "review_reason": "a reviewer gave the reason category of a change",
    ReviewPass = "review_pass": "a reviewer passed a chart to reviewed",
    ReviewReturn = "review_return": "a reviewer returned a chart to its coder with a note",
    ReviewAgree = "review_agree": "the coder agreed with the reviewer's changes",
    ReviewRebut = "review_rebut": "the coder rebutted reviewer's changes (once), with a note",
    ReviewSettle = "review_settle": "a manager settled a rebutted change (whose version stands)",
    Finalize = "finalize": "a chart was made final (locked, released to billing)",
    Reopen = "reopen": "a manager reopened a final chart, with the reason",
}

impl AuditAction {
    /// The actions that change a chart's codes.
    pub const CODE_CHANGES: &'static [AuditAction] = &[
        AuditAction::AddDiagnosis,
        AuditAction::RemoveDiagnosis,
        AuditAction::MoveDiagnosis,
        AuditAction::SetPoa,
        AuditAction::AddProcedure,
        AuditAction::RemoveProcedure,
        AuditAction::MoveProcedure,
        AuditAction::SetLineDetail,
    ];
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn every_name_is_distinct_and_parses_back() {
        let mut names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len());
    }
}
