//! Small-cell suppression for published tables, so that reports protect confidentiality
//! (`003_d493ecb4a837036e.txt, 13 CSR 35-35.100(6)(D)`; the rule leaves the method to the R&E
//! Team).
//!
//! What is implemented, for each metric and period separately:
//!
//! 1. **Primary suppression**: a cell whose denominator is at least 1 and below
//!    [`SuppressionOptions::min_denominator`] (default 11, so counts of 1 to 10 are hidden, the
//!    common public-health small-cell rule) has its numerator, denominator and value withheld.
//! 2. **Complementary suppression** over the published hierarchies: system ⊃ regions ⊃ circuits
//!    ⊃ counties, and system ⊃ providers. In every parent/children group, counts add up (each
//!    count goes to exactly one region, circuit, county and provider, or to none, which this
//!    module treats as a known remainder), so a lone hidden child could be recovered as the
//!    parent minus its published siblings. Whenever a published parent has exactly one hidden
//!    child with a non-zero denominator, the published sibling with the smallest non-zero
//!    denominator is hidden too (or, if there is none, the parent). Whenever a hidden parent has
//!    only published children, its smallest child is hidden, so it cannot be rebuilt as their
//!    sum. This repeats until nothing changes.
//!
//! What it does **not** cover: differencing across periods (a month from its quarter, or two
//! overlapping rolling windows), across metrics that share a denominator, across the provider
//! and place hierarchies combined with outside knowledge, and attribute disclosure (a 0% or
//! 100% rate in a published cell tells something about every child in it). Publishing one
//! granularity and one hierarchy at a time avoids the first three.

use serde::{Deserialize, Serialize};

use crate::metrics::definitions::MetricId;
use crate::metrics::measure::{Level, Measurement};

fn eleven() -> u64 {
    11
}
fn yes() -> bool {
    true
}

/// Suppression options.
///
/// # Example
///
/// ```
/// let o = cwfinance::metrics::suppress::SuppressionOptions::default();
/// assert_eq!((o.min_denominator, o.complementary), (11, true));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppressionOptions {
    /// Cells with a denominator from 1 to this minus 1 are hidden (0 or 1 turns suppression off).
    #[serde(default = "eleven")]
    pub min_denominator: u64,
    /// Also hide complementary cells so hidden ones cannot be recovered from totals.
    #[serde(default = "yes")]
    pub complementary: bool,
}

impl Default for SuppressionOptions {
    fn default() -> Self {
        SuppressionOptions {
            min_denominator: 11,
            complementary: true,
        }
    }
}

/// Why a cell is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Its denominator is below the threshold.
    Primary,
    /// Hidden so that a primary cell cannot be recovered from totals.
    Complementary,
}

/// Parent/children groups over a list of cells.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::suppress::{suppress_cells, Reason, SuppressionOptions};
/// // A total of 40 split into 25, 12 and 3: the 3 is hidden, and so is the 12, else 40 - 25 - 12 = 3.
/// let marks = suppress_cells(&[40, 25, 12, 3], &[(0, vec![1, 2, 3])], &SuppressionOptions::default());
/// assert_eq!(marks, vec![None, None, Some(Reason::Complementary), Some(Reason::Primary)]);
/// ```
pub fn suppress_cells(
    denominators: &[u64],
    groups: &[(usize, Vec<usize>)],
    options: &SuppressionOptions,
) -> Vec<Option<Reason>> {
    let mut marks: Vec<Option<Reason>> = denominators
        .iter()
        .map(|&d| (d > 0 && d < options.min_denominator).then_some(Reason::Primary))
        .collect();
    if !options.complementary || !marks.iter().any(Option::is_some) {
        return marks;
    }
    let den = |i: usize| denominators.get(i).copied().unwrap_or(0);
    let hidden = |marks: &[Option<Reason>], i: usize| marks.get(i).is_some_and(Option::is_some);
    loop {
        let mut changed = false;
        for (parent, children) in groups {
            let live: Vec<usize> = children.iter().copied().filter(|&c| den(c) > 0).collect();
            if live.is_empty() {
                continue;
            }
            let hidden_children = live.iter().filter(|&&c| hidden(&marks, c)).count();
            let parent_hidden = hidden(&marks, *parent);
            let need =
                (!parent_hidden && hidden_children == 1) || (parent_hidden && hidden_children == 0);
            if !need {
                continue;
            }
            let pick = live
                .iter()
                .copied()
                .filter(|&c| !hidden(&marks, c))
                .min_by_key(|&c| (den(c), c));
            let target = match pick {
                Some(c) => c,
                None => *parent,
            };
            if let Some(m) = marks.get_mut(target) {
                if m.is_none() {
                    *m = Some(Reason::Complementary);
                    changed = true;
                }
            }
        }
        if !changed {
            return marks;
        }
    }
}

/// The hierarchy of a [`Measurement`]'s units as cells and groups.
#[derive(Debug, Clone)]
pub struct Plan {
    base: [usize; 5],
    cells: usize,
    groups: Vec<(usize, Vec<usize>)>,
}

