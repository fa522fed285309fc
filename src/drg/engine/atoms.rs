//! The claim's atoms (grouper README section 4): which attributes the claim
//! has, on the principal, on a secondary, or only there, that the formulas
//! are evaluated against.

use crate::drg::Level;
use crate::drg::tables::{Atom, AttrId, Synth};

/// An attribute's flags in [`Atoms::slots`].
pub(super) const PRESENT: u8 = 1;
pub(super) const ON_PDX: u8 = 2;
pub(super) const ON_SDX: u8 = 4;
pub(super) const ONLY: u8 = 8;

/// One attribute of the claim: its flags and, for a bare/ANY atom, the AND
/// of the suppression bits of every occurrence (diagnoses never suppress).
#[derive(Clone, Copy)]
struct Slot {
    flags: u8,
    suppressed: u32,
}

/// The claim's atoms (README section 4), one slot per attribute name (one
/// allocation for the claim).
pub(super) struct Atoms {
    slots: Vec<Slot>,
    pub(super) synth: [bool; 32],
}

impl Atoms {
    pub(super) fn new(n: usize) -> Atoms {
        Atoms {
            slots: vec![
                Slot {
                    flags: 0,
                    suppressed: u32::MAX,
                };
                n
            ],
            synth: [false; 32],
        }
    }

    pub(super) fn add(&mut self, a: AttrId, suppression: u32) {
        if let Some(s) = self.slots.get_mut(usize::from(a)) {
            s.flags |= PRESENT;
            s.suppressed &= suppression;
        }
    }

    pub(super) fn set(&mut self, a: AttrId, flag: u8, on: bool) {
        if let Some(s) = self.slots.get_mut(usize::from(a)) {
            if on {
                s.flags |= flag;
            } else {
                s.flags &= !flag;
            }
        }
    }

    pub(super) fn has(&self, a: AttrId, flag: u8) -> bool {
        self.slots
            .get(usize::from(a))
            .is_some_and(|s| s.flags & flag != 0)
    }

    pub(super) fn synth(&self, s: Synth) -> bool {
        self.synth[s as usize]
    }

    pub(super) fn truth(&self, atom: &Atom, mdc: u8, level: Level) -> bool {
        match atom {
            Atom::Any(a) => self.slots.get(usize::from(*a)).is_some_and(|s| {
                s.flags & PRESENT != 0 && (mdc >= 32 || s.suppressed & (1 << mdc) == 0)
            }),
            Atom::Pdx(a) => self.has(*a, ON_PDX),
            Atom::Sdx(a) => self.has(*a, ON_SDX),
            Atom::Only(a) => self.has(*a, ONLY),
            Atom::Synth(Synth::Mcc) => level == Level::Mcc,
            Atom::Synth(Synth::Cc) => level == Level::Cc,
            Atom::Synth(Synth::NoCc) => level == Level::None,
            Atom::Synth(s) => self.synth(*s),
        }
    }
}
