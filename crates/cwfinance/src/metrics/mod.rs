//! HB 1414 performance measurement: case-level data in, metric values and scorecards out.
//!
//! Missouri's HB 1414 (2020) and its rule, 13 CSR 35-35.100 (`003_d493ecb4a837036e.txt`),
//! require one uniform, transparent tool scoring every foster-care case-management provider: the
//! Children's Division and each contractor (FCCM). The Phase I and Phase II metrics, benchmarks
//! and weights are on the Children's Division HB 1414 page (`004_c47e555d576af250.txt`).
//!
//! - [`data`], [`load`], [`synth`]: the typed columnar case-level tables, their loaders and a
//!   seeded synthetic Missouri-sized dataset.
//! - [`definitions`]: every metric's id, numerator, denominator, exclusions, window, direction,
//!   unit and citation.
//! - [`measure`]: one pass over the sorted tables computes every metric for every period and for
//!   the whole system, each region, circuit, county and provider.
//! - [`suppress`]: small-cell and complementary suppression for published tables ((6)(D)).
//! - [`phases`]: the dated, cited phases, benchmarks, weights and regional goals.
//! - [`score`]: (3)(H) scoring, (5)(A) weakness flags, 130(6)(C) incentive eligibility.
//! - [`outcomes`]: the contractor-versus-mirror outcome comparison of `002_acb0e5b8f340becc.txt`.
//!
//! # Example
//!
//! ```
//! use cwfinance::metrics::score::{score_request, ScoreRequest, ScoreOptions, UnitValues};
//! let req = ScoreRequest {
//!     as_of: "2024-09-30".parse().unwrap(),
//!     units: vec![UnitValues::new("FCCM A").region("Kansas City")
//!         .value("worker_child_visits", "96%").value("timely_permanency", "31%")],
//!     items: None, regional_goals: None, options: ScoreOptions::default(),
//! };
//! let card = &score_request(&req, false).unwrap().scorecards[0];
//! assert_eq!(card.weight_sum.to_string(), "155%");
//! assert_eq!(card.incentive.exceeds_permanency_goal, Some(true));
//! ```

pub mod data;
pub mod definitions;
pub mod load;
pub mod measure;
pub mod outcomes;
pub mod phases;
pub mod score;
pub mod suppress;
pub mod synth;