impl Plan {
    /// The groups of `m`: system ⊃ regions ⊃ circuits ⊃ counties; system ⊃ providers.
    pub fn new(m: &Measurement) -> Plan {
        let n = |l: Level| m.names.get(&l).map_or(0, Vec::len);
        let (nr, nc, nk, np) = (
            n(Level::Region),
            n(Level::Circuit),
            n(Level::County),
            n(Level::Provider),
        );
        let base = [0, 1, 1 + nr, 1 + nr + nc, 1 + nr + nc + nk];
        let mut groups = Vec::new();
        groups.push((0, (0..nr).map(|r| base[1] + r).collect()));
        for r in 0..nr {
            let kids = (0..nc)
                .filter(|&c| m.circuit_region.get(c).copied().flatten() == Some(r))
                .map(|c| base[2] + c)
                .collect();
            groups.push((base[1] + r, kids));
        }
        for c in 0..nc {
            let kids = (0..nk)
                .filter(|&k| m.county_circuit.get(k).copied().flatten() == Some(c))
                .map(|k| base[3] + k)
                .collect();
            groups.push((base[2] + c, kids));
        }
        groups.push((0, (0..np).map(|p| base[4] + p).collect()));
        Plan {
            base,
            cells: base[4] + np,
            groups,
        }
    }

    /// The cell index of unit `u` at `level`.
    pub fn cell(&self, level: Level, u: usize) -> Option<usize> {
        let c = self.base[level as usize] + u;
        (c < self.cells).then_some(c)
    }

    /// The denominators of every cell for `metric` in period `p`.
    pub fn denominators(&self, m: &Measurement, p: usize, metric: MetricId) -> Vec<u64> {
        let mut out = vec![0; self.cells];
        for level in Level::ALL {
            let n = m.names.get(&level).map_or(0, Vec::len);
            for u in 0..n {
                if let (Some(c), Some((_, den))) =
                    (self.cell(level, u), m.count(level, u, p, metric))
                {
                    if let Some(slot) = out.get_mut(c) {
                        *slot = den;
                    }
                }
            }
        }
        out
    }

    /// The suppression marks of every cell.
    pub fn apply(&self, denominators: &[u64], options: &SuppressionOptions) -> Vec<Option<Reason>> {
        suppress_cells(denominators, &self.groups, options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_lone_small_cell_gets_a_partner() {
        // total 40 = 25 + 12 + 3; 3 < 11 primary; 12 is the smallest published sibling.
        let m = suppress_cells(
            &[40, 25, 12, 3],
            &[(0, vec![1, 2, 3])],
            &SuppressionOptions::default(),
        );
        assert_eq!(
            m,
            vec![
                None,
                None,
                Some(Reason::Complementary),
                Some(Reason::Primary)
            ]
        );
    }

    #[test]
    fn two_small_cells_need_no_partner() {
        let m = suppress_cells(
            &[40, 30, 5, 5],
            &[(0, vec![1, 2, 3])],
            &SuppressionOptions::default(),
        );
        assert_eq!(
            m,
            vec![None, None, Some(Reason::Primary), Some(Reason::Primary)]
        );
    }

    #[test]
    fn only_child_hides_the_parent() {
        // A circuit with one county: the county is the circuit.
        let m = suppress_cells(
            &[50, 5, 45, 5],
            &[(0, vec![1, 2]), (1, vec![3])],
            &SuppressionOptions::default(),
        );
        assert_eq!(m.get(3), Some(&Some(Reason::Primary)));
        assert_eq!(m.get(1), Some(&Some(Reason::Primary)));
        // The system group (50 = 5 + 45) then has one hidden child and hides 45 too.
        assert_eq!(m.get(2), Some(&Some(Reason::Complementary)));
    }

    #[test]
    fn zero_denominators_are_not_hidden_and_off_switch_works() {
        let m = suppress_cells(
            &[12, 12, 0],
            &[(0, vec![1, 2])],
            &SuppressionOptions::default(),
        );
        assert_eq!(m, vec![None, None, None]);
        let off = SuppressionOptions {
            min_denominator: 0,
            complementary: true,
        };
        assert!(
            suppress_cells(&[3, 3], &[(0, vec![1])], &off)
                .iter()
                .all(Option::is_none)
        );
    }

    proptest! {
        /// No published group ever has exactly one hidden live child, and no hidden parent has
        /// only published live children.
        #[test]
        fn nothing_recoverable_by_subtraction(kids in proptest::collection::vec(0u64..30, 1..8)) {
            let total: u64 = kids.iter().sum();
            let mut dens = vec![total];
            dens.extend(&kids);
            let group = (0usize, (1..=kids.len()).collect::<Vec<_>>());
            let m = suppress_cells(&dens, &[group], &SuppressionOptions::default());
            let live_hidden = (1..=kids.len()).filter(|&i| dens[i] > 0 && m[i].is_some()).count();
            let live = (1..=kids.len()).filter(|&i| dens[i] > 0).count();
            if m[0].is_none() {
                prop_assert!(live_hidden != 1);
            } else if live > 0 {
                prop_assert!(live_hidden >= 1);
            }
        }
    }
}
