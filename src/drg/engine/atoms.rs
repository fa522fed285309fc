//! The claim's atom set (README section 4): one slot of flags per attribute
//! name, and the synthesised atoms, read by every formula of both passes.

use crate::drg::Level;
use crate::drg::tables::{Atom, AttrId, Synth};

/// An attribute's flags in [`Atoms::slots`].
pub(super) const PRESENT: u8 = 1;
pub(super) const ON_PDX: u8 = 2;
pub(super) const ON_SDX: u8 = 4;
pub(super) const ONLY: u8 = 8;
/// In the first attribute list (not the category or HAC lists) of a valid
/// secondary diagnosis.
pub(super) const SDX_ATTR: u8 = 16;

/// One attribute of the claim: its flags and, for a bare/ANY atom, the AND
/// of the suppression bits of every occurrence (diagnoses never suppress).
#[derive(Clone, Copy)]
struct Slot {
    flags: u8,
    /// How many valid secondary diagnoses have the attribute in one of
    /// their lists, and (1-based) the last one counted.
    sdx_count: u8,
    last_sdx: u8,
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
                    sdx_count: 0,
                    last_sdx: 0,
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

    /// Counts secondary diagnosis `nth` (1-based) as having `a`, once.
    pub(super) fn count_sdx(&mut self, a: AttrId, nth: u8) {
        if let Some(s) = self.slots.get_mut(usize::from(a))
            && s.last_sdx != nth
        {
            s.last_sdx = nth;
            s.sdx_count = s.sdx_count.saturating_add(1);
        }
    }

    pub(super) fn sdx_count(&self, a: AttrId) -> usize {
        self.slots
            .get(usize::from(a))
            .map_or(0, |s| usize::from(s.sdx_count))
    }

    pub(super) fn has(&self, a: AttrId, flag: u8) -> bool {
        self.slots
            .get(usize::from(a))
            .is_some_and(|s| s.flags & flag != 0)
    }

    fn synth(&self, s: Synth) -> bool {
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
