//! The private native module `cwfinance._lowlevel`.
//!
//! This crate holds no rule of its own: every function hands JSON text or Arrow columns to the
//! cwfinance core and hands the answer back. The public, typed Python API lives in the pure-Python
//! package `cwfinance` (`python/cwfinance/`), which is the only caller of this module.
//!
//! Two conventions keep the boundary small:
//! - Calculation documents cross as JSON text, so Python sees exactly the bytes the Rust core
//!   writes (the cross-language vectors compare them byte for byte).
//! - Every core [`cwfinance::Error`] becomes a Python exception in one place, [`to_py_err`], which
//!   asks `cwfinance._errors` for the exception class of the error's kind.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

mod columns;

/// Turn a core error into the Python exception of its kind (`cwfinance.SharesDoNotSumError`, ...).
///
/// The classes are real Python classes defined in `cwfinance/_errors.py`; this is the only place
/// where Rust raises them, and `_errors._from_response` is the only place that builds them, so a
/// document answered with `{"error": ...}` and a typed call that fails raise the same exception.
pub(crate) fn to_py_err(py: Python<'_>, err: &cwfinance::Error) -> PyErr {
    let response = cwfinance::json::to_canonical_string(&err.to_json());
    let built = py
        .import("cwfinance._errors")
        .and_then(|m| m.getattr("_from_response"))
        .and_then(|f| f.call1((response.clone(),)));
    match built {
        Ok(exc) => PyErr::from_value(exc),
        // Only reachable when `_lowlevel` is imported without its package.
        Err(_) => PyValueError::new_err(response),
    }
}

/// Raise the error of a core result as its Python exception.
pub(crate) fn check<T>(py: Python<'_>, result: cwfinance::Result<T>) -> PyResult<T> {
    result.map_err(|e| to_py_err(py, &e))
}

/// The native module. Its stub is `python/cwfinance/_lowlevel.pyi`, checked by mypy stubtest.
#[pymodule]
mod _lowlevel {
    use super::*;

    #[pymodule_export]
    use super::columns::{
        bill_columns_arrow, dataset_tables, measure_arrow, measure_csv, settle_columns_arrow,
        split_columns_arrow, synthetic_csv,
    };

    /// The version of the Rust core this module was built from.
    #[pymodule_export]
    const CORE_VERSION: &str = env!("CARGO_PKG_VERSION");

    /// Every error kind of the core, in the order of its variants (`cwfinance::Error::KINDS`).
    #[pyfunction]
    fn error_kinds() -> Vec<&'static str> {
        cwfinance::Error::KINDS.to_vec()
    }

    /// Every calculation-document kind with its one-line summary.
    #[pyfunction]
    fn document_kinds() -> Vec<(&'static str, &'static str)> {
        cwfinance::document::KINDS
            .iter()
            .map(|k| (k.name, k.summary))
            .collect()
    }

    /// Run a calculation document given as JSON text; answer in canonical JSON text.
    ///
    /// Errors are answered as `{"error": {...}}` text, as the core does; the Python layer raises.
    /// The GIL is released while the core works, so threads can evaluate in parallel.
    #[pyfunction]
    fn evaluate(py: Python<'_>, request: String) -> String {
        py.detach(|| cwfinance::evaluate_str(&request))
    }

    /// Run many calculation documents, releasing the GIL once for the whole batch.
    #[pyfunction]
    fn evaluate_many(py: Python<'_>, requests: Vec<String>) -> Vec<String> {
        py.detach(|| {
            requests
                .iter()
                .map(|r| cwfinance::evaluate_str(r))
                .collect()
        })
    }

    /// Rewrite JSON text in the core's canonical form (keys sorted, no whitespace).
    #[pyfunction]
    fn canonical_json(py: Python<'_>, text: &str) -> PyResult<String> {
        let value = check(py, cwfinance::json::parse(text))?;
        Ok(cwfinance::json::to_canonical_string(&value))
    }

    /// The ids of the built-in program presets, sorted.
    #[pyfunction]
    fn program_ids() -> Vec<&'static str> {
        cwfinance::Program::builtin_ids()
    }

    /// A built-in program, loaded and checked, as canonical JSON text.
    #[pyfunction]
    fn program_builtin(py: Python<'_>, id: &str) -> PyResult<String> {
        let program = check(py, cwfinance::Program::builtin(id))?;
        Ok(cwfinance::json::to_canonical_string(&program))
    }

    /// A user's program in the preset format, loaded and checked, as canonical JSON text.
    #[pyfunction]
    fn program_from_json(py: Python<'_>, text: &str) -> PyResult<String> {
        let program = check(py, cwfinance::Program::from_json_str(text))?;
        Ok(cwfinance::json::to_canonical_string(&program))
    }

    /// The JSON Schema of every request and response, as `(file name, canonical JSON text)`.
    #[pyfunction]
    fn schemas() -> Vec<(String, String)> {
        cwfinance::document::schemas()
            .into_iter()
            .map(|(name, schema)| (name, cwfinance::json::to_canonical_string(&schema)))
            .collect()
    }
}
